"""The local optimiser: one circuit, one spectrum, from one start or a batch of starts.

R and CPE Q of one spectrum span up to 15 orders of magnitude, which a linear
parameterisation handles badly; so scale parameters are fitted as logarithms
(:class:`LogSpace`), with the circuit's analytic Jacobian (:class:`Residuals`):

- :func:`explore`: short fits from all starts at once, a batched Levenberg–Marquardt, to
  rank the starts;
- :func:`log_fit`: one fit to convergence with scipy's bounded ``least_squares``
  (trust-region reflective), for the best of them.

impedance.py keeps the same split: ``fitting.circuit_fit`` (the optimiser) apart from the
circuit classes. Its ``CustomCircuit.fit`` (curve_fit on the linear parameters) polished
the best fit until issue 19; from the log-parameter optimum it changed R_ct by less than
0.001 standard errors on the benchmark's spectra and took a sixth of the time, so it went.

A :class:`Problem` holds what every fit of one circuit to one spectrum shares: the data,
the residual weights, the parameter names and their bounds.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interphase.eis.circuit import (
    compile_circuit,
    is_log_parameter,
    kind_of,
    pairs_of,
    parameter_names,
)
from interphase.eis.elements import Frequencies

WEIGHTINGS = ("modulus", "proportional", "unit")
# Bounds on CPE exponents: an arc below 0.5 is no longer an arc; a tail may go down to 0.2
# (Orazem & Tribollet, Electrochemical Impedance Spectroscopy, 2nd ed., 2017, ch. 14).
N_ARC_BOUNDS = (0.5, 1.0)
N_TAIL_BOUNDS = (0.2, 1.0)
# Resistances may not exceed this multiple of the largest |Z| measured (a resistance a
# thousand times the largest impedance seen is not in the data).
R_UPPER_FACTOR = 1e3
# Fraction of |Z| below which a proportional-weighting sigma is not allowed to fall (a
# point where Z' or Z'' crosses zero would otherwise get an infinite weight).
SIGMA_FLOOR = 1e-3
# Evaluation budget of the fits to convergence (a fit from a start near its optimum takes a few).
MAX_NFEV_REFINE = 2000


@dataclass(frozen=True)
class Problem:
    """One circuit fitted to one spectrum: data, weighting, parameter names and bounds."""

    f: np.ndarray
    z: np.ndarray
    circuit: str
    weighting: str
    names: list[str]
    lower: list[float]
    upper: list[float]
    sigma: np.ndarray | None  # standard deviations of the stacked real, imaginary residuals

    @property
    def weight(self) -> np.ndarray:
        """Weights of the stacked real and imaginary residuals (1/σ, or 1/max|Z| unweighted)."""
        if self.sigma is not None:
            return 1.0 / self.sigma
        return np.full(2 * self.z.size, 1.0 / float(np.max(np.abs(self.z))))

    def with_data(self, z: np.ndarray) -> Problem:
        """The same circuit and bounds fitted to other data (the weights follow the data)."""
        return dataclasses.replace(self, z=z, sigma=sigma_for(z, self.weighting))


def problem(f: np.ndarray, z: np.ndarray, circuit: str, weighting: str) -> Problem:
    """The Problem of fitting ``circuit`` to the spectrum (f, z) with a weighting scheme."""
    names, _ = parameter_names(circuit)
    lower, upper = bounds_for(names, circuit, float(np.max(np.abs(z))))
    return Problem(f, z, circuit, weighting, names, lower, upper, sigma_for(z, weighting))


def sigma_for(z: np.ndarray, weighting: str) -> np.ndarray | None:
    """Standard deviations of the stacked real and imaginary residuals for a weighting."""
    mod = np.abs(z)
    if weighting == "modulus":
        return np.hstack([mod, mod])
    if weighting == "proportional":
        floor = SIGMA_FLOOR * mod
        return np.hstack([np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)])
    return None


def chi_square(z: np.ndarray, z_fit: np.ndarray, sigma: np.ndarray | None) -> float:
    """Weighted sum of squared residuals of the real and imaginary parts."""
    res = np.hstack([(z_fit - z).real, (z_fit - z).imag])
    if sigma is not None:
        res = res / sigma
    return float(np.sum(res**2))


def bounds_for(names: list[str], circuit: str, z_max: float) -> tuple[list[float], list[float]]:
    """Lower and upper bounds: resistances in [0, 1e3 max|Z|], CPE exponents in their ranges."""
    paired = {p.c for p in pairs_of(circuit)}
    lower, upper = [], []
    for name in names:
        element, _, index = name.partition("_")
        kind = kind_of(element)
        if kind == "CPE" and index == "1":
            lo, hi = N_ARC_BOUNDS if element in paired else N_TAIL_BOUNDS
        elif kind == "R":
            lo, hi = 0.0, R_UPPER_FACTOR * z_max
        elif kind in ("L", "La") and index == "1":
            lo, hi = 0.0, 1.0
        else:
            lo, hi = 0.0, np.inf
        lower.append(lo)
        upper.append(hi)
    return lower, upper


@dataclass(frozen=True)
class LocalFit:
    """A local optimum: parameter values (in the Problem's names order) and chi-square."""

    values: np.ndarray
    chi2: float


@dataclass(frozen=True)
class LogSpace:
    """The fit's variables: log of the scale parameters, exponents as they are; their bounds."""

    is_log: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    def to_x(self, values) -> np.ndarray:
        """Variables of parameter values (one vector or a batch), moved just inside the bounds."""
        v = np.asarray(values, dtype=float)
        x = np.where(self.is_log, np.log(np.maximum(v, 1e-300)), v)
        inside_lo = np.where(np.isfinite(self.lo), self.lo + 1e-9, -np.inf)
        inside_hi = np.where(np.isfinite(self.hi), self.hi - 1e-9, np.inf)
        return np.clip(x, inside_lo, inside_hi)

    def to_values(self, x: np.ndarray) -> np.ndarray:
        """Parameter values of variables."""
        return np.where(self.is_log, np.exp(x), x)


def log_space(pr: Problem) -> LogSpace:
    """The LogSpace of a Problem: log(0) = -inf lower bounds are no bound."""
    is_log = np.array([is_log_parameter(n) for n in pr.names])
    lower, upper = np.asarray(pr.lower, dtype=float), np.asarray(pr.upper, dtype=float)
    with np.errstate(divide="ignore"):
        lo = np.where(is_log, np.log(np.maximum(lower, 0.0)), lower)
        hi = np.where(is_log, np.log(upper), upper)
    return LogSpace(is_log, lo, hi)


class Residuals:
    """Weighted residuals (real parts, then imaginary) in log parameters, and their Jacobian.

    The model and its analytic Jacobian come from one pass over the circuit
    (:meth:`CompiledCircuit.jacobian`); the Jacobian of the last point is kept for scipy's
    ``jac`` call that follows at the same point. A column of a log parameter is
    dr / d ln p = p dr/dp. ``x`` may be one vector (P,) or a batch (B, P).
    """

    def __init__(self, pr: Problem, space: LogSpace):
        self.pr, self.space = pr, space
        self.model = compile_circuit(pr.circuit)
        self.frequencies = Frequencies.of(pr.f)
        self.weight = pr.weight
        self._x = None
        self._jac = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The weighted residuals at x: (2N,) or (B, 2N)."""
        p = self.space.to_values(x)
        z, dz = self.model.jacobian(self.frequencies, p)
        dz = dz * np.where(self.space.is_log, p, 1.0)[..., None, :]
        self._x = np.array(x, copy=True)
        self._jac = np.concatenate([dz.real, dz.imag], axis=-2) * self.weight[:, None]
        dr = z - self.pr.z
        return np.concatenate([dr.real, dr.imag], axis=-1) * self.weight

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """The Jacobian of the residuals at x: (2N, P) or (B, 2N, P)."""
        if self._x is None or not np.array_equal(x, self._x):
            self(x)
        return self._jac


def log_fit(pr: Problem, guess, max_nfev: int = 100) -> LocalFit | None:
    """Least squares in log(scale parameters) from ``guess`` (scipy's trf); None when it fails."""
    from scipy.optimize import least_squares

    space = log_space(pr)
    residuals = Residuals(pr, space)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            sol = least_squares(
                residuals, space.to_x(guess), jac=residuals.jacobian, bounds=(space.lo, space.hi),
                method="trf", max_nfev=max_nfev,
            )  # fmt: skip
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.all(np.isfinite(sol.fun)):
        return None
    return LocalFit(space.to_values(sol.x), float(np.sum(sol.fun**2)))


def explore(
    pr: Problem, guesses: Sequence[Sequence[float]], max_nfev: int
) -> list[LocalFit | None]:
    """Short least-squares fits from every start at once (None for a start that failed).

    A bounded Levenberg–Marquardt (Marquardt, J. SIAM 11 (1963) 431; Nocedal & Wright,
    Numerical Optimization, 2nd ed., 2006, ch. 10.3) over the batch of starts in log
    parameters: each iteration evaluates the circuit and its Jacobian for all starts in one
    pass and solves all the damped normal equations together, so the per-iteration cost of
    Python is paid once for the batch rather than once a start (scipy's trust-region solver,
    one start at a time, spent ~0.3 ms an iteration on this). Bounds: a step is clipped to the
    box, and a variable on a bound whose gradient points outwards is held there. Each start
    stops after ``max_nfev`` evaluations or when its cost falls by less than LM_FTOL
    relatively; ranking short fits is all this is for (the best are refined by
    :func:`log_fit`).
    """
    if not guesses:
        return []
    space = log_space(pr)
    residuals = Residuals(pr, space)
    with np.errstate(all="ignore"):
        state = _LMState.start(residuals, space.to_x(np.asarray(guesses, dtype=float)))
        for _ in range(max_nfev - 1):
            if not state.step(residuals, space):
                break
    return [
        LocalFit(space.to_values(x), float(2 * c)) if np.isfinite(c) else None
        for x, c in zip(state.x, state.cost)
    ]


# Levenberg–Marquardt damping μ (Madsen, Nielsen & Tingleff, Methods for Non-linear Least
# Squares Problems, 2nd ed., DTU 2004, Algorithm 3.16): μ0 = LM_TAU max diag(JᵀJ); after a
# step with gain ratio ρ > 0, μ *= max(1/3, 1 - (2ρ - 1)³); after a rejected one μ *= ν,
# ν *= 2. Isotropic damping (μI, not μ diag JᵀJ), as scipy's trf with x_scale=1: the
# variables are logarithms and exponents, of like scale.
LM_TAU = 1e-3
LM_DAMPING_MAX = 1e16
# A start has converged when an accepted step lowers its cost by less than this fraction
# (scipy least_squares' default ftol).
LM_FTOL = 1e-8
LM_XTOL = 1e-8


@dataclass
class _LMState:
    """Variables, residuals, Jacobians, costs and damping of a batch of LM fits."""

    x: np.ndarray  # (B, P)
    r: np.ndarray  # (B, M)
    jac: np.ndarray  # (B, M, P)
    cost: np.ndarray  # (B,) half the sum of squares
    mu: np.ndarray  # (B,) damping
    nu: np.ndarray  # (B,) damping growth after a rejected step
    active: np.ndarray  # (B,) bool

    @classmethod
    def start(cls, residuals: Residuals, x: np.ndarray) -> _LMState:
        """The state at the starts."""
        r = residuals(x)
        jac = residuals.jacobian(x)
        cost = 0.5 * np.sum(r**2, axis=1)
        finite = np.isfinite(cost) & np.all(np.isfinite(jac), axis=(1, 2))
        cost[~finite] = np.inf
        mu = LM_TAU * np.max(np.sum(jac**2, axis=1), axis=1)
        return cls(x, r, jac, cost, mu, np.full(x.shape[0], 2.0), finite)

    def step(self, residuals: Residuals, space: LogSpace) -> bool:
        """One damped Gauss–Newton step of every active fit; False when none is left."""
        k = np.flatnonzero(self.active)
        if k.size == 0:
            return False
        x, jac, r = self.x[k], self.jac[k], self.r[k]
        jac_t = jac.transpose(0, 2, 1)
        gradient = (jac_t @ r[..., None])[..., 0]
        held = ((x <= space.lo) & (gradient > 0)) | ((x >= space.hi) & (gradient < 0))
        gradient = np.where(held, 0.0, gradient)
        normal = jac_t @ jac
        if held.any():
            normal *= ~(held[:, :, None] | held[:, None, :])
        idx = np.arange(x.shape[1])
        system = normal.copy()
        system[:, idx, idx] += np.where(held, 1.0, self.mu[k, None])
        try:
            delta = np.linalg.solve(system, -gradient[..., None])[..., 0]
        except np.linalg.LinAlgError:
            delta = -gradient / self.mu[k, None]
        x_new = np.clip(x + delta, space.lo, space.hi)
        h = x_new - x
        curvature = (h[:, None, :] @ normal @ h[..., None])[:, 0, 0]
        predicted = -(np.sum(gradient * h, axis=1) + 0.5 * curvature)
        r_new = residuals(x_new)
        cost_new = 0.5 * np.sum(r_new**2, axis=1)
        jac_new = residuals.jacobian(x_new)
        finite = np.isfinite(cost_new) & np.all(np.isfinite(jac_new), axis=(1, 2))
        rho = np.where(finite & (predicted > 0), (self.cost[k] - cost_new) / predicted, -1.0)
        better = rho > 0
        small = np.linalg.norm(h, axis=1) <= LM_XTOL * (LM_XTOL + np.linalg.norm(x, axis=1))
        converged = better & ((self.cost[k] - cost_new <= LM_FTOL * self.cost[k]) | small)
        accepted = k[better]
        self.x[accepted], self.r[accepted] = x_new[better], r_new[better]
        self.jac[accepted], self.cost[accepted] = jac_new[better], cost_new[better]
        shrink = np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
        self.mu[k] = np.where(better, self.mu[k] * shrink, self.mu[k] * self.nu[k])
        self.nu[k] = np.where(better, 2.0, self.nu[k] * 2.0)
        self.active[k[converged | (self.mu[k] >= LM_DAMPING_MAX)]] = False
        return True
