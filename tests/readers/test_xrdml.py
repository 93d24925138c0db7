"""PANalytical XRDML reader: every real .xrdml file, values checked by hand against the files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import xrdml
from tests.conftest import real_file


def test_yadg_xrdml_1_6_intensities_and_common_counting_time():
    ds = readers.read(real_file("xrd/xrdml/yadg_210520step1_30min.xrdml"), "xrd")
    assert ds.attrs["reader"] == "panalytical_xrdml"
    assert ds.sizes["two_theta"] == 4489
    assert ds["two_theta"].values[0] == pytest.approx(5.00835563)
    assert ds["two_theta"].values[-1] == pytest.approx(80.00853080)
    assert ds["intensity"].values[0] == 1719 and ds["intensity"].values[-1] == 288
    assert ds.attrs["counting_time_s"] == pytest.approx(50.165)
    assert ds["intensity_cps"].values[0] == pytest.approx(1719 / 50.165)
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.540598)
    assert ds.attrs["ka2_ka1_ratio"] == 0.0 and math.isnan(
        ds.attrs["wavelength_ka2_angstrom"]
    )  # Ge monochromator
    assert ds.attrs["anode"] == "Cu"
    assert ds.attrs["scan_kind"] == "powder"
    assert ds.attrs["xrdml_namespace"].endswith("/1.6")


def test_yadg_xrdml_equals_the_xy_export_of_the_same_scan():
    ds = readers.read(real_file("xrd/xrdml/yadg_210520step1_30min.xrdml"), "xrd")
    xy = np.loadtxt(real_file("xrd/xy/yadg_210520step1_30min.xy"))
    assert xy.shape == (ds.sizes["two_theta"], 2)
    np.testing.assert_allclose(ds["two_theta"].values, xy[:, 0], atol=2e-6)
    np.testing.assert_array_equal(ds["intensity"].values, xy[:, 1])


def test_chemotion_xrdml_2_1_counts():
    ds = readers.read(
        real_file("xrd/xrdml/chemotion_LA_P37cd_DUT52Zr-Thermo-XRD-5-90-45min_25C_1.xrdml"), "xrd"
    )
    assert ds.sizes["two_theta"] == 6474
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([5.00116514, 89.99348491])
    assert ds["intensity"].values[0] == 90 and ds["intensity"].values[-1] == 43
    assert ds.attrs["counting_time_s"] == pytest.approx(97.92)
    assert ds.attrs["xrdml_namespace"].endswith("/2.1")
    assert ds.attrs["scan_kind"] == "powder"


def test_genx_xrdml_beam_attenuation_applied_and_reflectivity_marked():
    path = real_file("xrd/xrdml/genx_XRDML_alt.xrdml")
    with pytest.raises(ReadError, match="reflectivity"):
        readers.read(path, "xrd", declared=True)
    ds = xrdml.read(path, "xrd")
    assert ds.sizes["two_theta"] == 994
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([0.0325, 4.9975])
    # first count 20991 with attenuation factor 182.00; point 110 is 1747520 counts with factor 1.00
    assert ds["intensity"].values[0] == pytest.approx(20991 * 182.0)
    assert ds["intensity"].values[110] == pytest.approx(1747520)
    assert ds["intensity"].values[-1] == 5
    assert ds.attrs["scan_kind"] == "reflectivity"
    assert ds.attrs["ka2_ka1_ratio"] == pytest.approx(0.5)
    assert ds.attrs["wavelength_ka2_angstrom"] == pytest.approx(1.544426)


def test_xylib_xrdml_1_5():
    ds = readers.read(real_file("xrd/xrdml/xylib_empyrean.xrdml"), "xrd")
    assert ds.sizes["two_theta"] == 196
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([30.05, 41.75])
    assert ds["intensity"].values[0] == 8 and ds["intensity"].values[-1] == 6
    assert ds.attrs["counting_time_s"] == pytest.approx(0.44)
    assert ds.attrs["xrdml_namespace"].endswith("/1.5")


SYNTHETIC = """<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.0">
 <xrdMeasurement measurementType="Repeated scan" status="Completed">
  <usedWavelength intended="K-Alpha 1"><kAlpha1 unit="Angstrom">1.7890100</kAlpha1>
   <kAlpha2 unit="Angstrom">1.7928500</kAlpha2>
   <ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1></usedWavelength>
  <incidentBeamPath><xRayTube><anodeMaterial>Co</anodeMaterial></xRayTube></incidentBeamPath>
  <scan appendNumber="0" scanAxis="2Theta"><dataPoints>
   <positions axis="2Theta" unit="deg"><listPositions>20.0 20.5 21.5</listPositions></positions>
   <countingTimes unit="seconds">1.0 2.0 4.0</countingTimes>
   <intensities unit="counts">10 40 80</intensities>
  </dataPoints></scan>
  <scan appendNumber="1" scanAxis="2Theta"><dataPoints>
   <positions axis="2Theta" unit="deg">
    <startPosition>20</startPosition><endPosition>22</endPosition></positions>
   <intensities unit="counts">1 2 3</intensities>
  </dataPoints></scan>
 </xrdMeasurement>
</xrdMeasurements>
"""


def test_list_positions_counting_times_and_first_of_several_scans(tmp_path):
    path = tmp_path / "scan.xrdml"
    path.write_text(SYNTHETIC, encoding="utf-8")
    ds = readers.read(path, "xrd")
    datasets.validate(ds, "xrd")
    assert ds["two_theta"].values.tolist() == [20.0, 20.5, 21.5]
    assert ds["intensity_cps"].values.tolist() == [10.0, 20.0, 20.0]
    assert ds.attrs["scan_used"] == "1 of 2" and ds.attrs["n_scans_in_file"] == 2
    assert ds.attrs["anode"] == "Co" and ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(
        1.78901
    )


def test_sniff_is_by_content(tmp_path):
    assert xrdml.sniff(tmp_path / "x.txt", SYNTHETIC.encode())
    assert not xrdml.sniff(tmp_path / "x.xrdml", b"*RAS_DATA_START\n")


def test_broken_xml_names_the_line(tmp_path):
    path = tmp_path / "broken.xrdml"
    path.write_text(SYNTHETIC.replace("</scan>", "", 1), encoding="utf-8")
    with pytest.raises(ReadError, match=r"broken\.xrdml.*line \d+"):
        xrdml.read(path, "xrd")


def test_count_mismatch_of_list_positions_is_refused(tmp_path):
    path = tmp_path / "bad.xrdml"
    path.write_text(SYNTHETIC.replace("20.0 20.5 21.5", "20.0 20.5"), encoding="utf-8")
    with pytest.raises(ReadError, match="3 positions"):
        xrdml.read(path, "xrd")
