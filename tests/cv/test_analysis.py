"""CV redox-peak analysis: synthetic voltammograms with known peaks and noise, and real files."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from interphase import ncio, readers
from interphase.cv import analysis, branches
from interphase.datasets import variable
from interphase.readers import gamry
from tests.conftest import real_file

PARAMS = {
    "cycle": 2,
    "smoothing_window_V": 0.02,
    "min_peak_snr": 8.0,
    "min_peak_charge_C_cm2": 1.0e-6,
}
SIGMA_J = 1.0e-6  # A cm-2 white noise of the synthetic data
SCAN = 1.0e-3  # V/s
STEP = 2.0e-3  # V
WIDTH = 0.04  # V, Gaussian sigma of the synthetic peaks


def synthetic_cv(
    height: float,
    e_pa=3.78,
    e_pc=3.68,
    seed=0,
    cycles=3,
    area=1.0,
    sigma=SIGMA_J,
    last_partial=False,
) -> xr.Dataset:
    """Triangular 3.0-4.3 V sweeps: capacitive box + leak + Gaussian peaks (A cm-2) + noise."""
    n = int(round(1.3 / STEP))
    one = np.concatenate([np.linspace(3.0, 4.3, n + 1)[:-1], np.linspace(4.3, 3.0, n + 1)[:-1]])
    e = np.tile(one, cycles)
    cycle = np.repeat(np.arange(1, cycles + 1), one.size)
    if last_partial:  # a fourth cycle stopped after a third of the way up
        e = np.concatenate([e, one[: n // 3]])
        cycle = np.concatenate([cycle, np.full(n // 3, cycles + 1)])
    direction = np.sign(np.gradient(e))
    j = 1.0e-6 * direction + (e - 3.0) * 1.0e-6
    centre = np.where(direction > 0, e_pa, e_pc)
    j += direction * height * np.exp(-0.5 * ((e - centre) / WIDTH) ** 2)
    j += np.random.default_rng(seed).normal(0.0, sigma, e.size)
    t = np.arange(e.size) * STEP / SCAN
    ds = xr.Dataset(
        {
            "time": variable("point", t, "s", "time"),
            "potential": variable("point", e, "V", "potential"),
            "current": variable("point", j * area, "A", "current"),
            "cycle": variable("point", cycle, "1", "cycle"),
        },
        attrs={
            "sample": "synthetic",
            "sintering_temperature_C": 700.0,
            "electrode_area_cm2": area,
            "scan_rate_V_s": SCAN,
            "technique": "cv",
            "measurement": "synthetic_cv",
        },
    )
    return ds


def gaussian_charge(height: float) -> float:
    """Charge (C cm-2) of a Gaussian peak of that height swept at SCAN."""
    return height * WIDTH * math.sqrt(2 * math.pi) / SCAN


def test_clear_couple_gives_positions_charges_and_noise():
    height = 20e-6
    fit = analysis.analyse(synthetic_cv(height, area=0.196), PARAMS)
    assert fit.attrs["status"] == "ok"
    assert int(fit["redox_peaks_detected"]) == 1
    assert fit.sizes["couple"] == 1
    assert float(fit["E_pa"][0]) == pytest.approx(3.78, abs=0.005)
    assert float(fit["E_pc"][0]) == pytest.approx(3.68, abs=0.005)
    assert float(fit["E_half"][0]) == pytest.approx(3.73, abs=0.004)
    assert float(fit["delta_Ep"][0]) == pytest.approx(0.10, abs=0.007)
    assert 0 < float(fit["E_pa_stderr"][0]) < 0.005
    assert float(fit["j_pa"][0]) == pytest.approx(height, rel=0.1)
    assert float(fit["j_pc"][0]) == pytest.approx(-height, rel=0.1)
    assert float(fit["Q_pa"][0]) == pytest.approx(gaussian_charge(height), rel=0.1)
    assert float(fit["Q_pc"][0]) == pytest.approx(gaussian_charge(height), rel=0.1)
    assert float(fit["noise"]) == pytest.approx(SIGMA_J, rel=0.15)


@pytest.mark.parametrize("seed", range(4))
def test_peak_at_twice_the_threshold_is_found(seed):
    height = 2 * PARAMS["min_peak_snr"] * SIGMA_J
    fit = analysis.analyse(synthetic_cv(height, seed=seed), PARAMS)
    assert int(fit["redox_peaks_detected"]) == 1
    assert float(fit["E_pa"][0]) == pytest.approx(3.78, abs=0.015)
    assert float(fit["E_pc"][0]) == pytest.approx(3.68, abs=0.015)


@pytest.mark.parametrize("seed", range(4))
def test_peak_at_half_the_threshold_is_not_found(seed):
    height = 0.5 * PARAMS["min_peak_snr"] * SIGMA_J
    fit = analysis.analyse(synthetic_cv(height, seed=seed), PARAMS)
    assert int(fit["redox_peaks_detected"]) == 0
    assert fit.sizes["couple"] == 0
    assert "peak above 8× noise" in fit.attrs["status_note"]


@pytest.mark.parametrize("seed", range(3))
def test_near_threshold_peaks_fall_on_the_right_side(seed):
    # 1.4× and 0.7× the prominence threshold (min_peak_snr × noise): found and not found
    above = analysis.analyse(
        synthetic_cv(1.4 * PARAMS["min_peak_snr"] * SIGMA_J, seed=seed), PARAMS
    )
    below = analysis.analyse(
        synthetic_cv(0.7 * PARAMS["min_peak_snr"] * SIGMA_J, seed=seed), PARAMS
    )
    assert int(above["redox_peaks_detected"]) == 1
    assert float(above["E_half"][0]) == pytest.approx(3.73, abs=0.02)
    assert int(below["redox_peaks_detected"]) == 0 and below.sizes["couple"] == 0


def test_background_only_reports_zero_with_the_prominence_reason():
    fit = analysis.analyse(synthetic_cv(0.0), PARAMS)
    assert int(fit["redox_peaks_detected"]) == 0
    note = fit.attrs["status_note"]
    assert note.startswith("no anodic or cathodic peak above 8× noise (") and note.endswith(
        " A cm-2)"
    )
    assert float(note.split("(")[1].split()[0]) == pytest.approx(SIGMA_J, rel=0.15)
    rows = analysis.rows(fit)
    assert [r["quantity"] for r in rows] == ["redox_peaks_detected", "peak_charge_detection_limit"]
    assert rows[0]["value"] == 0.0 and rows[0]["status"] == "ok"
    # Q_lim = (e / 2.4464) x 8 sigma x 0.125 V / v: 1.11 mC cm-2 for sigma = 1 uA cm-2, 1 mV s-1
    expected = math.e / 2.4464 * 8 * SIGMA_J * 0.125 / SCAN * 1e3
    assert rows[1]["value"] == pytest.approx(expected, rel=0.15) and rows[1]["unit"] == "mC cm-2"
    assert "FWHM 0.125 V at 1 mV s-1" in rows[1]["note"]


def test_charge_criterion_decides_when_prominent_peaks_hold_too_little_charge():
    height = 20e-6
    params = {**PARAMS, "min_peak_charge_C_cm2": 2 * gaussian_charge(height)}
    fit = analysis.analyse(synthetic_cv(height), params)
    assert fit.sizes["couple"] == 1
    assert int(fit["couple_passes"][0]) == 0
    assert int(fit["redox_peaks_detected"]) == 0
    assert "min_peak_charge_C_cm2" in fit.attrs["status_note"]


def test_two_couples_are_paired_by_potential():
    ds = synthetic_cv(20e-6)
    extra = synthetic_cv(15e-6, e_pa=4.10, e_pc=4.02, seed=1, sigma=0.0)
    ds["current"] = ds["current"] + extra["current"] - synthetic_cv(0.0, sigma=0.0)["current"]
    fit = analysis.analyse(ds, PARAMS)
    assert fit.sizes["couple"] == 2
    assert np.allclose(fit["E_pa"].values, [3.78, 4.10], atol=0.006)
    assert np.allclose(fit["E_pc"].values, [3.68, 4.02], atol=0.006)
    rows = analysis.rows(fit)
    e_half = [r for r in rows if r["quantity"] == "E_half"]
    assert [r["note"] for r in e_half] == ["couple 1 of 2", "couple 2 of 2"]


def test_missing_or_partial_cycle_falls_back_to_the_last_complete_one():
    fit = analysis.analyse(synthetic_cv(20e-6, last_partial=True), {**PARAMS, "cycle": 4})
    assert fit.attrs["cycle_analysed"] == 3
    assert "cycle 4 requested" in fit.attrs["status_note"]
    assert branches.complete_cycles(*_arrays(synthetic_cv(0.0, last_partial=True))) == [1, 2, 3]


def _arrays(ds):
    """Potential and cycle arrays of a CV dataset."""
    return ds["potential"].values, ds["cycle"].values


def test_no_area_gives_a_failed_fit_and_a_failed_row():
    ds = synthetic_cv(20e-6)
    ds.attrs.pop("electrode_area_cm2")
    fit = analysis.analyse(ds, PARAMS)
    assert fit.attrs["status"] == "failed"
    [r] = analysis.rows(fit)
    assert r["status"] == "failed" and "electrode area" in r["note"]


def test_rows_carry_the_contract_quantities_with_units():
    fit = analysis.analyse(synthetic_cv(20e-6), PARAMS)
    rows = {r["quantity"]: r for r in analysis.rows(fit)}
    assert (
        rows["redox_peaks_detected"]["value"] == 1.0 and rows["redox_peaks_detected"]["unit"] == "1"
    )
    for q in ("E_pa", "E_pc", "E_half", "delta_Ep"):
        assert (
            rows[q]["unit"] == "V" and rows[q]["element"] == "" and np.isfinite(rows[q]["stderr"])
        )
    assert rows["j_pa"]["unit"] == "A cm-2" and rows["Q_pa"]["unit"] == "C cm-2"
    assert rows["E_half"]["value"] == pytest.approx(3.73, abs=0.004)


def test_fit_dataset_is_cf_complete_and_survives_netcdf_with_zero_couples(tmp_path):
    for height in (20e-6, 0.0):
        fit = analysis.analyse(synthetic_cv(height), PARAMS)
        for name, var in fit.variables.items():
            assert "units" in var.attrs and "long_name" in var.attrs, name
        path = tmp_path / f"fit_{height:g}.nc"
        ncio.write_netcdf(fit, path)
        back = ncio.read_netcdf(path)
        assert back.sizes["couple"] == fit.sizes["couple"]
        assert analysis.rows(back) == analysis.rows(fit)


def test_invalid_params_raise():
    with pytest.raises(ValueError):
        analysis.analyse(synthetic_cv(0.0), {**PARAMS, "smoothing_window_V": 0.0})


def test_real_gamry_cv_analyses_without_error():
    ds = gamry.read(real_file("electrochem/cv/gamry_dta/chemotion_01_CV.DTA"), "cv")
    fit = analysis.analyse(ds, PARAMS)  # no electrode_area_cm2 attr: the file's AREA is used
    assert fit.attrs["status"] == "ok"
    assert fit.attrs["cycle_analysed"] == 2
    assert fit.attrs["electrode_area_used_cm2"] == pytest.approx(0.19635)
    # Seen by eye: -0.8 to -2.0 V, a reduction wave rising towards -2.0 V and no peak on the
    # return sweep: no redox couple.
    assert int(fit["redox_peaks_detected"]) == 0 and fit.sizes["couple"] == 0
    # cycle 11 is the 1-point closing CURVE11: the last complete cycle, 10, is used instead.
    fit11 = analysis.analyse(ds, {**PARAMS, "cycle": 11})
    assert fit11.attrs["cycle_analysed"] == 10
    assert analysis.rows(fit11)[0]["quantity"] == "redox_peaks_detected"


@pytest.mark.parametrize(
    "relative",
    ["electrochem/cv/biologic_mpt/yadg_cv.mpt", "electrochem/cv/biologic_mpr/yadg_cv.mpr"],
)
def test_real_biologic_cv_analyses_without_error(relative):
    ds = readers.read(real_file(relative), "cv")
    fit = analysis.analyse(ds, PARAMS)
    # cycle 2 of this file stops at 3.16 V of a 1.5-5.5 V window: cycle 1 is analysed.
    assert fit.attrs["cycle_analysed"] == 1
    assert "cycle 2 requested" in fit.attrs["status_note"]
    # Seen by eye (plot of cycle 1): a Na cell swept to 5.5 V whose return sweep carries a spiky
    # oxidation current of 10-60 mA (electrolyte decomposition) and the forward sweep almost
    # none: no redox couple. Spikes must not become peaks (noise is the spiky branch's, ~0.5 A cm-2
    # with the file's 0.001 cm2), and the vertex at 5.5 V is no peak.
    assert int(fit["redox_peaks_detected"]) == 0
    assert fit.sizes["couple"] == 0
    assert float(fit["noise_cathodic"]) > 100 * float(fit["noise_anodic"])
    assert float(fit["noise"]) == float(fit["noise_cathodic"])
    assert fit.attrs["electrode_area_used_cm2"] == pytest.approx(0.001)


def test_real_nova_cv_without_area_gives_a_failed_row_that_says_why():
    ds = readers.read(
        real_file("electrochem/cv/autolab_nova_txt/chemotion_Cu-TMG2cHexqu2-PF6_comma.txt"), "cv"
    )
    fit = analysis.analyse(
        ds, PARAMS
    )  # the NOVA export holds no area and the test gives no sample sheet
    assert fit.attrs["status"] == "failed" and "electrode area" in fit.attrs["status_note"]
    ds.attrs["electrode_area_cm2"] = 0.0707  # a 3 mm disc
    fit = analysis.analyse(ds, PARAMS)
    # only scan 3 is in the file (0.2-0.7 V): it is the last complete one and is analysed
    assert fit.attrs["status"] == "ok" and fit.attrs["cycle_analysed"] == 3
    assert "cycle 2 requested" in fit.attrs["status_note"]
    # Seen by eye: one reversible Cu(II)/Cu(I) couple, anodic maximum at ~0.49 V, cathodic
    # at ~0.385 V
    assert int(fit["redox_peaks_detected"]) == 1 and fit.sizes["couple"] == 1
    assert float(fit["E_pa"][0]) == pytest.approx(0.489, abs=0.01)
    assert float(fit["E_pc"][0]) == pytest.approx(0.384, abs=0.01)
    assert float(fit["delta_Ep"][0]) == pytest.approx(0.105, abs=0.015)
