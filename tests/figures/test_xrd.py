"""XRD comparison figure: written as PDF + PNG from fit datasets, including failed ones."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase.datasets import variable
from interphase.figures import xrd as figure
from interphase.xrd import analysis, references

KA1 = 1.540598


def _fit(temperature: float, extra: float | None) -> xr.Dataset:
    """A fit of a synthetic rutile scan, with one impurity peak at ``extra`` degrees."""
    x = np.round(np.arange(20.0, 60.0001, 0.02), 4)
    y = np.full_like(x, 200.0)
    pat = references.pattern("TiO2-rutile", KA1, (20, 60), 1.0)
    lines = list(zip(pat.two_theta, 20 * pat.intensity)) + ([(extra, 500.0)] if extra else [])
    for c, h in lines:
        y += h * np.exp(-4 * math.log(2) * ((x - c) / 0.12) ** 2)
    y = np.random.default_rng(int(temperature)).poisson(y).astype(float)
    ds = xr.Dataset(
        {"intensity": variable("two_theta", y, "count", "intensity")},
        coords={"two_theta": variable("two_theta", x, "degree", "2θ")},
        attrs={
            "wavelength_ka1_angstrom": KA1,
            "wavelength_ka2_angstrom": math.nan,
            "ka2_ka1_ratio": 0.0,
            "anode": "Cu",
            "scan_kind": "powder",
            "sintering_temperature_C": temperature,
            "label": f"S-{temperature:g}",
            "sample": "s",
        },
    )
    return analysis.analyse(ds, {"expected_phases": ["TiO2-rutile"]})


def test_stack_figure_written(tmp_path):
    fits = [_fit(900.0, 36.85), _fit(700.0, None)]
    failed = fits[1].copy()
    failed.attrs.update(status="failed", sintering_temperature_C=800.0)
    paths = figure.xrd_stack(fits + [failed], tmp_path / "xrd_stack", {"Title": "test"})
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_no_usable_fit_still_gives_a_figure(tmp_path):
    fit = _fit(700.0, None)
    fit.attrs["status"] = "failed"
    paths = figure.xrd_stack([fit], tmp_path / "empty", {})
    assert all(p.exists() for p in paths)


def test_formula_subscripts():
    assert figure.formula_tex("Co3O4") == "Co$_{3}$O$_{4}$"
    assert figure.formula_tex("NMC111") == "NMC111"
    assert figure.formula_tex("TiO2-rutile") == "TiO$_{2}$-rutile"
