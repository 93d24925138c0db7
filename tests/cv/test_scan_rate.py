"""Scan-rate series: log|j_p| vs log v slopes from synthetic CVs with a known power law."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from interphase.cv import analysis, scan_rate
from interphase.datasets import variable

PARAMS = {
    "cycle": 2,
    "smoothing_window_V": 0.02,
    "min_peak_snr": 8.0,
    "min_peak_charge_C_cm2": 1.0e-6,
}
RATES_V_S = (0.1e-3, 0.2e-3, 0.5e-3, 1.0e-3, 2.0e-3)
REFERENCE_RATE = 1.0e-3  # V/s at which the peak height is HEIGHT_AT_REFERENCE
HEIGHT_AT_REFERENCE = 20e-6  # A cm-2
CAPACITANCE = 1.0e-3  # F cm-2: capacitive current C·v, scales with v like a thin film
SIGMA_J = 0.05e-6  # A cm-2 white noise, the same at every rate (instrument noise)
STEP_V = 2.0e-3
WIDTH_V = 0.04  # Gaussian sigma of the peaks


def power_law_cv(rate: float, exponent: float, seed: int, sample: str = "S") -> xr.Dataset:
    """Three triangular 3.0-4.3 V cycles at ``rate``, peak height ∝ rate**exponent (clean)."""
    n = int(round(1.3 / STEP_V))
    one = np.concatenate([np.linspace(3.0, 4.3, n + 1)[:-1], np.linspace(4.3, 3.0, n + 1)[:-1]])
    e = np.tile(one, 3)
    cycle = np.repeat([1, 2, 3], one.size)
    direction = np.sign(np.gradient(e))
    height = HEIGHT_AT_REFERENCE * (rate / REFERENCE_RATE) ** exponent
    centre = np.where(direction > 0, 3.78, 3.68)
    j = CAPACITANCE * rate * direction + direction * height * np.exp(
        -0.5 * ((e - centre) / WIDTH_V) ** 2
    )
    j = j + np.random.default_rng(seed).normal(0.0, SIGMA_J, e.size)
    return xr.Dataset(
        {
            "time": variable("point", np.arange(e.size) * STEP_V / rate, "s", "time"),
            "potential": variable("point", e, "V", "potential"),
            "current": variable("point", j * 0.196, "A", "current"),
            "cycle": variable("point", cycle, "1", "cycle"),
        },
        attrs={
            "sample": sample,
            "sintering_temperature_C": 700.0,
            "electrode_area_cm2": 0.196,
            "scan_rate_V_s": rate,
            "technique": "cv",
            "measurement": f"{sample}_cv_{rate * 1e3:g}mVs",
        },
    )


def series(exponent: float) -> list[xr.Dataset]:
    """The fits of one sample at every rate in RATES_V_S."""
    return [
        analysis.analyse(power_law_cv(v, exponent, seed=k), PARAMS) for k, v in enumerate(RATES_V_S)
    ]


@pytest.mark.parametrize(("exponent", "regime"), [(1.0, "thin film"), (0.5, "diffusion")])
def test_slope_recovers_the_power_law(exponent, regime):
    fits = series(exponent)
    assert all(int(f["redox_peaks_detected"]) == 1 for f in fits)
    rows = {r["quantity"]: r for r in scan_rate.scan_rate_series(fits)}
    assert set(rows) == {"ip_scan_rate_slope_anodic", "ip_scan_rate_slope_cathodic"}
    for r in rows.values():
        assert r["value"] == pytest.approx(exponent, abs=0.05), regime
        assert r["unit"] == "1" and r["status"] == "ok"
        assert 0 < r["stderr"] < 0.05
        assert "0.5 = diffusion-limited, 1 = thin film / surface-confined" in r["note"]
        assert "5 scan rates" in r["note"]


def test_thin_film_and_diffusion_slopes_are_told_apart():
    film = scan_rate.scan_rate_series(series(1.0))[0]["value"]
    diffusion = scan_rate.scan_rate_series(series(0.5))[0]["value"]
    assert film - diffusion == pytest.approx(0.5, abs=0.07)


def test_one_scan_rate_gives_no_rows_and_two_give_a_slope_without_stderr():
    fits = series(1.0)
    assert scan_rate.scan_rate_series(fits[:1]) == []
    assert scan_rate.scan_rate_series([fits[0], fits[0]]) == []  # one distinct rate
    two = scan_rate.scan_rate_series([fits[0], fits[-1]])
    assert two[0]["value"] == pytest.approx(1.0, abs=0.05)
    assert math.isnan(two[0]["stderr"])


def test_cv_without_peaks_is_left_out_and_counted():
    fits = series(1.0)
    flat = analysis.analyse(
        power_law_cv(5.0e-3, 1.0, seed=9).assign(current=lambda ds: ds["current"] * 0 + 1e-9),
        PARAMS,
    )
    assert int(flat["redox_peaks_detected"]) == 0
    rows = scan_rate.scan_rate_series(fits + [flat])
    assert rows[0]["value"] == pytest.approx(1.0, abs=0.05)
    assert "5 scan rates" in rows[0]["note"] and "1 CV without a passing couple" in rows[0]["note"]


def test_fits_of_several_samples_are_refused():
    a = analysis.analyse(power_law_cv(1e-3, 1.0, 0, sample="A"), PARAMS)
    b = analysis.analyse(power_law_cv(2e-3, 1.0, 1, sample="B"), PARAMS)
    with pytest.raises(ValueError, match="one sample"):
        scan_rate.scan_rate_series([a, b])
