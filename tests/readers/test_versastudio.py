"""The VersaStudio .par reader: sectioned files with a Segment 'Definition=' in, eis and cv out."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import detect, versastudio
from tests.conftest import real_file

EIS_FILE = "electrochem/eis/versastudio_par/impedancepy_exampleDataVersaStudio.par"
OWN_FILES = ("electrochem/eis/versastudio_par/",)


def read(path, technique):
    """Read with the reader and check the layout, as the registry does."""
    ds = versastudio.read(path, technique)
    datasets.validate(ds, technique)
    return ds


def cv_par_text(e, i, dt) -> str:
    """A VersaStudio .par holding one cyclic-voltammetry action (one point every dt seconds)."""
    rows = [
        f"0,{k},{ev:.4f},{iv:.6E},{k * dt:.3f},0,5,53,{ev:.4f},21"
        for k, (ev, iv) in enumerate(zip(e, i))
    ]
    return "\r\n".join(
        [
            "<Application>",
            "Name=VersaStudio",
            "Version=2.60.6.0",
            "</Application>",
            "",
            "<Action0>",
            "Measured Open Circuit=3.1 V",
            "Working Electrode Area (cm2)=0.196",
            "Name=Common",
            "Comment=NMC-700 CV \u00b5A",
            "</Action0>",
            "",
            "<Action1>",
            "Scan Rate (V/s)=.01",
            "Vertex Potential (V),Value=4.2",
            "Name=Cyclic Voltammetry (Multiple Cycles)",
            "</Action1>",
            "",
            "<Instrument>",
            "Type=VersaSTAT3",
            "SN=123",
            "</Instrument>",
            "",
            "<Experiment>",
            "TimeAcquired=2:05:00 PM",
            "DateAcquired=Monday, March 2, 2026",
            "</Experiment>",
            "",
            "<Segment1>",
            "Type=1",
            "Version=3",
            "Definition=Segment #, Point #, E(V), I(A), Elapsed Time(s), ADC Sync Input(V),"
            " Current Range, Status, E Applied(V), ActionId, 0",
            *rows,
            "</Segment1>",
            "",
        ]
    )


def test_real_eis_file_points_frequencies_and_values():
    ds = read(real_file(EIS_FILE), "eis")
    assert ds.sizes["frequency"] == 61
    f = ds["frequency"].values
    assert f[0] == pytest.approx(100000.0)
    assert f[-1] == pytest.approx(0.02154435)
    assert np.all(np.diff(f) < 0)
    # Point 0: Z Real 55.31571, Z Imag 4.575431; point 60: 1516.313, -122.8279 (columns 15, 16).
    assert ds["z_real"].values[0] == pytest.approx(55.31571)
    assert ds["z_imag"].values[0] == pytest.approx(4.575431)
    assert ds["z_real"].values[-1] == pytest.approx(1516.313)
    assert ds["z_imag"].values[-1] == pytest.approx(-122.8279)
    assert ds["time"].values[-1] == pytest.approx(1575.401)


def test_real_eis_header_values_and_japanese_comment():
    ds = read(real_file(EIS_FILE), "eis")
    assert ds.attrs["software"] == "VersaStudio 2.52.3.0"
    assert ds.attrs["instrument"] == "VersaSTAT4 SN 16334007"
    assert ds.attrs["start_time"] == "2018-07-19T09:40:30"  # "Thursday, July 19, 2018" "9:40:30 AM"
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(1.0)
    assert ds.attrs["open_circuit_potential_V"] == pytest.approx(6.404e-3)  # "6.404 mV"
    assert ds.attrs["dc_potential_V"] == 0.0  # "Potential (V),Value=0" "vs Ref"
    assert ds.attrs["ac_amplitude_V"] == pytest.approx(0.02)  # "Amplitude (mV RMS)=20"
    assert (
        ds.attrs["comment"] == "\u30a8\u30af\u30b9\u30da\u30ea\u30e1\u30f3\u30c8"
        "\u306e\u30b3\u30e1\u30f3\u30c8\u3092\u5165\u529b"
    )


def test_cv_segment_with_scan_rate_cycles_and_area(tmp_path):
    step = 0.01  # V a point at 10 mV/s and one point a second
    up = 3.0 + step * np.arange(120)
    down = 4.2 - step * np.arange(120)
    e = np.concatenate([up, down, up, down, [3.0]])
    i = 1e-5 * np.sign(np.gradient(e))
    path = tmp_path / "cv.par"
    path.write_bytes(cv_par_text(e, i, 1.0).encode("utf-8"))
    assert detect(path, "cv") is versastudio
    ds = read(path, "cv")
    assert ds.sizes["point"] == 481
    assert ds.attrs["scan_rate_V_s"] == pytest.approx(0.01)
    assert ds.attrs["scan_rate_source"].startswith("'Scan Rate (V/s)'")
    assert np.bincount(ds["cycle"].values)[1:].tolist() == [241, 240]
    assert ds["current"].values[5] == pytest.approx(1e-5)
    assert ds.attrs["area_in_file_cm2"] == pytest.approx(0.196)
    assert ds.attrs["comment"] == "NMC-700 CV \u00b5A"
    assert ds.attrs["start_time"] == "2026-03-02T14:05:00"
    with pytest.raises(ReadError, match="a column 'Frequency\\(Hz\\)'"):
        versastudio.read(path, "eis")


def test_unclosed_section_and_bad_row_raise_read_error(tmp_path):
    e = np.linspace(3.0, 3.5, 20)
    text = cv_par_text(e, np.zeros(20), 1.0)
    path = tmp_path / "cut.par"
    path.write_text(text.split("</Segment1>")[0])
    with pytest.raises(
        ReadError, match=r"cut.par, line 29: expected '</Segment1>' closing the section"
    ):
        versastudio.read(path, "cv")
    path.write_text(text.replace("0,3,", "0,3,x", 1))
    with pytest.raises(ReadError, match=r"line 36: expected comma-separated numbers"):
        versastudio.read(path, "cv")
