"""PANalytical CSV reader: the real export equals its XRDML and .xy twins; locale variants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import panalytical_csv
from tests.conftest import real_file


def test_yadg_csv_values_checked_by_hand():
    ds = readers.read(real_file("xrd/panalytical_csv/yadg_210520step1_30min.csv"), "xrd")
    assert ds.attrs["reader"] == "panalytical_csv"
    assert (
        ds.sizes["two_theta"] == 4489 and "data_count_note" not in ds.attrs
    )  # 'No. of points, 4489'
    assert ds["two_theta"].values[0] == pytest.approx(5.008355630)
    assert ds["two_theta"].values[-1] == pytest.approx(80.00853080)
    assert (
        ds["intensity"].values[:2].tolist() == [1719.0, 1766.0]
        and ds["intensity"].values[-1] == 288
    )
    assert ds.attrs["counting_time_s"] == pytest.approx(50.165)
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.540598)
    assert ds.attrs["ka2_ka1_ratio"] == 0.0 and math.isnan(ds.attrs["wavelength_ka2_angstrom"])
    assert ds.attrs["anode"] == "Cu" and ds.attrs["instrument"] == "XPERT-PRO"
    assert ds.attrs["scan_kind"] == "powder"


def test_yadg_csv_xrdml_and_xy_give_the_same_arrays():
    csv = readers.read(real_file("xrd/panalytical_csv/yadg_210520step1_30min.csv"), "xrd")
    xrdml = readers.read(real_file("xrd/xrdml/yadg_210520step1_30min.xrdml"), "xrd")
    xy = readers.read(real_file("xrd/xy/yadg_210520step1_30min.xy"), "xrd")
    for other in (xrdml, xy):
        np.testing.assert_allclose(csv["two_theta"].values, other["two_theta"].values, atol=2e-6)
        np.testing.assert_array_equal(csv["intensity"].values, other["intensity"].values)
    np.testing.assert_allclose(csv["intensity_cps"].values, xrdml["intensity_cps"].values)


GERMAN = (
    "\ufeff[Measurement conditions]\r\nAnode material,Co\r\nK-Alpha1 wavelength,1.7890100\r\n"
    "K-Alpha2 wavelength,1.7928500\r\nRatio K-Alpha2/K-Alpha1,0.500\r\nTime per step,2\r\n"
    'No. of points, 4\r\nComment - 1,"a, b"\r\n[Scan points]\r\nAngle;Intensity\r\n'
    "10,00;100,0\r\n10,02;120,0\r\n10,04;80,0\r\n"
)


def test_semicolon_export_with_decimal_commas_and_a_wrong_point_count(tmp_path):
    path = tmp_path / "de.csv"
    path.write_text(GERMAN, encoding="utf-8", newline="")
    ds = readers.read(path, "xrd")
    datasets.validate(ds, "xrd")
    assert ds["two_theta"].values.tolist() == [10.0, 10.02, 10.04]
    assert ds["intensity_cps"].values.tolist() == [50.0, 60.0, 40.0]
    assert ds.attrs["ka2_ka1_ratio"] == 0.5 and ds.attrs["anode"] == "Co"
    assert ds.attrs["data_count_note"] == "header 'No. of points' 4, rows read 3"


def test_bad_row_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "[Measurement conditions]\nTime per step,1\n"
        "[Scan points]\nAngle,Intensity\n10.0,5\n10.1,x\n"
    )
    with pytest.raises(ReadError, match=r"bad\.csv.*line 6"):
        panalytical_csv.read(path, "xrd")


def test_sniff_is_by_content(tmp_path):
    assert panalytical_csv.sniff(tmp_path / "a.txt", GERMAN.encode("utf-8"))
    assert not panalytical_csv.sniff(tmp_path / "a.csv", b"Angle,Intensity\n10,5\n")
