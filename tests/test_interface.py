"""The shared interface module: the erf step, its 10-90 % width, the film side, the definition.

Profiles here are written out with scipy.special.erf, not with interphase.interface.erf_step.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy.special import erf, erfcinv

from interphase import interface

X = np.arange(0.0, 121.0, 1.0)


def profile(plateau: float, level: float, centre: float, sigma: float, x=X) -> np.ndarray:
    """A film plateau falling to a far level: an erf step written out."""
    return level + (plateau - level) / 2 * (1 - erf((x - centre) / (math.sqrt(2) * sigma)))


def test_ten_ninety_width_of_the_erf_step():
    half = interface.WIDTH_10_90_PER_SIGMA / 2
    assert interface.WIDTH_10_90_PER_SIGMA == pytest.approx(2 * 1.2815515655446004, abs=1e-12)
    y = interface.erf_step(np.array([-half, 0.0, half]), 1.0, 0.0, 0.0, 1.0)
    np.testing.assert_allclose(y, [0.9, 0.5, 0.1], atol=1e-12)


def test_film_metals_are_those_of_nmc111():
    assert set(interface.FILM_METALS) == {"Ni", "Co", "Mn"}


def test_half_plateau_is_the_midpoint_only_without_a_far_level():
    assert interface.half_plateau_position(10.0, 0.0, 50.0, 5.0) == pytest.approx(50.0)
    position = interface.half_plateau_position(10.0, 2.0, 50.0, 5.0)
    assert position > 50.0
    assert profile(10.0, 2.0, 50.0, 5.0, np.array([position]))[0] == pytest.approx(5.0, abs=1e-9)
    assert math.isnan(interface.half_plateau_position(10.0, 6.0, 50.0, 5.0))  # never falls to 5


def test_locate_finds_half_the_film_plateau_when_a_metal_stays_on_the_far_side():
    """Co keeps 3 of the film's 33 at% on the LATP side: the half-plateau point is ~1.5 nm
    beyond the erf midpoint, and that (not the midpoint) is what locate returns."""
    rng = np.random.default_rng(4)
    plateau, level, centre, sigma = 33.3, 3.0, 60.0, 12.0
    truth = centre + math.sqrt(2) * sigma * float(
        erfcinv((plateau - 2 * level) / (plateau - level))
    )
    assert truth - centre > 1.0
    y = profile(plateau, level, centre, sigma) + rng.normal(0.0, 0.4, X.size)
    fit = interface.locate(X, y)
    assert fit.status == "ok" and fit.method.startswith("erf fit")
    assert abs(fit.position - truth) < 3 * fit.stderr
    assert abs(fit.position - centre) > 3 * fit.stderr
    assert fit.width_10_90 == pytest.approx(interface.WIDTH_10_90_PER_SIGMA * fit.sigma)


def test_locate_stderr_matches_the_scatter_of_repeats():
    rng = np.random.default_rng(9)
    positions, errors = [], []
    for _ in range(150):
        y = profile(30.0, 2.0, 55.0, 10.0) + rng.normal(0.0, 0.5, X.size)
        fit = interface.locate(X, y)
        positions.append(fit.position)
        errors.append(fit.stderr)
    assert np.std(positions) == pytest.approx(np.mean(errors), rel=0.2)


def test_weighted_locate_uses_the_given_errors():
    rng = np.random.default_rng(2)
    err = np.full(X.size, 0.3)
    y = profile(20.0, 0.0, 40.0, 8.0) + rng.normal(0.0, 0.3, X.size)
    fit = interface.locate(X, y, err)
    assert abs(fit.position - 40.0) < 3 * fit.stderr and fit.stderr < 0.5


def test_no_step_fails_with_a_reason():
    rng = np.random.default_rng(1)
    fit = interface.locate(X, 10.0 + rng.normal(0.0, 0.5, X.size))
    assert fit.status == "failed" and math.isnan(fit.position) and "no step" in fit.note


def test_film_side_and_reversal():
    y = profile(30.0, 0.0, 60.0, 10.0)
    assert not interface.film_is_last(y) and interface.film_is_last(y[::-1])
    x = np.arange(10.0, 131.0, 1.0)
    ds = xr.Dataset(
        {"s": ("distance", y[::-1], {"units": "1", "long_name": "s"})},
        coords={"distance": ("distance", x, {"units": "nm", "long_name": "distance"})},
    )
    back = interface.reverse_line(ds)
    np.testing.assert_allclose(back["distance"].values, x)  # the recorded range is kept
    np.testing.assert_allclose(back["s"].values, y)
    np.testing.assert_allclose(back["distance_in_file"].values, x[::-1])
    assert back.attrs["line_reversed"] == 1 and back["distance"].attrs["units"] == "nm"
