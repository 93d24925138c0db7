"""Peak-level pieces of the XRD analysis: background, Kα2 position, profile normalisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from interphase.xrd import peaks
from interphase.xrd.wavelength import Source

KA1, KA2 = 1.540598, 1.544426


@pytest.mark.parametrize("level", [10.0, 100.0, 1000.0])
def test_background_of_a_flat_poisson_scan_is_not_biased_low(level):
    x = np.round(np.arange(20.0, 80.0001, 0.02), 4)
    y = np.random.default_rng(0).poisson(np.full_like(x, level)).astype(float)
    search = peaks.find_and_fit(x, y, 6.0, Source(KA1, math.nan, 0.0))
    background, noise, found = search.background, search.noise, search.peaks
    sigma = math.sqrt(level)
    # SNIP on the raw counts sits ~2.6σ low; on the smoothed scan within 1σ
    assert abs(float(np.median(background[200:-200])) - level) < 1.0 * sigma
    assert float(np.median(noise)) == pytest.approx(sigma, rel=0.15)
    assert found == []  # nothing but noise: no peak invented


def test_ka2_line_sits_at_the_bragg_angle_for_lambda2():
    # Cu Kα1/Kα2 doublet of a reflection at 2θ(Kα1) = 60°: d = λ1 / (2 sin 30°) = λ1
    expected = 2 * math.degrees(math.asin(KA2 / (2 * KA1)))
    assert float(peaks.ka2_position(60.0, KA1, KA2)) == pytest.approx(expected, abs=1e-9)
    assert expected - 60.0 == pytest.approx(
        math.degrees(2 * math.tan(math.radians(30)) * (KA2 - KA1) / KA1), abs=2e-4
    )  # 0.164°


@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
def test_pseudo_voigt_has_the_given_area_and_height(eta):
    x = np.linspace(20, 40, 200001)
    y = peaks.pseudo_voigt(x, 30.0, 0.1, 7.0, eta)
    assert integrate.trapezoid(y, x) == pytest.approx(
        7.0, rel=0.01 if eta else 1e-6
    )  # Lorentz tails beyond ±10°
    assert float(y.max()) == pytest.approx(peaks.pv_height(0.1, 7.0, eta), rel=1e-6)
    half = x[y >= y.max() / 2]
    assert half[-1] - half[0] == pytest.approx(0.1, abs=2e-4)
