"""The local optimiser: weights, bounds, a log-parameter fit that finds the optimum near a start."""

from __future__ import annotations

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import optimise
from interphase.eis.circuit import compile_circuit


def test_weights_follow_the_weighting():
    z = np.array([3.0 - 4.0j, 30.0 - 0.001j])
    assert list(optimise.sigma_for(z, "modulus")) == pytest.approx([5.0, 30.0, 5.0, 30.0])
    # proportional: |Z'| and |Z''|, floored at 1e-3 |Z| where a part crosses zero
    assert list(optimise.sigma_for(z, "proportional")) == pytest.approx([3.0, 30.0, 4.0, 0.03])
    assert optimise.sigma_for(z, "unit") is None
    pr = optimise.problem(demo.frequencies()[:2], z, "R0-p(R1,CPE1)", "unit")
    assert list(pr.weight) == pytest.approx([1 / 30.0] * 4)


def test_bounds_of_the_default_circuit():
    lower, upper = optimise.bounds_for(list(demo.PARAM_NAMES), demo.CIRCUIT, 1e4)
    bounds = dict(zip(demo.PARAM_NAMES, zip(lower, upper)))
    assert bounds["R2"] == (0.0, 1e7)
    assert bounds["CPE1_1"] == optimise.N_ARC_BOUNDS and bounds["CPE3_1"] == optimise.N_TAIL_BOUNDS
    assert bounds["CPE2_0"] == (0.0, np.inf)


def test_log_fit_converges_from_a_start_a_factor_two_off():
    p = demo.TRUTH["NMC-900"][4.0]
    f = demo.frequencies()
    z = demo.noisy(demo.model(p, f), np.random.default_rng(3))
    pr = optimise.problem(f, z, demo.CIRCUIT, "modulus")
    truth = np.array([p[n] for n in demo.PARAM_NAMES])
    start = np.where([n.endswith("_1") for n in demo.PARAM_NAMES], truth, 2.0 * truth)
    fit = optimise.log_fit(pr, start, optimise.MAX_NFEV_REFINE)
    assert fit.values == pytest.approx(truth, rel=0.05)
    assert fit.chi2 == pytest.approx(
        optimise.chi_square(z, compile_circuit(demo.CIRCUIT)(f, fit.values), pr.sigma)
    )
    # the noise is 0.3 % of |Z| on each part: chi-square ~ (number of residuals) x 0.003^2
    assert fit.chi2 < 2 * 2 * f.size * demo.NOISE_FRACTION**2


def test_polish_keeps_a_converged_fit():
    p = demo.TRUTH["NMC-700"][4.0]
    f = demo.frequencies()
    z = demo.model(p, f)
    pr = optimise.problem(f, z, demo.CIRCUIT, "modulus")
    truth = np.array([p[n] for n in demo.PARAM_NAMES])
    assert optimise.polish(pr, truth) == pytest.approx(truth, rel=1e-6)
