"""The detection limit is honest: couples well above it are found, well below it are not, and
it sits at the transition. Simulated surface couples (tests/cv/simulate.py, a Butler-Volmer /
Laviron current model that shares nothing with the peak finder) on the demo's background."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from interphase.cv import analysis, detection
from tests.cv import simulate as sim

PROTOCOL = sim.Protocol()  # 2.6-4.8 V at 1 mV s-1
BACKGROUND = sim.Background()  # 1 mF cm-2 double layer, 1 Mohm cm2 leak, 1.1 uA cm-2 noise
SEEDS = range(20, 28)


@cache
def reported_limit() -> float:
    """The limit (C cm-2) the analysis reports for the background alone."""
    fit = analysis.analyse(sim.simulate(sim.Cell(background=BACKGROUND), seed=99), {})
    assert int(fit["redox_peaks_detected"]) == 0
    return float(fit["peak_charge_detection_limit"])


@cache
def rate(delta_ep: float) -> float:
    """k_s (s-1) of the couple whose noise-free delta_Ep is ``delta_ep``."""
    return sim.rate_for_separation(delta_ep, PROTOCOL, sim.Couple())


def found(delta_ep: float, factor: float) -> list[int]:
    """redox_peaks_detected of couples holding ``factor`` x the reported limit, one a seed."""
    couple = sim.Couple(charge=factor * reported_limit(), k_s=rate(delta_ep))
    cell = sim.Cell(couples=(couple,), background=BACKGROUND)
    return [int(analysis.analyse(sim.simulate(cell, s), {})["redox_peaks_detected"]) for s in SEEDS]


def test_the_limit_follows_from_the_measured_noise_and_the_scan_rate():
    # Q_lim = (e / 2.4464) x 8 sigma x 0.125 V / v = 1.22 mC cm-2 for sigma = 1.1 uA cm-2
    expected = math.e / 2.4464 * 8 * BACKGROUND.sigma * 0.125 / PROTOCOL.scan_rate
    assert reported_limit() == pytest.approx(expected, rel=0.15)
    fit = analysis.analyse(sim.simulate(sim.Cell(), seed=99), {})
    assert float(fit["scan_rate_measured"]) == pytest.approx(PROTOCOL.scan_rate, rel=1e-6)
    [row] = [r for r in analysis.rows(fit) if r["quantity"] == "peak_charge_detection_limit"]
    assert row["unit"] == "mC cm-2" and row["value"] == pytest.approx(reported_limit() * 1e3)


def test_the_limit_scales_with_noise_and_inversely_with_scan_rate():
    noisy = sim.Cell(background=sim.Background(sigma=4.4e-6))
    fast = sim.Cell(protocol=sim.Protocol(scan_rate=10e-3, step=1e-3))
    limit = {
        name: float(analysis.analyse(sim.simulate(cell, 5), {})["peak_charge_detection_limit"])
        for name, cell in (("base", sim.Cell()), ("noisy", noisy), ("fast", fast))
    }
    assert limit["noisy"] / limit["base"] == pytest.approx(4.0, rel=0.15)
    assert limit["fast"] / limit["base"] == pytest.approx(0.1, rel=0.15)


@pytest.mark.parametrize("delta_ep", [0.6, 1.2])
def test_wide_couples_well_above_the_limit_are_found_and_well_below_are_not(delta_ep):
    assert sum(found(delta_ep, 2.0)) == len(SEEDS)
    assert sum(found(delta_ep, 0.5)) == 0


def test_the_reported_limit_sits_at_the_transition_on_its_safe_side():
    # Laviron-shaped peaks (delta_Ep 0.6 V, FWHM 0.125 V: the shape the limit is stated for):
    # at the limit every couple is found, at 0.6 x the limit (almost) none; measured on this
    # noise, the 50 % point lies near 0.8 x the limit (the noise's own maxima lift a peak).
    assert sum(found(0.6, 1.0)) == len(SEEDS)
    assert sum(found(0.6, 0.6)) <= 1


def test_a_narrow_reversible_couple_is_seen_below_the_limit_stated_for_wide_peaks():
    # delta_Ep 0.06 V: a taller, narrower (~95 mV) peak for the same charge, so the limit stated
    # for 0.125 V peaks is conservative for it.
    assert sum(found(0.06, 0.85)) == len(SEEDS)


def test_the_charge_gate_sets_the_limit_when_it_is_the_stricter():
    limit = detection.detection_limit(1e-6, 0.125, 1e-3, min_charge=1e-3)
    assert limit.charge == 1e-3 and limit.gate == "charge"
    limit = detection.detection_limit(1e-5, 0.125, 1e-3, min_charge=1e-6)
    assert limit.charge == pytest.approx(detection.LAVIRON_SHAPE * 1e-5 * 0.125 / 1e-3)
    assert limit.gate == "prominence"
    assert math.isnan(detection.detection_limit(1e-5, 0.125, math.nan, 1e-6).charge)


def test_the_laviron_shape_constant_is_the_integral_of_the_peak_over_height_times_fwhm():
    x = np.linspace(-30, 5, 400001)
    y = np.exp(x - np.exp(x))
    above = x[y >= y.max() / 2]
    fwhm = above[-1] - above[0]
    assert fwhm == pytest.approx(detection.LAVIRON_FWHM, abs=1e-3)
    integral = float(np.trapezoid(y, x))
    assert integral / (y.max() * fwhm) == pytest.approx(detection.LAVIRON_SHAPE, rel=1e-3)
