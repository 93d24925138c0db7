"""Bruker .brml reader: the real reflectivity file checked by hand, and a minimal powder file."""

from __future__ import annotations

import zipfile

import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import bruker_brml
from tests.conftest import real_file


def test_genx_brml_reflectivity_columns_from_dataviews():
    """The module reads the scan (values by hand); declared as xrd it is refused as reflectivity."""
    path = real_file("xrd/bruker_brml/genx_BRML_alt.brml")
    with pytest.raises(ReadError, match=r"reflectivity scan \(2θ 0.03–7.5°\)"):
        readers.read(path, "xrd", declared=True)
    ds = bruker_brml.read(path, "xrd")
    assert ds.attrs["reader"] == "bruker_brml" and ds.attrs["column_source"] == "DataViews"
    assert ds.sizes["two_theta"] == 3736
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([0.03, 7.5])
    # first <Datum>: 5,1,0.03,0.015,0.03,0.015,0,0,0.00185,183219616,321652.2813
    # (column 9 = counter 0D)
    assert ds["intensity"].values[0] == 183219616
    assert ds["intensity"].values[-1] == pytest.approx(4.9839)
    assert ds.attrs["counting_time_s"] == 5.0 and ds["intensity_cps"].values[0] == pytest.approx(
        183219616 / 5
    )
    assert (
        ds.attrs["wavelength_ka1_angstrom"] == 1.5406
        and ds.attrs["wavelength_ka2_angstrom"] == 1.54439
    )
    assert ds.attrs["ka2_ka1_ratio"] == 0.5 and ds.attrs["anode"] == "Cu"
    assert ds.attrs["scan_kind"] == "reflectivity"


OLD_RAW = """<?xml version="1.0" encoding="utf-8"?>
<RawData><DataRoutes><DataRoute><ScanInformation ScanName="Coupled TwoTheta/Theta"/>
<Datum>1,1,20.0,10.0,120</Datum><Datum>1,1,20.02,10.01,150</Datum><Datum>2,1,20.04,10.02,90</Datum>
</DataRoute></DataRoutes>
<FixedInformation><Instrument><Tube>
<WaveLengthAlpha1 Value="1.78897"/><WaveLengthAlpha2 Value="1.79285"/>
<WaveLengthRatio Value="0.5"/><TubeMaterial>Co</TubeMaterial>
</Tube></Instrument></FixedInformation></RawData>
"""


def _brml(path, xml: str):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Experiment0/RawData0.xml", xml)
        zf.writestr("experimentCollection.xml", "<ExperimentCollection/>")
    return path


def test_brml_without_dataviews_uses_the_default_column_order(tmp_path):
    ds = readers.read(_brml(tmp_path / "powder.brml", OLD_RAW), "xrd")
    datasets.validate(ds, "xrd")
    assert ds["two_theta"].values.tolist() == [20.0, 20.02, 20.04]
    assert ds["intensity"].values.tolist() == [120, 150, 90]
    assert ds["intensity_cps"].values.tolist() == [120, 150, 45]
    assert ds.attrs["anode"] == "Co" and ds.attrs["scan_kind"] == "powder"
    assert ds.attrs["column_source"] == "default column order"


def test_broken_xml_names_member_and_line(tmp_path):
    path = _brml(tmp_path / "broken.brml", OLD_RAW.replace("</DataRoute>", ""))
    with pytest.raises(ReadError, match=r"broken\.brml, Experiment0/RawData0\.xml, line \d+"):
        bruker_brml.read(path, "xrd")


def test_sniff_wants_rawdata_in_the_zip(tmp_path):
    path = _brml(tmp_path / "a.zip", OLD_RAW)
    assert bruker_brml.sniff(path, path.read_bytes()[:64])
    other = tmp_path / "b.brml"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("Data0/Profile0.txt", "1 2 1\n")
    assert not bruker_brml.sniff(other, other.read_bytes()[:64])


ROCKING = """<RawData><DataRoutes><DataRoute><DataViews>
<RawDataView xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:type="VaryingRawDataView" Start="2" Length="1">
<Varying LogicName="ScanAxes"><FieldDefinitions FieldName="Theta" AxisId="Theta"/>
</Varying></RawDataView>
</DataViews><Datum>1,1,10.0,5</Datum><Datum>1,1,10.1,7</Datum></DataRoute></DataRoutes></RawData>"""


def test_route_without_a_two_theta_axis_is_refused(tmp_path):
    with pytest.raises(ReadError, match="TwoTheta axis"):
        bruker_brml.read(_brml(tmp_path / "rocking.brml", ROCKING), "xrd")
