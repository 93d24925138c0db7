"""The local optimiser: one circuit, one spectrum, one start, in log(parameters).

R and CPE Q of one spectrum span up to 15 orders of magnitude, which a linear
parameterisation handles badly; so scale parameters are fitted as logarithms with scipy's
bounded ``least_squares`` (trust-region reflective) in :func:`log_fit`. :func:`polish`
ends with impedance.py's ``CustomCircuit.fit`` (the final fit a user can reproduce with
impedance.py alone). impedance.py keeps the same split: ``fitting.circuit_fit`` (the
optimiser) apart from the circuit classes.

A :class:`Problem` holds what every fit of one circuit to one spectrum shares: the data,
the residual weights, the parameter names and their bounds.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from interphase.eis.circuit import (
    compile_circuit,
    is_log_parameter,
    kind_of,
    pairs_of,
    parameter_names,
)

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
# Evaluation budget of the final fits (and of impedance.py's polish, whose default 1e5 can
# take minutes).
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


def log_fit(pr: Problem, guess, max_nfev: int = 100) -> LocalFit | None:
    """Least squares in log(scale parameters) from ``guess``; None when it fails."""
    from scipy.optimize import least_squares

    is_log = np.array([is_log_parameter(n) for n in pr.names])
    lower, upper = np.asarray(pr.lower, dtype=float), np.asarray(pr.upper, dtype=float)
    with np.errstate(divide="ignore"):
        lo = np.where(is_log, np.log(np.maximum(lower, 0.0)), lower)  # log(0) = -inf: no bound
        hi = np.where(is_log, np.log(upper), upper)
    x0 = np.where(is_log, np.log(np.maximum(guess, 1e-300)), guess)
    inside_lo = np.where(np.isfinite(lo), lo + 1e-9, -np.inf)
    inside_hi = np.where(np.isfinite(hi), hi - 1e-9, np.inf)
    x0 = np.clip(x0, inside_lo, inside_hi)
    model = compile_circuit(pr.circuit)
    weight = pr.weight
    f, z = pr.f, pr.z

    def residuals(x):
        dz = model(f, np.where(is_log, np.exp(x), x)) - z
        return np.hstack([dz.real, dz.imag]) * weight

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            sol = least_squares(residuals, x0, bounds=(lo, hi), method="trf", max_nfev=max_nfev)
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.all(np.isfinite(sol.fun)):
        return None
    return LocalFit(np.where(is_log, np.exp(sol.x), sol.x), float(np.sum(sol.fun**2)))


def polish(pr: Problem, values: np.ndarray) -> np.ndarray:
    """impedance.py's CustomCircuit.fit started at ``values`` (the fit a user can reproduce)."""
    from impedance.models.circuits import CustomCircuit

    start = np.clip(values, np.asarray(pr.lower) + 1e-300, pr.upper)
    model = CustomCircuit(pr.circuit, initial_guess=list(start))
    kwargs = {"x_scale": "jac", "maxfev": MAX_NFEV_REFINE}
    if pr.sigma is not None:
        kwargs["sigma"] = pr.sigma
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(pr.f, pr.z, bounds=(pr.lower, pr.upper), **kwargs)
    except (RuntimeError, ValueError, np.linalg.LinAlgError):
        return np.asarray(values, dtype=float)
    return np.asarray(model.parameters_, dtype=float)
