"""The CH Instruments reader: 'Convert to txt' exports (A.C. Impedance, Cyclic Voltammetry)."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import chi, detect, head_of
from tests.conftest import real_file

EIS_FILE = "electrochem/eis/chi_txt/impedancepy_exampleDataCHInstruments.txt"
OWN_FILES = ("electrochem/eis/chi_txt/",)


def read(path, technique):
    """Read with the reader and check the layout, as the registry does."""
    ds = chi.read(path, technique)
    datasets.validate(ds, technique)
    return ds


def triangle_cv(e_low=3.0, e_high=4.2, step=0.002, cycles=2):
    """Potential of a CV from e_low upwards, and a current (A, anodic positive) with a redox couple.

    Charging current 2 µA follows the sweep direction; an oxidation peak at 3.75 V on the
    positive-going sweep and a reduction peak at 3.65 V on the negative-going one.
    """
    n = round((e_high - e_low) / step)
    up = e_low + step * np.arange(n)
    down = e_high - step * np.arange(n)
    e = np.concatenate([np.concatenate([up, down]) for _ in range(cycles)] + [[e_low]])
    direction = np.sign(np.gradient(e))
    peak_ox = 20e-6 * np.exp(-(((e - 3.75) / 0.03) ** 2)) * (direction > 0)
    peak_red = -20e-6 * np.exp(-(((e - 3.65) / 0.03) ** 2)) * (direction < 0)
    return e, 2e-6 * direction + peak_ox + peak_red


def chi_cv_text(e, i_chi, segments=None):
    """A CHI760E 'Convert to txt' CV export, current as CHI writes it (cathodic positive)."""
    head = [
        "Nov. 3, 2025   10:20:30",
        "Cyclic Voltammetry",
        "File:  C:\\data\\nmc700_cv.bin",
        "Data Source:  Experiment",
        "Instrument Model:  CHI760E",
        "Header: NMC-700",
        "Note: ",
        "",
        "Init E (V) = 3",
        "High E (V) = 4.2",
        "Low E (V) = 3",
        "Init P/N = P",
        "Scan Rate (V/s) = 0.0002",
        "Segment = 4",
        "Sample Interval (V) = 0.002",
        "Quiet Time (sec) = 2",
        "Sensitivity (A/V) = 1e-4",
        "",
        "Results:",
        "Segment 1:",
        "Ep = 3.750V",
        "ip = 2.200e-5A",
        "Ah = 1.1e-3C",
        "",
        "Potential/V, Current/A",
        "",
    ]
    rows = [f"{ev:.3f}, {iv:.3e}" for ev, iv in zip(e, i_chi)]
    if (
        segments is not None
    ):  # the "separate segments" variant: a 'Segment N:' line heads each block
        out, last = [], None
        for seg, row in zip(segments, rows):
            if seg != last:
                out += ([""] if last is not None else []) + [f"Segment {seg}:"]
                last = seg
            out.append(row)
        rows = out
    return "\r\n".join(head + rows) + "\r\n"


def test_real_eis_file_points_frequencies_and_values():
    ds = read(real_file(EIS_FILE), "eis")
    assert ds.sizes["frequency"] == 73
    f = ds["frequency"].values
    assert f[0] == pytest.approx(9.961e4)
    assert f[-1] == pytest.approx(0.1)
    assert np.all(np.diff(f) < 0)
    # First row "9.961e+4, 9.891e+1, -2.748e+0, ..." and last "1.000e-1, 5.685e+3, -1.586e+4, ...".
    assert ds["z_real"].values[0] == pytest.approx(98.91)
    assert ds["z_imag"].values[0] == pytest.approx(-2.748)
    assert ds["z_real"].values[-1] == pytest.approx(5685.0)
    assert ds["z_imag"].values[-1] == pytest.approx(-15860.0)  # CHI writes Z" with its true sign
    assert ds.attrs["z_imag_sign"] == datasets.Z_IMAG_SIGN


def test_real_eis_header_values_become_attributes():
    ds = read(real_file(EIS_FILE), "eis")
    assert ds.attrs["instrument"] == "CHI660E"
    assert ds.attrs["start_time"] == "2020-02-20T15:55:08"  # "Feb. 20, 2020   15:55:08"
    assert ds.attrs["dc_potential_V"] == 0.0  # "Init E (V) = 0"
    assert ds.attrs["ac_amplitude_V"] == pytest.approx(0.025)
    assert ds.attrs["technique_in_file"] == "A.C. Impedance"
    assert ds.attrs["chi_High_Frequency_Hz"] == "2e+6"


def test_cv_current_is_negated_to_anodic_positive_with_cycles_time_and_scan_rate(tmp_path):
    e, i_true = triangle_cv()
    path = tmp_path / "cv.txt"
    path.write_bytes(chi_cv_text(e, -i_true).encode("ascii"))  # CHI default: cathodic positive
    assert chi.sniff(path, head_of(path))
    assert detect(path, "cv") is chi
    ds = read(path, "cv")
    assert ds.sizes["point"] == e.size
    assert ds["potential"].values[0] == pytest.approx(3.0)
    k_ox = int(np.argmax(ds["current"].values))
    assert ds["potential"].values[k_ox] == pytest.approx(3.75, abs=0.003)
    assert ds["current"].values[k_ox] == pytest.approx(
        22e-6, rel=1e-3
    )  # anodic peak is positive now
    assert ds.attrs["current_convention"].startswith("anodic positive")
    assert ds.attrs["current_convention_check"].startswith("consistent")
    # Two up-down cycles of 600 + 600 points and a closing point at 3.0 V; a vertex belongs
    # to the sweep that ends there, so the 3.0 V turning point closes cycle 1.
    assert np.bincount(ds["cycle"].values)[1:].tolist() == [1201, 1200]
    assert ds.attrs["scan_rate_V_s"] == pytest.approx(2e-4)
    assert ds["time"].values[600] == pytest.approx(
        1.2 / 2e-4, rel=1e-6
    )  # time from |dE| / scan rate
    assert ds.attrs["instrument"] == "CHI760E"
    assert ds.attrs["start_time"] == "2025-11-03T10:20:30"


def test_cv_with_segment_blocks_takes_cycles_from_the_segments(tmp_path):
    e, i_true = triangle_cv(cycles=1)
    segments = np.where(np.arange(e.size) < 600, 1, 2)
    path = tmp_path / "cv_segments.txt"
    path.write_bytes(chi_cv_text(e, -i_true, segments).encode("ascii"))
    ds = read(path, "cv")
    assert ds.sizes["point"] == e.size
    assert set(ds["cycle"].values.tolist()) == {1}
    assert ds.attrs["cycle_source"].startswith("'Segment N:'")


def test_cv_already_anodic_positive_is_flagged_by_the_convention_check(tmp_path):
    e, i_true = triangle_cv(cycles=1)
    path = tmp_path / "cv_anodic.txt"
    path.write_bytes(chi_cv_text(e, i_true).encode("ascii"))
    ds = read(path, "cv")
    assert ds.attrs["current_convention_check"].startswith("INCONSISTENT")


def test_wrong_technique_bad_row_and_no_header_raise_read_error(tmp_path):
    with pytest.raises(ReadError, match="Potential/V, Current/A"):
        chi.read(real_file(EIS_FILE), "cv")
    e, i_true = triangle_cv(cycles=1)
    text = chi_cv_text(e, -i_true).replace("3.010, ", "3.010; ", 1)
    bad = tmp_path / "bad.txt"
    bad.write_text(text)
    with pytest.raises(ReadError, match=r"line 32: expected 2 numbers separated by ', '"):
        chi.read(bad, "cv")
    empty = tmp_path / "empty.txt"
    empty.write_text("Nov. 3, 2025   10:20:30\nCyclic Voltammetry\n")
    with pytest.raises(ReadError, match="CHI column header"):
        chi.read(empty, "cv")
