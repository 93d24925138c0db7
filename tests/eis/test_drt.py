"""The DRT: peaks of synthetic RC / ZARC spectra at the known τ with the known resistance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.eis import drt

F = np.logspace(6, -2, 81)  # 1 MHz .. 10 mHz, 10 a decade, as the demo files
NOISE = 0.003  # of |Z| per component, as the demo


def zarc(r: float, tau: float, n: float) -> np.ndarray:
    """R || CPE written as a ZARC: R / (1 + (iωτ)^n); n = 1 is an RC element."""
    return r / (1 + (1j * 2 * math.pi * F * tau) ** n)


def noisy(z: np.ndarray, seed: int) -> np.ndarray:
    """z with Gaussian noise of NOISE × |Z| on both parts."""
    rng = np.random.default_rng(seed)
    return z + NOISE * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def assert_peaks(result: drt.DRTResult, expected: list[tuple[float, float]]) -> None:
    """One peak per (τ, R), τ within a factor 1.3 and R within 10 %."""
    assert result.peak_tau.size == len(expected), (result.peak_tau, result.peak_r)
    for (tau, r), t_found, r_found in zip(expected, result.peak_tau, result.peak_r):
        assert 1 / 1.3 < t_found / tau < 1.3, (t_found, tau)
        assert r_found == pytest.approx(r, rel=0.10)


def test_single_rc_element():
    z = noisy(20 + zarc(100.0, 1e-3, 1.0), seed=1)
    result = drt.drt(F, z)
    assert_peaks(result, [(1e-3, 100.0)])
    assert result.r_inf == pytest.approx(20.0, rel=0.05)


def test_two_rc_elements_two_decades_apart():
    z = noisy(20 + zarc(100.0, 1e-3, 1.0) + zarc(1000.0, 1e-1, 1.0), seed=2)
    assert_peaks(drt.drt(F, z), [(1e-3, 100.0), (1e-1, 1000.0)])


def test_two_zarcs():
    z = noisy(20 + zarc(100.0, 1e-3, 0.9) + zarc(1000.0, 1e-1, 0.85), seed=3)
    assert_peaks(drt.drt(F, z), [(1e-3, 100.0), (1e-1, 1000.0)])


def test_small_grain_boundary_arc_next_to_a_huge_charge_transfer_arc():
    """600 ohm at 1 µs and 580 kΩ at 0.15 s: both seen (the NMC-900 situation)."""
    z = noisy(150 + zarc(600.0, 1e-6, 0.9) + zarc(5.8e5, 0.15, 0.86), seed=4)
    result = drt.drt(F, z, "lcurve")
    assert_peaks(result, [(1e-6, 600.0), (0.15, 5.8e5)])


@pytest.mark.parametrize("how", ["gcv", "lcurve"])
def test_lambda_choice_fits_to_the_noise_level(how):
    z = noisy(20 + zarc(100.0, 1e-3, 0.9) + zarc(1000.0, 1e-1, 0.85), seed=5)
    result = drt.drt(F, z, how)
    rms = drt.relative_residual_rms(z, result.z_fit)
    assert (
        NOISE * 100 * 0.7 < rms < NOISE * 100 * 1.5
    )  # at the noise level: neither over- nor under-fitted
    assert (
        drt.LAMBDA_GRID[0] < result.lam < drt.LAMBDA_GRID[-1]
    )  # not stuck at an end of the search grid
    assert result.method == how


def test_a_huge_lambda_oversmooths_and_a_given_lambda_is_used():
    z = noisy(20 + zarc(100.0, 1e-3, 1.0) + zarc(1000.0, 1e-1, 1.0), seed=6)
    result = drt.drt(F, z, 10.0)
    assert result.lam == 10.0 and result.method == "fixed"
    assert drt.relative_residual_rms(z, result.z_fit) > 3 * NOISE * 100


@pytest.mark.parametrize("bad", ["aic", -1.0, 0.0])
def test_invalid_lambda_is_refused(bad):
    with pytest.raises(ValueError, match="drt_lambda"):
        drt.drt(F, zarc(100.0, 1e-3, 1.0), bad)


def test_gamma_is_non_negative_and_the_grid_extends_beyond_the_window():
    result = drt.drt(F, noisy(20 + zarc(100.0, 1e-3, 0.8), seed=7))
    assert np.all(result.gamma >= 0)
    assert (
        result.tau[0] < 1 / (2 * math.pi * F.max()) / 5
        and result.tau[-1] > 1 / (2 * math.pi * F.min()) * 5
    )


def test_total_resistance_is_conserved():
    """∫γ d ln τ + R∞ = Z(0) for arcs well inside the window."""
    result = drt.drt(F, noisy(20 + zarc(300.0, 1e-4, 0.9) + zarc(700.0, 1e-2, 0.8), seed=8))
    h = math.log(result.tau[1] / result.tau[0])
    assert result.r_inf + h * result.gamma.sum() == pytest.approx(1020.0, rel=0.03)


def direct_gcv_score(m: np.ndarray, b: np.ndarray, penalty: np.ndarray, lam: float) -> float:
    """The modified GCV score by solving (mᵀm + λPᵀP) x = [mᵀm, mᵀb] for one λ (the definition)."""
    mtm = m.T @ m
    solved = np.linalg.solve(mtm + lam * penalty.T @ penalty, np.column_stack([mtm, m.T @ b]))
    residual = b - m @ solved[:, -1]
    n = b.size
    return (
        n
        * float(residual @ residual)
        / max(n - drt.GCV_ALPHA * float(np.trace(solved[:, :-1])), 1.0) ** 2
    )


@pytest.mark.parametrize("seed", range(3))
def test_gcv_scores_of_all_lambdas_at_once_are_the_definition(seed):
    z = noisy(20 + zarc(100.0, 1e-3, 0.9) + zarc(1000.0, 1e-1, 0.85), seed=seed)
    tau = drt.tau_grid(F)
    m, b, penalty, _ = drt.design(F, z, drt.kernel_matrix(F, tau), tau, False)
    fast = drt.gcv_scores(m, b, penalty, drt.LAMBDA_GRID)
    direct = np.array([direct_gcv_score(m, b, penalty, lam) for lam in drt.LAMBDA_GRID])
    k = int(np.argmin(direct))
    assert int(np.argmin(fast)) == k
    # where the ridge system is well conditioned (around the chosen λ) the scores agree closely
    near = slice(max(k - 8, 0), k + 9)
    assert np.allclose(fast[near], direct[near], rtol=1e-6)
