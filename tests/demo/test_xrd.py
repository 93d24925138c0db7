"""Demo XRD scans: deterministic vendor files whose analysis recovers the known impurity peaks."""

from __future__ import annotations

import numpy as np
import pytest

from interphase import readers
from interphase.demo import xrd as demo
from interphase.xrd import analysis, references

SAMPLES = [
    {"sample": "NMC-700", "label": "NMC-700", "sintering_temperature_C": 700.0, "electrode_area_cm2": 0.196},
    {"sample": "NMC-900", "label": "NMC-900", "sintering_temperature_C": 900.0, "electrode_area_cm2": 0.196},
]
PARAMS = {"expected_phases": ["NMC111", "LATP"], "tolerance_deg": 0.15, "min_peak_snr": 6.0,
          "min_relative_intensity": 1.0, "two_theta_min": None, "two_theta_max": None}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    rows = demo.generate(raw, [dict(s) for s in SAMPLES], 1919)
    return raw, rows


@pytest.fixture(scope="module")
def fits(generated):
    raw, rows = generated
    out = {}
    for row in rows:
        ds = readers.read(raw / row["file"], "xrd")
        ds.attrs.update(sample=row["sample"], measurement=row["measurement"])
        out[row["sample"]] = analysis.analyse(ds, PARAMS)
    return out


def test_rows_and_files(generated):
    raw, rows = generated
    assert [r["measurement"] for r in rows] == ["NMC-700_xrd", "NMC-900_xrd"]
    assert [r["file"] for r in rows] == ["xrd/NMC-700_xrd.xrdml", "xrd/NMC-900_xrd.ras"]
    assert all(r["technique"] == "xrd" and r["format"] == "" for r in rows)
    for r in rows:
        assert (raw / r["file"]).stat().st_size < 150_000


def test_files_are_detected_as_their_vendor_formats(generated):
    raw, _ = generated
    assert readers.detect(raw / "xrd/NMC-700_xrd.xrdml", "xrd").NAME == "panalytical_xrdml"
    assert readers.detect(raw / "xrd/NMC-900_xrd.ras", "xrd").NAME == "rigaku_ras"
    ras = (raw / "xrd/NMC-900_xrd.ras").read_bytes()
    assert "封入管".encode("shift_jis") in ras  # Shift-JIS, as SmartLab writes it
    ds = readers.read(raw / "xrd/NMC-900_xrd.ras", "xrd")
    assert ds.sizes["two_theta"] == 3501 and ds.attrs["counting_time_s"] == pytest.approx(0.6)
    assert ds["intensity"].max() > demo.ATTENUATOR_ABOVE  # attenuated points multiplied back


def test_same_seed_same_bytes(generated, tmp_path):
    raw, rows = generated
    demo.generate(tmp_path, [dict(s) for s in SAMPLES], 1919)
    for r in rows:
        assert (tmp_path / r["file"]).read_bytes() == (raw / r["file"]).read_bytes()


def test_truth_positions_come_from_the_reference_library():
    pat = references.pattern("Co3O4", demo.KA1, (10, 80))
    assert pat.two_theta[pat.hkl.index("220")] in demo.TRUTH["NMC-900"]["impurity_peaks_2theta"]
    assert demo.TRUTH["NMC-700"]["impurity_peaks_2theta"] == []
    assert demo.TRUTH["NMC-900"]["n_impurity_peaks"] == 4


def test_nmc700_has_no_impurity_peak(fits):
    fit = fits["NMC-700"]
    assert fit.attrs["status"] == "ok"
    assert int(fit["n_impurity_peaks"]) == 0
    assert set(fit["peak_phase"].values.astype(str)) == {"NMC111", "LATP"}


def test_nmc900_gives_exactly_the_true_impurity_peaks(fits):
    fit = fits["NMC-900"]
    truth = demo.TRUTH["NMC-900"]
    found = np.sort(fit["peak_two_theta"].values[fit["peak_phase"].values.astype(str) == "impurity"])
    assert found.size == truth["n_impurity_peaks"]  # none missed, none invented
    np.testing.assert_allclose(found, truth["impurity_peaks_2theta"], atol=truth["position_tolerance_deg"])
    is_imp = fit["peak_phase"].values.astype(str) == "impurity"
    order = np.argsort(fit["peak_two_theta"].values[is_imp])
    assert fit["peak_candidate"].values[is_imp][order].astype(str).tolist() == truth["impurity_phases"]


def test_main_phase_reflections_found_at_their_positions(fits):
    fit = fits["NMC-700"]
    pos = fit["peak_two_theta"].values
    for phase, hkl in (("NMC111", "003"), ("NMC111", "104"), ("LATP", "2 -1 3")):
        pat = references.pattern(phase, demo.KA1, (10, 80))
        assert np.min(np.abs(pos - pat.two_theta[pat.hkl.index(hkl)])) < 0.01
    assert abs(float(fit["zero_shift"])) < 0.01


def test_summary_rows(fits):
    rows = analysis.rows(fits["NMC-900"])
    values = sorted(r["value"] for r in rows if r["quantity"] == "impurity_peak_2theta")
    np.testing.assert_allclose(values, demo.TRUTH["NMC-900"]["impurity_peaks_2theta"], atol=0.05)
    assert [r["value"] for r in rows if r["quantity"] == "n_impurity_peaks"] == [4]
