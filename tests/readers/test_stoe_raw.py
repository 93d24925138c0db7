"""STOE RAW_1.06 reader: the real file equals its .xyd export point for point; layout checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase import readers
from interphase.errors import ReadError
from interphase.readers import stoe_raw
from tests.conftest import real_file

RAW = "xrd/stoe_raw/chemotion_LA_P-37cd_DUT-52Zr_act_EtOH_RAW106.raw"


def test_stoe_raw_values_checked_by_hand():
    ds = readers.read(real_file(RAW), "xrd")
    assert ds.attrs["reader"] == "stoe_raw"
    assert ds.sizes["two_theta"] == 2704
    assert ds["two_theta"].values[[0, -1]].tolist() == [5.0, 45.545]
    assert (
        ds["intensity"].values[:3].tolist() == [1800, 1694, 1753]
        and ds["intensity"].values[-1] == 429
    )
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.5406, abs=1e-4)
    assert ds.attrs["wavelength_ka2_angstrom"] == pytest.approx(1.5444, abs=1e-4)
    assert math.isnan(ds.attrs["ka2_ka1_ratio"]) and ds.attrs["anode"] == "Cu"
    assert ds.attrs["file_sample"] == "LA_P-37cd_DUT-52(Zr)_act_EtOH"
    assert ds.attrs["start_time"] == "03-Aug-22 14:38" and ds.attrs["end_time"] == "03-Aug-22 15:07"
    assert "intensity_cps" not in ds  # the counting time is not established for this format


def test_stoe_raw_equals_its_xyd_export():
    ds = readers.read(real_file(RAW), "xrd")
    xyd = readers.read(real_file("xrd/xy/chemotion_LA_P-37cd_DUT-52Zr_act_EtOH.xyd"), "xrd")
    np.testing.assert_allclose(ds["two_theta"].values, xyd["two_theta"].values, atol=1e-9)
    np.testing.assert_array_equal(ds["intensity"].values, xyd["intensity"].values)


def test_inconsistent_range_header_is_refused_with_the_byte(tmp_path):
    raw = bytearray(real_file(RAW).read_bytes())
    raw[0x40600 + 60 : 0x40600 + 64] = np.float32(0.02).tobytes()  # step no longer fits start/end/n
    path = tmp_path / "bad.raw"
    path.write_bytes(bytes(raw))
    with pytest.raises(ReadError, match=r"bad\.raw, byte 263724.*start \+ step"):
        stoe_raw.read(path, "xrd")


def test_file_without_range_header_is_refused(tmp_path):
    path = tmp_path / "empty.raw"
    path.write_bytes(b"RAW_1.06Powdat" + bytes(4000))
    with pytest.raises(ReadError, match="range header"):
        stoe_raw.read(path, "xrd")


def test_sniff_is_by_content(tmp_path):
    assert stoe_raw.sniff(tmp_path / "x.bin", b"RAW_1.06Powdat\x00\x00")
    assert not stoe_raw.sniff(tmp_path / "x.raw", b"RAW1.01\x00")
