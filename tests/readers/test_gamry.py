"""The Gamry .DTA reader: EXPLAIN files (EISPOT, CV) in, the eis and cv layouts out."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import gamry
from tests.conftest import real_file

CV_FILE = "electrochem/cv/gamry_dta/chemotion_01_CV.DTA"
EIS_FILE = "electrochem/eis/gamry_dta/impedancepy_exampleDataGamry.DTA"


def read(path, technique):
    """Read with the reader and check the layout, as the registry does."""
    ds = gamry.read(path, technique)
    datasets.validate(ds, technique)
    return ds


def sniffed(path) -> bool:
    """The reader's sniff on the file's first 64 KiB."""
    return gamry.sniff(path, path.read_bytes()[: 1 << 16])


# A small EIS file with the quirks of a German-locale Gamry: decimal commas, CRLF, a ° unit,
# frequencies swept low to high, a NOTES block and EXPERIMENTABORTED after the table.
QUIRKY_EIS = "\r\n".join(
    [
        "EXPLAIN",
        "TAG\tEISPOT",
        "DATE\tLABEL\t3.2.2021\tDate",
        "TIME\tLABEL\t09:05:00\tTime",
        "NOTES\tNOTES\t2\tNotes...",
        "\tfirst note line",
        "\tZCURVE is not a table here",
        "PSTAT\tPSTAT\tREF600-1\tPotentiostat",
        "VDC\tPOTEN\t4,00000E+000\tF\tDC Voltage (V)",
        "AREA\tQUANT\t1,96000E-001\tArea (cm^2)",
        "ZCURVE\tTABLE",
        "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz\tIdc\tVdc\tIERange",
        "\t#\ts\tHz\tohm\tohm\tV\tohm\t\u00b0\tA\tV\t#",
        "\t0\t1\t1,0\t120,5\t-60,25\t1\t134,7\t-26,6\t1E-9\t4,0\t5",
        "\t1\t2\t10,0\t100,0\t-40,0\t1\t107,7\t-21,8\t1E-9\t4,0\t5",
        "\t2\t3\t100,0\t80,0\t-10,5\t1\t80,7\t-7,5\t1E-9\t4,0\t5",
        "EXPERIMENTABORTED\tTOGGLE\tT\tExperiment Aborted",
        "",
    ]
)


def test_real_cv_file_keeps_every_curve_table_as_a_cycle():
    path = real_file(CV_FILE)
    ds = read(path, "cv")
    counts = np.bincount(ds["cycle"].values)[1:]
    # CURVE1 holds Pt 0..480, CURVE2..CURVE10 480 points each, CURVE11 the single closing point.
    assert counts.tolist() == [481] + [480] * 9 + [1]
    assert ds.sizes["point"] == 4802
    # First row of CURVE1: "0  0.05  -8.00235E-001  -3.70383E-004".
    assert ds["time"].values[0] == pytest.approx(0.05)
    assert ds["potential"].values[0] == pytest.approx(-0.800235)
    assert ds["current"].values[0] == pytest.approx(-3.70383e-4)
    # First row of CURVE2 (Pt 481): T 24.1 s, Vf -8.05208E-001, Im -3.19983E-005.
    first_of_2 = int(np.argmax(ds["cycle"].values == 2))
    assert first_of_2 == 481
    assert ds["time"].values[first_of_2] == pytest.approx(24.1)
    assert ds["potential"].values[first_of_2] == pytest.approx(-0.805208)
    assert ds["current"].values[first_of_2] == pytest.approx(-3.19983e-5)
    # The lone CURVE11 row: Pt 4801, T 240.1, Vf -8.00238E-001, Im -3.24384E-005.
    assert ds["cycle"].values[-1] == 11
    assert ds["potential"].values[-1] == pytest.approx(-0.800238)
    assert ds["current"].values[-1] == pytest.approx(-3.24384e-5)


def test_real_cv_header_gives_scan_rate_area_and_instrument():
    ds = read(real_file(CV_FILE), "cv")
    assert ds.attrs["scan_rate_V_s"] == pytest.approx(0.0999998)  # SCANRATE 9.99998E+001 mV/s
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.19635)
    assert ds.attrs["instrument"] == "IFC1010-28176"
    assert ds.attrs["software"] == "Gamry Framework 7.8.6"
    assert ds.attrs["start_time"] == "2022-04-27T16:28:33"  # DATE 27.4.2022 (d.m.yyyy)
    assert ds.attrs["gamry_tag"] == "CV"
    assert ds.attrs["experiment_aborted"] == 0


def test_real_eis_file_reads_zcurve_not_the_ocv_table():
    ds = read(real_file(EIS_FILE), "eis")
    assert ds.sizes["frequency"] == 72  # ZCURVE, not the 387-point OCVCURVE before it
    f = ds["frequency"].values
    assert f[0] == pytest.approx(200015.6)
    assert f[-1] == pytest.approx(0.0158898)
    assert np.all(np.diff(f) < 0)
    assert ds["z_real"].values[0] == pytest.approx(825.8584)
    assert ds["z_imag"].values[0] == pytest.approx(-1367.239)  # Gamry writes the true sign
    assert ds["z_imag"].values[-1] == pytest.approx(-6635.557)
    assert ds["time"].values[-1] == pytest.approx(861.0)


def test_real_eis_dc_potential_adds_open_circuit_when_vdc_is_versus_eoc():
    ds = read(real_file(EIS_FILE), "eis")
    # VDC -5.00000E-002 T (vs Eoc) and EOC -0.2919803 V: -0.3419803 V vs Eref;
    # the Vdc column (-0.3413 ... -0.3412 V) agrees within a millivolt.
    assert ds.attrs["dc_potential_V"] == pytest.approx(-0.3419803)
    assert ds.attrs["dc_potential_setpoint_vs"] == "Eoc"
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(1.0)
    assert ds.attrs["notes"] == "-50mV +5.66X10^-4 D8"
    assert ds.attrs["start_time"] == "2018-04-23T16:43:15"  # DATE 4/23/2018 (m/d/yyyy)


def test_decimal_commas_crlf_ascending_sweep_and_aborted_run(tmp_path):
    path = tmp_path / "quirky.DTA"
    path.write_bytes(QUIRKY_EIS.encode("iso-8859-1"))
    assert sniffed(path)
    ds = read(path, "eis")
    assert ds["frequency"].values.tolist() == [100.0, 10.0, 1.0]
    assert ds["z_real"].values.tolist() == [80.0, 100.0, 120.5]
    assert ds["z_imag"].values.tolist() == [-10.5, -40.0, -60.25]
    assert ds.attrs["dc_potential_V"] == pytest.approx(4.0)
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.196)
    assert ds.attrs["experiment_aborted"] == 1
    assert ds.attrs["notes"] == "first note line\nZCURVE is not a table here"


def test_sniff_accepts_gamry_and_refuses_other_text(tmp_path):
    assert sniffed(real_file(CV_FILE))
    assert sniffed(real_file(EIS_FILE))
    other = tmp_path / "other.mpt"
    other.write_bytes(b"EC-Lab ASCII FILE\r\nNb header lines : 3\r\n\r\n")
    assert not sniffed(other)


def test_wrong_technique_or_bad_cell_raises_read_error_naming_the_place(tmp_path):
    with pytest.raises(ReadError, match="TAG line: expected a voltammogram.*Gamry EISPOT record"):
        gamry.read(real_file(EIS_FILE), "cv")
    bad = tmp_path / "bad.DTA"
    bad.write_bytes(
        QUIRKY_EIS.replace("\t1\t2\t10,0\t100,0", "\t1\t2\t10,0\tn/a").encode("iso-8859-1")
    )
    with pytest.raises(ReadError, match=r"table ZCURVE, line 15.*'Zreal'"):
        gamry.read(bad, "eis")
    not_gamry = tmp_path / "x.DTA"
    not_gamry.write_bytes(b"hello\n")
    with pytest.raises(ReadError, match="line 1"):
        gamry.read(not_gamry, "eis")


def test_reads_the_demo_eis_gamry_file(tmp_path):
    eis_demo = pytest.importorskip("interphase.demo.eis")
    samples = [
        {
            "sample": "NMC-700",
            "label": "NMC-700",
            "sintering_temperature_C": 700.0,
            "electrode_area_cm2": 0.196,
        },
        {
            "sample": "NMC-900",
            "label": "NMC-900",
            "sintering_temperature_C": 900.0,
            "electrode_area_cm2": 0.196,
        },
    ]
    rows = eis_demo.generate(tmp_path, samples, 0)
    dta = [r for r in rows if r["file"].endswith(".DTA")]
    assert dta, "the demo writes at least one Gamry spectrum"
    for r in dta:
        path = tmp_path / r["file"]
        assert sniffed(path)
        ds = read(path, "eis")
        assert ds.attrs["dc_potential_V"] == pytest.approx(float(r["potential_V"]), abs=1e-6)
        assert ds.sizes["frequency"] > 20
