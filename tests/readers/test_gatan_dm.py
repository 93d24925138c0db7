"""The Gatan DigitalMicrograph reader: real DM3 spectra checked by hand; lines, images synthetic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import gatan_dm, read
from tests.conftest import real_file

STO = "tem/dm_eels/pytemlib_EELS_STO_TiL23_OK.dm3"
EELS = "tem/dm_eels/rsciio_test-EELS_spectrum.dm3"
EDS = "tem/dm_edx/rsciio_test-EDS_spectrum.dm3"


# --- real files (first values also found as float32 runs in the raw bytes) -----------------


def test_real_sto_core_loss_spectrum():
    ds = read(real_file(STO), "eels_line")
    datasets.validate(ds, "eels_line")
    assert ds.sizes == {"distance": 1, "energy_loss": 2048}
    assert ds["energy_loss"].values[0] == 350.0 and ds["energy_loss"].values[-1] == 861.75
    assert ds["intensity"].values[0, :3].tolist() == [
        185028.0,
        183662.0,
        183547.0,
    ]  # byte 305324 on
    assert ds["intensity"].values[0, -1] == 23100.0
    assert ds.attrs["dispersion_eV"] == 0.25
    assert ds.attrs["beam_energy_keV"] == 200.0  # Microscope Info.Voltage 200000
    assert ds.attrs["convergence_angle_mrad"] == 30.0
    assert ds.attrs["collection_angle_mrad"] == 33.0
    assert ds.attrs["start_time"] == "2019-12-14T13:30:41"  # '12/14/2019', '1:30:41 PM'
    assert ds.attrs["spectrometer"] == "Enfinium ER NION"
    assert ds.attrs["reader_notes"] == ""


def test_real_eels_spectrum_with_unset_collection_angle():
    ds = read(real_file(EELS), "eels_line")
    assert ds.sizes["energy_loss"] == 2048
    assert ds["energy_loss"].values[0] == -100.0 and ds["energy_loss"].values[-1] == 923.5
    assert ds["intensity"].values[0, :2] == pytest.approx(
        [-20.679565, -54.752808]
    )  # float32, byte 305431 on
    assert ds.attrs["dispersion_eV"] == 0.5
    assert ds.attrs["convergence_angle_mrad"] == 21.0
    assert math.isnan(ds.attrs["collection_angle_mrad"])  # tag 0.0 = never entered
    assert "collection semi-angle tag is 0.0" in ds.attrs["reader_notes"]
    assert ds.attrs["instrument"] == "FEI Titan"
    assert ds.attrs["intensity_units_in_file"] == "e-"


def test_real_eds_spectrum_reads_as_one_position():
    """4096 ch from -0.478 keV at 5 eV/ch; nearly all counts sit in the zero-energy noise peak."""
    path = real_file(EDS)
    result = gatan_dm.pick_spectrum(path, gatan_dm.load(path))
    energy, distance, counts, _ = gatan_dm.spectra_along_line(path, result)
    assert counts.shape == (1, 4096) and distance.tolist() == [0.0]
    assert energy[0] == pytest.approx(-478.0, abs=1e-3) and energy[-1] == pytest.approx(
        -478.0 + 5 * 4095, abs=1e-2
    )
    assert counts[0, 94:97].tolist() == [1631.0, 3108.0, 3525.0]  # uint32 run at byte 322713
    assert int(np.argmax(counts[0])) == 96 and energy[96] == pytest.approx(
        2.0, abs=1e-3
    )  # the zero peak at 0 eV
    assert counts.sum() == 17051.0
    with pytest.raises(ReadError, match="an EDX line needs two or more positions"):
        read(path, "edx_line")
    tags = gatan_dm.image_tags(result)
    twice = gatan_dm.edx_dataset(
        path, result, tags, energy, np.array([0.0, 1.0]), np.vstack([counts, counts]), {}, []
    )
    twice.attrs.update(reader="gatan_dm", reader_version="2")
    datasets.validate(twice, "edx_line")
    assert twice.attrs["energy_offset_eV"] == pytest.approx(-478.0, abs=1e-3)
    assert twice.attrs["beam_energy_keV"] == 200.0
    assert twice.attrs["elevation_angle_deg"] == 18.0
    assert twice.attrs["live_time_s"] == 3.806
    assert twice.attrs["detector"] == "SIUTW"
    assert twice.attrs["detector_zero_fwhm_eV"] == pytest.approx(80.0)  # 'Zero fwhm' 0.08 keV
    assert twice.attrs["detector_fano"] == pytest.approx(0.1)
    assert twice.attrs["start_time"] == "2016-08-08T21:46:19"


@pytest.mark.parametrize(
    "name,technique,other", [(EELS, "edx_line", "eels_line"), (EDS, "eels_line", "edx_line")]
)
def test_the_signal_type_decides_the_technique(name, technique, other):
    with pytest.raises(ReadError) as info:
        read(real_file(name), technique)
    assert f"read it as {other}" in info.value.message


def test_truncated_file_is_a_read_error(tmp_path):
    broken = tmp_path / "cut.dm3"
    broken.write_bytes(real_file(STO).read_bytes()[:2000])
    assert gatan_dm.sniff(broken, broken.read_bytes())
    with pytest.raises(ReadError, match="rosettasciio can parse"):
        read(broken, "eels_line")


def test_dm4_header_is_recognised_and_garbage_is_not(tmp_path):
    dm4 = (
        (4).to_bytes(4, "big")
        + (123456).to_bytes(8, "big")
        + (1).to_bytes(4, "big")
        + b"\x01\x00"
        + b"\x00" * 10
    )
    assert gatan_dm.sniff(tmp_path / "a.dm4", dm4)
    assert not gatan_dm.sniff(
        tmp_path / "b.dm3",
        (3).to_bytes(4, "big") + b"\x00" * 4 + (7).to_bytes(4, "big") + b"\x00" * 8,
    )


# --- synthetic rosettasciio results: lines and spectrum images ------------------------------


def axis(name, size, index, scale, offset, units, navigate=True):
    """An axis dictionary as rosettasciio returns it."""
    return {
        "name": name,
        "size": size,
        "index_in_array": index,
        "scale": scale,
        "offset": offset,
        "units": units,
        "navigate": navigate,
    }


def result(data, axes, signal, tags=None):
    """A rosettasciio result dictionary with the image's tags at ImageList.TagGroup0.ImageTags."""
    tags = tags or {
        "Microscope Info": {"Voltage": 300000.0},
        "EELS": {
            "Experimental Conditions": {
                "Convergence semi-angle (mrad)": 24.6,
                "Collection semi-angle (mrad)": 13.6,
            }
        },
    }
    return {
        "data": data,
        "axes": axes,
        "metadata": {"General": {"title": "synthetic"}, "Signal": {"signal_type": signal}},
        "original_metadata": {"ImageList": {"TagGroup0": {"ImageTags": tags}}},
    }


def test_eels_spectrum_line_in_micrometres(tmp_path):
    data = np.arange(5 * 100, dtype=float).reshape(5, 100)
    r = result(
        data,
        [axis("x", 5, 0, 0.002, 0.01, "µm"), axis("Energy loss", 100, 1, 0.5, 600.0, "eV", False)],
        "EELS",
    )
    ds = gatan_dm.dataset_from_result(tmp_path / "line.dm4", r, "eels_line")
    ds.attrs.update(reader="gatan_dm", reader_version="1")
    datasets.validate(ds, "eels_line")
    assert ds["distance"].values.tolist() == pytest.approx([0.0, 2.0, 4.0, 6.0, 8.0])
    assert ds.attrs["navigation_offset_nm"] == pytest.approx(10.0)
    assert ds["energy_loss"].values[[0, -1]].tolist() == [600.0, 649.5]
    assert ds["intensity"].values[2, 3] == 203.0
    assert ds.attrs["beam_energy_keV"] == 300.0
    assert ds.attrs["convergence_angle_mrad"] == 24.6 and ds.attrs["collection_angle_mrad"] == 13.6


def test_spectrum_image_stored_energy_first_is_summed_along_y(tmp_path):
    """DM stores a spectrum image (E, y, x); rsciio marks E as navigation: found by its unit."""
    rng = np.random.default_rng(0)
    data = rng.poisson(50, size=(100, 3, 4)).astype(float)
    axes = [
        axis("Energy loss", 100, 0, 0.25, 630.0, "eV"),
        axis("y", 3, 1, 2.0, 0.0, "nm", False),
        axis("x", 4, 2, 1.5, 0.0, "nm", False),
    ]
    ds = gatan_dm.dataset_from_result(tmp_path / "si.dm3", result(data, axes, "EELS"), "eels_line")
    assert ds.sizes == {"distance": 4, "energy_loss": 100}
    assert ds["distance"].values.tolist() == [0.0, 1.5, 3.0, 4.5]
    np.testing.assert_array_equal(ds["intensity"].values, data.sum(axis=1).T)
    assert ds.attrs["reduced_from"] == "spectrum image summed along y"
    assert ds.attrs["summed_rows"] == 3


def test_uncalibrated_line_and_plain_image_are_refused(tmp_path):
    data = np.ones((4, 50))
    r = result(
        data,
        [
            axis("x", 4, 0, 1.0, 0.0, "<undefined>"),
            axis("Energy loss", 50, 1, 1.0, 0.0, "eV", False),
        ],
        "EELS",
    )
    with pytest.raises(ReadError, match="spatial calibration"):
        gatan_dm.dataset_from_result(tmp_path / "a.dm3", r, "eels_line")
    image = result(
        np.ones((8, 8)),
        [axis("y", 8, 0, 1.0, 0.0, "nm", False), axis("x", 8, 1, 1.0, 0.0, "nm", False)],
        "",
    )
    with pytest.raises(ReadError, match="an axis in eV or keV"):
        gatan_dm.pick_spectrum(tmp_path / "a.dm3", [image])


def test_eds_spectrum_line_is_kept_as_measured(tmp_path):
    """An EDS line (keV axis, 'X-ray' signal): counts as measured, energy in eV."""
    rng = np.random.default_rng(11)
    data = rng.poisson(40.0, size=(3, 2048)).astype(float)
    tags = {
        "Microscope Info": {"Voltage": 200000.0},
        "EDS": {"Live time": 10.0, "Detector Info": {"Elevation angle": 22.0}},
    }
    axes = [axis("x", 3, 0, 5.0, 0.0, "nm"), axis("Energy", 2048, 1, 0.01, 0.0, "keV", False)]
    ds = gatan_dm.dataset_from_result(
        tmp_path / "eds.dm4", result(data, axes, "EDS_TEM", tags), "edx_line"
    )
    ds.attrs.update(reader="gatan_dm", reader_version="2")
    datasets.validate(ds, "edx_line")
    assert ds["distance"].values.tolist() == [0.0, 5.0, 10.0]
    assert ds["energy"].values[[0, 1, -1]].tolist() == pytest.approx([0.0, 10.0, 20470.0])
    np.testing.assert_array_equal(ds["counts"].values, data)
    assert ds.attrs["beam_energy_keV"] == 200.0 and ds.attrs["elements_named"] == ""
    assert np.isnan(ds.attrs["detector_zero_fwhm_eV"])  # no 'Zero fwhm' tag


def test_the_reader_takes_the_sum_axis_only():
    """Quantification (and its k-factors) is the EDX analysis's, not the reader's."""
    assert gatan_dm.OPTIONS == ("sum_axis",)


def test_spectrum_image_is_summed_along_the_configured_axis(tmp_path):
    rng = np.random.default_rng(1)
    data = rng.poisson(50, size=(100, 3, 4)).astype(float)
    axes = [
        axis("Energy loss", 100, 0, 0.25, 630.0, "eV"),
        axis("y", 3, 1, 2.0, 0.0, "nm", False),
        axis("x", 4, 2, 1.5, 0.0, "nm", False),
    ]
    ds = gatan_dm.dataset_from_result(
        tmp_path / "si.dm3", result(data, axes, "EELS"), "eels_line", sum_axis="x"
    )
    assert ds["distance"].values.tolist() == [0.0, 2.0, 4.0]
    np.testing.assert_array_equal(ds["intensity"].values, data.sum(axis=2).T)
    assert (
        ds.attrs["reduced_from"] == "spectrum image summed along x" and ds.attrs["summed_rows"] == 4
    )
    with pytest.raises(ReadError, match="summing direction"):
        gatan_dm.dataset_from_result(
            tmp_path / "si.dm3", result(data, axes, "EELS"), "eels_line", sum_axis="z"
        )
