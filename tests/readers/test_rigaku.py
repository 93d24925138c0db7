"""Rigaku .ras / .rasx reader: real files checked by hand, attenuation, encodings, reflectivity."""

from __future__ import annotations

import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import rigaku
from tests.conftest import real_file


def test_genx_ras_shift_jis_header_and_rows():
    ds = readers.read(real_file("xrd/rigaku_ras/genx_rigaku_test.ras"), "xrd")
    assert ds.attrs["reader"] == "rigaku_ras"
    assert ds.sizes["two_theta"] == 1401
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([2.0, 30.0])
    assert ds["intensity"].values[0] == 7994 and ds["intensity"].values[-1] == 1150
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.540593)
    assert ds.attrs["wavelength_ka2_angstrom"] == pytest.approx(1.544414)
    # step 0.02 deg at 0.25 deg/min -> 4.8 s a point
    assert ds.attrs["counting_time_s"] == pytest.approx(4.8)
    assert ds["intensity_cps"].values[0] == pytest.approx(7994 / 4.8)
    assert ds.attrs["anode"] == "Cu" and ds.attrs["instrument"] == "SmartLab"
    assert ds.attrs["scan_kind"] == "powder"  # 2-30 deg: read as a 2θ scan


def test_genx_rasx_zip():
    ds = readers.read(real_file("xrd/rigaku_rasx/genx_rigaku_test.rasx"), "xrd")
    assert ds.sizes["two_theta"] == 2151
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([8.5, 30.0])
    assert ds["intensity"].values[0] == 591 and ds["intensity"].values[-1] == 524
    assert ds.attrs["counting_time_s"] == pytest.approx(0.6)  # 0.01 deg at 1 deg/min
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.540593)
    assert ds.attrs["file_sample"] == "RM20220915Si01"


def _ras(rows: str, extra_header: str = "") -> bytes:
    """A minimal .ras file."""
    text = (
        '*RAS_DATA_START\n*RAS_HEADER_START\n*HW_XG_NAME "3kW 封入管|3kW Sealed tube"\n'
        '*HW_XG_WAVE_LENGTH_ALPHA1 "1.540593"\n*HW_XG_WAVE_LENGTH_ALPHA2 "1.544414"\n'
        '*MEAS_SCAN_STEP "0.0200000000"\n*MEAS_SCAN_SPEED "2.0000"\n'
        '*MEAS_SCAN_SPEED_UNIT "deg/min"\n'
        f"{extra_header}*RAS_HEADER_END\n*RAS_INT_START\n{rows}*RAS_INT_END\n*RAS_DATA_END\n"
    )
    return text.encode("shift_jis")


def test_intensity_is_counts_times_the_attenuation_column(tmp_path):
    path = tmp_path / "a.ras"
    path.write_bytes(
        _ras("20.0000 100.0000 1.0000\n20.0200 250.0000 10.0000\n20.0400 90.0000 1.0000\n")
    )
    ds = readers.read(path, "xrd")
    datasets.validate(ds, "xrd")
    assert ds["intensity"].values.tolist() == [100.0, 2500.0, 90.0]
    assert ds["intensity_cps"].values[1] == pytest.approx(2500.0 / 0.6)


def test_low_angle_scan_is_marked_reflectivity(tmp_path):
    path = tmp_path / "xrr.ras"
    path.write_bytes(
        _ras("0.1000 100000.0000 1.0000\n2.0000 500.0000 1.0000\n5.0000 10.0000 1.0000\n")
    )
    assert rigaku.read(path, "xrd").attrs["scan_kind"] == "reflectivity"
    with pytest.raises(ReadError, match=r"reflectivity scan \(2θ 0.1–5°\)"):
        readers.read(path, "xrd", declared=True)


def test_bytes_neither_shift_jis_nor_utf8_give_a_clear_error(tmp_path):
    path = tmp_path / "bad.ras"
    path.write_bytes(_ras("20.0 1.0 1.0\n").replace(b"3kW", b"\x82\xff"))
    with pytest.raises(ReadError, match=r"bad\.ras.*byte \d+.*Shift-JIS"):
        rigaku.read(path, "xrd")


def test_bad_data_row_names_the_line(tmp_path):
    path = tmp_path / "row.ras"
    path.write_bytes(_ras("20.0 1.0 1.0\n20.02 x 1.0\n"))
    with pytest.raises(ReadError, match="line 12"):
        rigaku.read(path, "xrd")


def test_sniff(tmp_path):
    assert rigaku.sniff(tmp_path / "a.txt", _ras("20 1 1\n"))
    assert not rigaku.sniff(tmp_path / "a.ras", b"<?xml version")
