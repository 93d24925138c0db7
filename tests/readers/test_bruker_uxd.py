"""Bruker UXD reader: both real UXD variants, checked by hand, and the other data keywords."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import bruker_uxd
from tests.conftest import real_file


def test_chemotion_counts_block_angles_from_start_and_stepsize():
    ds = readers.read(real_file("xrd/bruker_uxd/chemotion_PD-01-02_2.UXD"), "xrd")
    assert ds.attrs["reader"] == "bruker_uxd" and ds.attrs["uxd_data_keyword"] == "_COUNTS"
    assert ds.sizes["two_theta"] == 3945
    assert ds["two_theta"].values[0] == pytest.approx(20.0)
    assert ds["two_theta"].values[-1] == pytest.approx(20.0 + 3944 * 0.016455)
    assert (
        ds["intensity"].values[:3].tolist() == [2782, 2696, 2836]
        and ds["intensity"].values[-1] == 2800
    )
    assert ds.attrs["counting_time_s"] == pytest.approx(738.065979)
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.5406)
    assert ds.attrs["ka2_ka1_ratio"] == pytest.approx(0.5) and ds.attrs["anode"] == "Cu"
    assert (
        ds.attrs["file_sample"] == "PD-01-02" and ds.attrs["start_time"] == "11-May-2018 09:20:28"
    )
    assert ds.attrs["scan_kind"] == "powder"


def test_xylib_2thetacounts_pairs():
    ds = readers.read(real_file("xrd/bruker_uxd/xylib_BT86_.UXD"), "xrd")
    assert ds.attrs["uxd_data_keyword"] == "_2THETACOUNTS"
    assert ds.sizes["two_theta"] == 2374
    assert (
        ds["two_theta"].values[:2].tolist() == [3.0, 3.016] and ds["two_theta"].values[-1] == 40.0
    )
    assert ds["intensity"].values[:2].tolist() == [187, 183] and ds["intensity"].values[-1] == 269
    assert ds["intensity_cps"].values[0] == pytest.approx(187 / 0.5)


CPS_TWO_RANGES = (
    "; converted\r\n_FILEVERSION=3\r\n_SAMPLE='x'\r\n"
    "_WL1=1.788970\r\n_WL2=1.792850\r\n_WLRATIO=0.0\r\n"
    "_ANODE='Co'\r\n; range 1\r\n_DRIVE='COUPLED'\r\n"
    "_STEPTIME=2.0\r\n_STEPSIZE=0.5\r\n_START=10.0\r\n"
    "_CPS\r\n 5 10\r\n 15\r\n; range 2\r\n_DRIVE='COUPLED'\r\n"
    "_STEPTIME=1.0\r\n_START=50.0\r\n_COUNTS\r\n 1 2 3\r\n"
)


def test_cps_block_becomes_counts_and_only_the_first_range_is_read(tmp_path):
    path = tmp_path / "two.uxd"
    path.write_bytes(CPS_TWO_RANGES.encode("cp1252"))
    ds = readers.read(path, "xrd")
    datasets.validate(ds, "xrd")
    assert ds["two_theta"].values.tolist() == [10.0, 10.5, 11.0]
    assert ds["intensity_cps"].values.tolist() == [5.0, 10.0, 15.0]
    assert ds["intensity"].values.tolist() == [10.0, 20.0, 30.0]
    assert ds.attrs["n_ranges_in_file"] == 2 and ds.attrs["anode"] == "Co"
    assert ds.attrs["ka2_ka1_ratio"] == 0.0 and np.isnan(ds.attrs["wavelength_ka2_angstrom"])


def test_2thetacountstime_uses_the_time_column(tmp_path):
    path = tmp_path / "t.uxd"
    path.write_text(
        "_FILEVERSION=2\n_DRIVE='2THETA'\n_2THETACOUNTSTIME\n20.0 100 2\n20.1 300 3\n20.2 50 1",
        encoding="utf-8",
    )
    ds = readers.read(path, "xrd")
    assert ds["intensity_cps"].values.tolist() == [50.0, 100.0, 50.0]


def test_bad_data_row_names_the_line(tmp_path):
    path = tmp_path / "bad.uxd"
    path.write_text(
        "_FILEVERSION=2\n_DRIVE='COUPLED'\n_2THETACOUNTS\n20.0 100\n20.1 abc\n", encoding="utf-8"
    )
    with pytest.raises(ReadError, match=r"bad\.uxd.*line 5"):
        bruker_uxd.read(path, "xrd")


def test_counts_block_without_stepsize_is_refused(tmp_path):
    path = tmp_path / "nostep.uxd"
    path.write_text(
        "_FILEVERSION=2\n_DRIVE='COUPLED'\n_START=10\n_COUNTS\n1 2 3\n", encoding="utf-8"
    )
    with pytest.raises(ReadError, match="_STEPSIZE"):
        bruker_uxd.read(path, "xrd")


def test_sniff_is_by_content(tmp_path):
    assert bruker_uxd.sniff(tmp_path / "a.txt", b"; comment\n_FILEVERSION=1\n")
    assert not bruker_uxd.sniff(tmp_path / "a.uxd", b"5.0 100\n5.1 200\n")
    assert not bruker_uxd.sniff(tmp_path / "a.uxd", b"*RAS_DATA_START\n")
