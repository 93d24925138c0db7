"""Bruker RAW1.01 / RAW4.00 reader: every real .raw file, values checked by hand in the files."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from interphase import datasets, readers
from interphase.errors import ReadError
from interphase.readers import bruker_raw
from tests.conftest import real_file


def test_chemotion_raw101_counts_angles_and_header():
    ds = readers.read(real_file("xrd/bruker_raw/chemotion_PD-01-02_2.raw"), "xrd")
    assert ds.attrs["reader"] == "bruker_raw" and ds.attrs["raw_version"] == "RAW1.01"
    assert ds.sizes["two_theta"] == 3945
    assert ds["two_theta"].values[0] == pytest.approx(20.0)
    assert ds["two_theta"].values[-1] == pytest.approx(84.8997, abs=1e-4)
    # the UXD twin starts '2782 2696 2836' and ends '... 2800'
    assert (
        ds["intensity"].values[:3].tolist() == [2782, 2696, 2836]
        and ds["intensity"].values[-1] == 2800
    )
    assert ds.attrs["counting_time_s"] == pytest.approx(738.066, abs=1e-3)
    assert ds["intensity_cps"].values[0] == pytest.approx(2782 / 738.066, rel=1e-5)
    assert ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(1.5406)
    assert ds.attrs["wavelength_ka2_angstrom"] == pytest.approx(1.54439)
    assert ds.attrs["ka2_ka1_ratio"] == pytest.approx(0.5)
    assert ds.attrs["anode"] == "Cu" and ds.attrs["file_sample"] == "PD-01-02"
    assert ds.attrs["file_status"] == "active"  # header file status 2
    assert ds.attrs["scan_kind"] == "powder"


def test_chemotion_raw_equals_its_uxd_twin():
    raw = readers.read(real_file("xrd/bruker_raw/chemotion_PD-01-02_2.raw"), "xrd")
    uxd = readers.read(real_file("xrd/bruker_uxd/chemotion_PD-01-02_2.UXD"), "xrd")
    np.testing.assert_array_equal(raw["intensity"].values, uxd["intensity"].values)
    # the UXD rounds the step to 0.016455: 3944 steps drift by at most 0.002°
    np.testing.assert_allclose(raw["two_theta"].values, uxd["two_theta"].values, atol=2e-3)


def test_xylib_bt86_raw101_with_supplementary_header_equals_its_uxd():
    raw = readers.read(real_file("xrd/bruker_raw/xylib_BT86.raw"), "xrd")
    assert raw.sizes["two_theta"] == 2374
    assert raw["two_theta"].values[[0, -1]] == pytest.approx([3.0, 40.0], abs=1e-3)
    assert raw["intensity"].values[0] == 187 and raw["intensity"].values[-1] == 269
    assert raw.attrs["counting_time_s"] == pytest.approx(0.5)
    uxd = readers.read(real_file("xrd/bruker_uxd/xylib_BT86_.UXD"), "xrd")
    np.testing.assert_array_equal(raw["intensity"].values, uxd["intensity"].values)
    np.testing.assert_allclose(
        raw["two_theta"].values, uxd["two_theta"].values, atol=5.1e-3
    )  # UXD angles rounded


def test_xylib_cu3au_raw101():
    ds = readers.read(real_file("xrd/bruker_raw/xylib_Cu3Au-1.raw"), "xrd")
    assert ds.sizes["two_theta"] == 3901
    assert ds["two_theta"].values[[0, -1]] == pytest.approx([22.0, 100.0])
    assert ds["intensity"].values[:3].tolist() == [48, 24, 38] and ds["intensity"].values[-1] == 11
    assert ds.attrs["file_sample"] == "Cu3Au-1" and ds.attrs["start_time"] == "06/05/08 11:45:35"


def test_nomad_raw400_segments_and_8_byte_data():
    ds = readers.read(real_file("xrd/bruker_raw/nomad_TwoTheta_scan_scrambled_RAW4.raw"), "xrd")
    assert ds.attrs["raw_version"] == "RAW4.00" and ds.attrs["datum_size_bytes"] == 8
    assert ds.sizes["two_theta"] == 7134
    assert ds["two_theta"].values[0] == pytest.approx(10.0)
    assert ds["two_theta"].values[-1] == pytest.approx(10.0 + 7133 * 0.0105203, abs=1e-4)
    # the uploader scrambled the counts (negative values);
    # the first float32 at byte 1311 is 283.7692
    assert ds["intensity"].values[0] == pytest.approx(283.7692, abs=1e-4)
    assert ds.attrs["bytes_after_first_range"] == 0  # the data end exactly at the end of the file
    assert ds.attrs["anode"] == "Cu" and ds.attrs["wavelength_ka1_angstrom"] == pytest.approx(
        1.5406
    )
    assert math.isnan(ds.attrs["wavelength_ka2_angstrom"]) and ds.attrs["ka2_ka1_ratio"] == 0.0
    assert ds.attrs["file_sample"].startswith("HeOx-1001") and ds.attrs["software"] == "DIFFRAC.EVA"
    assert ds.attrs["scan_axis"] == "Locked Coupled"


def _synthetic_raw101(start: float, step: float, counts: list[float]) -> bytes:
    """A minimal RAW1.01 file: 712-byte header, one 304-byte range header, float32 counts."""
    head = bytearray(712)
    head[0:7] = b"RAW1.01"
    struct.pack_into("<II", head, 8, 1, 1)
    head[608:610] = b"Co"
    struct.pack_into("<5d", head, 616, 1.79026, 1.78897, 1.79285, 1.62079, 0.5)
    rng = bytearray(304)
    struct.pack_into("<IIdd", rng, 0, 304, len(counts), start / 2, start)
    struct.pack_into("<d", rng, 176, step)
    struct.pack_into("<f", rng, 192, 2.0)
    return bytes(head + rng) + struct.pack(f"<{len(counts)}f", *counts)


def test_synthetic_reflectivity_raw_is_marked(tmp_path):
    path = tmp_path / "xrr.bin"
    path.write_bytes(_synthetic_raw101(0.5, 0.01, [1000.0, 800.0, 600.0]))
    with pytest.raises(ReadError, match="expected a diffraction scan.*found an X-ray reflectivity"):
        readers.read(path, "xrd", declared=True)
    ds = bruker_raw.read(path, "xrd")
    datasets.validate(ds, "xrd")
    assert ds.attrs["scan_kind"] == "reflectivity" and ds.attrs["anode"] == "Co"
    assert ds["intensity_cps"].values.tolist() == [500.0, 400.0, 300.0]


def test_truncated_raw_names_the_byte(tmp_path):
    path = tmp_path / "cut.raw"
    path.write_bytes(_synthetic_raw101(20.0, 0.02, [1.0] * 50)[:-40])
    with pytest.raises(ReadError, match=r"cut\.raw.*byte 1016.*50 data"):
        bruker_raw.read(path, "xrd")


def test_old_raw_versions_are_recognised_but_refused(tmp_path):
    path = tmp_path / "old.raw"
    path.write_bytes(b"RAW2" + bytes(300))
    assert bruker_raw.sniff(path, path.read_bytes())
    with pytest.raises(ReadError, match="not supported"):
        bruker_raw.read(path, "xrd")


def test_sniff_is_by_content(tmp_path):
    assert bruker_raw.sniff(tmp_path / "x.dat", b"RAW4.00\x00" + bytes(50))
    assert not bruker_raw.sniff(tmp_path / "x.raw", b"RAW_1.06Powdat")


def test_raw400_rocking_curve_is_refused(tmp_path):
    raw = bytearray(real_file("xrd/bruker_raw/nomad_TwoTheta_scan_scrambled_RAW4.raw").read_bytes())
    raw[447 + 32 : 447 + 56] = b"Rocking Curve".ljust(
        24, b"\x00"
    )  # the range's scan type (range at byte 447)
    path = tmp_path / "rc.raw"
    path.write_bytes(bytes(raw))
    with pytest.raises(ReadError, match=r"rc\.raw, byte 479.*2θ scan.*Rocking Curve"):
        bruker_raw.read(path, "xrd")
