"""Distribution of relaxation times (DRT) by non-negative Tikhonov regularisation.

Model (Wan et al., Electrochim. Acta 184 (2015) 483; Maradesa et al., J. Electrochem. Soc.
170 (2023) 030502):

    Z(ω) = R∞ [+ iωL] + ∫ γ(ln τ) / (1 + iωτ) d ln τ,   γ ≥ 0,

γ piecewise linear in ln τ (hat functions on a log τ grid that extends one decade beyond
1/(2π f) at both ends of the measured window), the integrals over each hat computed by
quadrature on a finer grid. The fit minimises ‖W(Ax − Z)‖² + λ‖Dx‖² with W = 1/|Z| (the
spectra span up to six decades of |Z|) and D the second difference of γ; R∞, L and γ are
kept non-negative by solving the stacked, augmented system with ``scipy.optimize.nnls``.
The second-difference rows are weighted by max|Z| / |Z(ω = 1/τ)|, the same relative scale
as the residuals, so that a 600 Ω arc next to a 600 kΩ one is regularised alike. λ is
chosen on a log grid by generalised cross-validation (GCV, Golub, Heath & Wahba,
Technometrics 21 (1979) 215; the modified score of Kim & Gu 2004 with α = 1.4, computed on
the unconstrained ridge problem as pyDRTtools does), or at the corner of the L-curve
(largest curvature, Hansen, SIAM Rev. 34 (1992) 561; less reliable on noisy ZARC spectra),
or given as a number.

Why not a library: pyDRTtools (Maradesa et al. 2023, the reference implementation) is a
Qt GUI built on cvxopt and is not importable headless; impedance.py has no DRT. The
method above is the one of those papers, written with numpy/scipy only (~50 ms a spectrum).

Speed: the matrices are ~160 × 100; multi-threaded BLAS on them is slower than one thread
(10× on a loaded machine), so the work runs inside ``threadpoolctl.threadpool_limits(1)``.

Limits: a series CPE / Warburg tail has no finite DRT; it piles γ up at the longest τ of
the grid. Peaks are found only in the grid's interior, so such a pile-up is not a peak.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np

from interphase.eis.peaks import find_peaks

# τ grid: this many points per decade, extending this many decades beyond 1/(2π f_max) and
# 1/(2π f_min).
TAU_PER_DECADE = 10
TAU_EXTEND_DECADES = 1.0
# Quadrature sub-points per grid interval for the kernel integrals over the hat functions.
QUAD_SUBDIVISIONS = 8
# λ grid searched by GCV / L-curve (the data are relative to |Z|, so λ is dimensionless).
LAMBDA_GRID = np.logspace(-10, 0, 41)
# A DRT maximum counts as a peak when its prominence exceeds this fraction of the largest γ
# and the resistance under it exceeds this fraction of |Z| at the peak's frequency (so a
# 600 Ω grain-boundary arc next to a 600 kΩ charge-transfer arc is still seen, while
# ripples on a large peak are not).
PEAK_MIN_PROMINENCE = 1e-4
PEAK_MIN_R_OF_Z = 0.05
# Side lobes: a peak with less than `fraction` of the resistance of a neighbouring peak within
# `decades` of τ is part of that peak (the DRT resolves about a decade; a ZARC's γ has heavy
# tails, so a huge arc leaves ripples of < 1 % of its resistance two or three decades away).
SATELLITE_RULES = ((1.5, 0.15), (3.5, 0.02))  # (decades, fraction)
LAMBDA_CHOICES = ("gcv", "lcurve")
# Modified GCV (Kim & Gu, J. R. Stat. Soc. B 66 (2004) 337): α = 1.4 in the denominator counters
# plain GCV's known tendency to under-smooth, which on ZARC spectra shows as side lobes in γ.
GCV_ALPHA = 1.4


@dataclass(frozen=True)
class DRTResult:
    """The DRT: τ grid (s), γ (ohm), R∞ (ohm), L (H), λ, peaks, model impedance at the data."""

    tau: np.ndarray
    gamma: np.ndarray
    r_inf: float
    inductance: float
    lam: float
    method: str
    z_fit: np.ndarray
    peak_tau: np.ndarray
    peak_r: np.ndarray
    peak_gamma: np.ndarray


def tau_grid(
    f: np.ndarray, per_decade: int = TAU_PER_DECADE, extend: float = TAU_EXTEND_DECADES
) -> np.ndarray:
    """Log-spaced τ (s) covering 1/(2π f) of the window plus ``extend`` decades each side."""
    lo = math.log10(1.0 / (2 * math.pi * float(np.max(f)))) - extend
    hi = math.log10(1.0 / (2 * math.pi * float(np.min(f)))) + extend
    n = int(math.ceil((hi - lo) * per_decade)) + 1
    return np.logspace(lo, hi, n)


def kernel_matrix(f: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Complex matrix A[i, k] = ∫ φ_k(ln τ) / (1 + iω_i τ) d ln τ for hat functions φ_k on ln τ."""
    y = np.log(tau)
    h = y[1] - y[0]
    t = np.linspace(-1.0, 1.0, 2 * QUAD_SUBDIVISIONS + 1)  # hat support in units of h
    weights = (
        (1.0 - np.abs(t)) * h * np.gradient(t)
    )  # hat × trapezoid-ish step; exact integral of the hat is h
    weights *= h / np.sum(weights)
    omega = 2 * math.pi * np.asarray(f, dtype=float)
    yy = y[None, :] + h * t[:, None]  # (quadrature point, k)
    wt = omega[:, None, None] * np.exp(yy)[None, :, :]
    return np.sum(weights[None, :, None] / (1.0 + 1j * wt), axis=1)


def second_difference(n: int) -> np.ndarray:
    """(n-2) × n second-difference matrix."""
    d = np.zeros((max(n - 2, 0), n))
    for i in range(n - 2):
        d[i, i : i + 3] = (1.0, -2.0, 1.0)
    return d


def local_scale(f: np.ndarray, z: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """max|Z| / |Z| at ω = 1/τ (interpolated in log-log, held at the window's ends)."""
    order = np.argsort(f)
    log_mod = np.interp(
        np.log(1.0 / (2 * math.pi * tau)), np.log(f[order]), np.log(np.abs(z[order]))
    )
    return float(np.max(np.abs(z))) / np.exp(log_mod)


def design(f: np.ndarray, z: np.ndarray, a: np.ndarray, tau: np.ndarray, inductance: bool):
    """Stacked weighted real design matrix, data vector and penalty; unknowns [R∞, (L), γ].

    ``a`` is the kernel matrix of the τ grid (:func:`kernel_matrix`).
    """
    omega = 2 * math.pi * f
    cols = [np.ones(f.size, dtype=complex)]
    if inductance:
        cols.append(1j * omega * 1e-6)  # L in µH keeps the column's scale near the others
    full = np.column_stack(cols + [a]) * float(np.max(np.abs(z)))  # unknowns in units of max|Z|
    w = 1.0 / np.abs(z)
    m = np.vstack([full.real * w[:, None], full.imag * w[:, None]])
    b = np.hstack([z.real * w, z.imag * w])
    d = second_difference(tau.size) * local_scale(f, z, tau[1:-1])[:, None]
    penalty = np.hstack([np.zeros((d.shape[0], len(cols))), d])
    return m, b, penalty, len(cols)


def solve(m: np.ndarray, b: np.ndarray, penalty: np.ndarray, lam: float) -> np.ndarray:
    """Non-negative solution of min ‖m x − b‖² + λ‖penalty x‖² (nnls, augmented system)."""
    from scipy.optimize import nnls

    scale = np.max(np.abs(m), axis=0)
    scale[scale == 0] = 1.0
    aug = np.vstack([m, math.sqrt(lam) * penalty]) / scale
    rhs = np.hstack([b, np.zeros(penalty.shape[0])])
    x, _ = nnls(aug, rhs, maxiter=50 * aug.shape[1])
    return x / scale


def gcv_scores(m: np.ndarray, b: np.ndarray, penalty: np.ndarray, lams: np.ndarray) -> np.ndarray:
    """Modified GCV scores n‖(I − H)b‖² / (n − α tr H)² of the unconstrained ridge problem.

    α = GCV_ALPHA; H(λ) = m (G + λQ)⁻¹ mᵀ with G = mᵀm, Q = PᵀP. All λ from one generalized
    eigendecomposition Q v = θ (G + Q) v (G + Q is positive definite, G and Q alone are not):
    with Vᵀ(G + Q)V = I and VᵀQV = Θ, (G + λQ)⁻¹ = V diag(1/(1 + (λ − 1)θ)) Vᵀ and
    VᵀGV = I − Θ, so tr H = Σ (1 − θ)/(1 + (λ − 1)θ) and, with c = Vᵀmᵀb,
    ‖b − m x‖² = ‖b‖² − 2 Σ c² d + Σ c² d² (1 − θ). One O(P³) step instead of one a λ
    (~1 ms instead of ~14 ms a spectrum; the λ chosen is the same on the benchmark's spectra).
    """
    from scipy.linalg import eigh

    gram = m.T @ m
    q = penalty.T @ penalty
    theta, v = eigh(q, gram + q)
    c2 = (v.T @ (m.T @ b)) ** 2
    d = 1.0 / (1.0 + (np.asarray(lams, dtype=float)[:, None] - 1.0) * theta[None, :])
    trace = np.sum((1.0 - theta) * d, axis=1)
    residual = (
        float(b @ b) - 2.0 * np.sum(c2 * d, axis=1) + np.sum(c2 * d**2 * (1.0 - theta), axis=1)
    )
    n = b.size
    return n * np.maximum(residual, 0.0) / np.maximum(n - GCV_ALPHA * trace, 1.0) ** 2


def norms(m: np.ndarray, b: np.ndarray, penalty: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Residual norm² and penalty norm² of a solution."""
    return float(np.sum((m @ x - b) ** 2)), float(np.sum((penalty @ x) ** 2))


def lcurve_corner(r2: np.ndarray, p2: np.ndarray) -> int:
    """Index of the largest curvature of the L-curve (log residual norm, log penalty norm)."""
    x = 0.5 * np.log(np.maximum(r2, 1e-300))
    y = 0.5 * np.log(np.maximum(p2, 1e-300))
    t = np.log(LAMBDA_GRID[: r2.size])
    dx, dy = np.gradient(x, t), np.gradient(y, t)
    ddx, ddy = np.gradient(dx, t), np.gradient(dy, t)
    kappa = (dx * ddy - ddx * dy) / np.maximum((dx**2 + dy**2) ** 1.5, 1e-300)
    kappa[[0, -1]] = -np.inf
    return int(np.argmax(kappa))


def choose_lambda(m, b, penalty, how) -> tuple[float, np.ndarray, str]:
    """λ, the solution and the method used, for ``how`` in 'gcv', 'lcurve' or a number."""
    if not isinstance(how, str):
        lam = float(how)
        if not lam > 0:
            raise ValueError(
                f"eis.drt_lambda must be 'gcv', 'lcurve' or a positive number, got {how!r}"
            )
        return lam, solve(m, b, penalty, lam), "fixed"
    if how not in LAMBDA_CHOICES:
        raise ValueError(
            f"eis.drt_lambda must be 'gcv', 'lcurve' or a positive number, got {how!r}"
        )
    if how == "gcv":
        k = int(np.argmin(gcv_scores(m, b, penalty, LAMBDA_GRID)))
        return float(LAMBDA_GRID[k]), solve(m, b, penalty, float(LAMBDA_GRID[k])), how
    solutions = [solve(m, b, penalty, lam) for lam in LAMBDA_GRID]
    r2, p2 = np.array([norms(m, b, penalty, x) for x in solutions]).T
    k = lcurve_corner(r2, p2)
    return float(LAMBDA_GRID[k]), solutions[k], how


def peak_resistances(tau: np.ndarray, gamma: np.ndarray, idx: list[int]) -> np.ndarray:
    """∫γ d ln τ of each peak between the minima that separate it from its neighbours.

    The grid's ends bound the outermost peaks.
    """
    h = math.log(tau[1] / tau[0])
    edges = (
        [0]
        + [a + int(np.argmin(gamma[a : b + 1])) for a, b in zip(idx[:-1], idx[1:])]
        + [gamma.size - 1]
    )
    return np.array(
        [float(np.trapezoid(gamma[lo : hi + 1], dx=h)) for lo, hi in zip(edges[:-1], edges[1:])]
    )


def weak_peak(tau: np.ndarray, r: np.ndarray, z_at: np.ndarray, idx: list[int]) -> int | None:
    """Position in ``idx`` of the smallest peak that is too small to be an arc, or None."""
    weak = []
    for j, i in enumerate(idx):
        small = r[j] < PEAK_MIN_R_OF_Z * z_at[j]
        for k in (j - 1, j + 1):
            if 0 <= k < len(idx):
                distance = abs(math.log10(tau[idx[k]] / tau[i]))
                small = small or any(
                    distance <= d and r[j] < fraction * r[k] for d, fraction in SATELLITE_RULES
                )
        if small:
            weak.append(j)
    return min(weak, key=lambda j: r[j]) if weak else None


def find_drt_peaks(tau: np.ndarray, gamma: np.ndarray, f: np.ndarray, z: np.ndarray):
    """Peaks of γ: (τ at the maximum, resistance between the flanking minima, γ at the maximum).

    Candidates are the interior maxima of γ; the smallest one that is too small to be an
    arc (resistance below PEAK_MIN_R_OF_Z of |Z| at its frequency, or a side lobe of a
    much larger neighbour by SATELLITE_RULES, as the heavy tails of a ZARC's DRT produce) is
    merged into its neighbours, until none is left.
    """
    empty = (np.array([]), np.array([]), np.array([]))
    if gamma.size < 3 or not np.max(gamma) > 0:
        return empty
    idx = [
        int(i) for i in find_peaks(gamma, prominence=PEAK_MIN_PROMINENCE * float(np.max(gamma)))[0]
    ]
    order = np.argsort(f)
    log_mod = np.log(np.abs(z[order]))
    while idx:
        r = peak_resistances(tau, gamma, idx)
        z_at = np.exp(np.interp(np.log(1.0 / (2 * math.pi * tau[idx])), np.log(f[order]), log_mod))
        j = weak_peak(tau, r, z_at, idx)
        if j is None:
            break
        idx.pop(j)
    if not idx:
        return empty
    return np.array([refine_peak(tau, gamma, i) for i in idx]), r, gamma[idx]


def refine_peak(tau: np.ndarray, gamma: np.ndarray, i: int) -> float:
    """τ of the maximum by a parabola through the three grid points around index i (in ln τ)."""
    if i == 0 or i == gamma.size - 1:
        return float(tau[i])
    g0, g1, g2 = gamma[i - 1 : i + 2]
    denom = g0 - 2 * g1 + g2
    shift = 0.5 * (g0 - g2) / denom if denom < 0 else 0.0
    h = math.log(tau[1] / tau[0])
    return float(math.exp(math.log(tau[i]) + float(np.clip(shift, -0.5, 0.5)) * h))


def single_thread_blas():
    """A context in which BLAS uses one thread (threadpoolctl; no-op when it is not installed)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only speed depends on it
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def drt(f: np.ndarray, z: np.ndarray, lam="gcv", inductance: bool = False) -> DRTResult:
    """The DRT of a spectrum (f in Hz, z complex, Z = Z′ + iZ″ with Z″ < 0 for capacitive arcs)."""
    with single_thread_blas():
        return _drt(np.asarray(f, dtype=float), np.asarray(z, dtype=complex), lam, inductance)


def _drt(f: np.ndarray, z: np.ndarray, lam, inductance: bool) -> DRTResult:
    """drt() without the thread limit."""
    tau = tau_grid(f)
    kernel = kernel_matrix(f, tau)
    m, b, penalty, n_extra = design(f, z, kernel, tau, inductance)
    lam_value, x, method = choose_lambda(m, b, penalty, lam)
    x = x * float(np.max(np.abs(z)))
    gamma = x[n_extra:]
    r_inf = float(x[0])
    ind = float(x[1]) * 1e-6 if inductance else 0.0
    z_fit = r_inf + 1j * 2 * math.pi * f * ind + kernel @ gamma
    pt, pr, pg = find_drt_peaks(tau, gamma, f, z)
    return DRTResult(tau, gamma, r_inf, ind, lam_value, method, z_fit, pt, pr, pg)


def relative_residual_rms(z: np.ndarray, z_fit: np.ndarray) -> float:
    """RMS of (Z_fit − Z)/|Z| over the real and imaginary parts, in percent."""
    rel = (z_fit - z) / np.abs(z)
    return 100.0 * float(np.sqrt(np.mean(np.hstack([rel.real, rel.imag]) ** 2)))
