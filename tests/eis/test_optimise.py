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


def noisy_demo(sample: str, seed: int):
    """A demo spectrum at 4.0 V with its noise, its truth and the fit problem."""
    p = demo.TRUTH[sample][4.0]
    f = demo.frequencies()
    z = demo.noisy(demo.model(p, f), np.random.default_rng(seed))
    return optimise.problem(f, z, demo.CIRCUIT, "modulus"), np.array(
        [p[n] for n in demo.PARAM_NAMES]
    )


def test_the_analytic_jacobian_is_the_finite_difference_one():
    pr, truth = noisy_demo("NMC-900", 1)
    space = optimise.log_space(pr)
    residuals = optimise.Residuals(pr, space)
    x = space.to_x(truth * np.where(space.is_log, 1.3, 0.97))
    analytic = residuals.jacobian(x)
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = 1e-6
        numeric = (residuals(x + step) - residuals(x - step)) / 2e-6
        assert np.allclose(
            analytic[:, k], numeric, rtol=1e-5, atol=1e-7 * np.max(np.abs(numeric))
        ), k


def test_batched_exploration_finds_the_fits_of_single_starts():
    pr, truth = noisy_demo("NMC-700", 4)
    starts = [
        truth * np.where(optimise.log_space(pr).is_log, factor, 1.0) for factor in (0.5, 1.0, 3.0)
    ]
    far = np.full(truth.size, 0.7)  # a start far from everything: some other local optimum
    *near, far_fit = optimise.explore(pr, [*starts, far], optimise.MAX_NFEV_REFINE)
    for start, explored in zip(starts, near):
        single = optimise.log_fit(pr, start, optimise.MAX_NFEV_REFINE)
        assert explored.chi2 == pytest.approx(single.chi2, rel=1e-4)
        assert explored.values == pytest.approx(truth, rel=0.1)  # Q of the small arc: ~6 %
    assert far_fit.chi2 > 10 * near[1].chi2


def test_exploration_keeps_exponents_inside_their_bounds():
    pr, truth = noisy_demo("NMC-900", 5)
    start = truth.copy()
    start[list(demo.PARAM_NAMES).index("CPE1_1")] = 0.999  # a start at the top of its range
    [explored] = optimise.explore(pr, [start], 60)
    lower, upper = np.array(pr.lower), np.array(pr.upper)
    assert np.all(explored.values >= lower) and np.all(explored.values <= upper)
