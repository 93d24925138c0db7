"""Standard errors of the fitted parameters: covariance in log parameters, residual bootstrap.

- :func:`standard_errors`: the covariance estimate (curve_fit's, ``absolute_sigma=False``)
  computed with the analytic Jacobian in log(scale parameters) (:func:`log_jacobian`). Not
  impedance.py's ``conf_``: curve_fit's pseudo-inverse drops singular values below eps × the
  largest, and with Q ~ 1e-8 next to R ~ 1e6 the Jacobian's columns differ by ~1e14, so the
  resistances' variances come out as ~0. In log parameters the Jacobian is well scaled.
- :func:`bootstrap_stderr` (``eis.bootstrap`` = B > 0): a residual bootstrap (Efron &
  Tibshirani, An Introduction to the Bootstrap, 1993, ch. 9.5): B spectra model + resampled
  residuals (relative to |Z_model| for modulus/proportional weighting), each refitted from
  the best parameters; the standard deviation of the B values replaces the covariance one.
"""

from __future__ import annotations

import math

import numpy as np

from interphase.eis.circuit import compile_circuit, is_log_parameter, order_pairs
from interphase.eis.optimise import MAX_NFEV_REFINE, Problem, log_fit

# Fixed seed of the residual bootstrap, so that a rerun gives the same standard errors.
BOOTSTRAP_SEED = 20150483


def standard_errors(pr: Problem, values: np.ndarray) -> np.ndarray:
    """Standard errors from the covariance in log(scale parameters), times the residual variance."""
    values = np.asarray(values, dtype=float)
    weight = pr.weight
    jac, is_log = log_jacobian(pr.f, pr.circuit, pr.names, values, weight)
    dz = compile_circuit(pr.circuit)(pr.f, values) - pr.z
    dof = max(2 * pr.z.size - values.size, 1)
    s2 = float(np.sum((np.hstack([dz.real, dz.imag]) * weight) ** 2)) / dof
    try:
        cov = np.linalg.pinv(jac.T @ jac, rcond=1e-14, hermitian=True) * s2
    except np.linalg.LinAlgError:
        return np.full(values.size, math.nan)
    sx = np.sqrt(np.clip(np.diag(cov), 0, None))
    return np.where(is_log, values * sx, sx)


def log_jacobian(
    f: np.ndarray, circuit: str, names: list[str], values: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Jacobian of the weighted model (real parts, then imaginary): (jacobian, log columns).

    Analytic (:meth:`CompiledCircuit.jacobian`). Positive scale parameters are
    differentiated in their logarithm (a column is then d Z / d ln p = p dZ/dp, the response
    to a relative change), exponents as they are.
    """
    values = np.asarray(values, dtype=float)
    is_log = np.array([is_log_parameter(n) for n in names]) & (values > 0)
    _, dz = compile_circuit(circuit).jacobian(f, values)
    dz = dz * np.where(is_log, values, 1.0)
    return np.vstack([dz.real, dz.imag]) * weight[:, None], is_log


def bootstrap_stderr(pr: Problem, values: np.ndarray, index: int, n_resamples: int) -> float:
    """Residual-bootstrap standard deviation of parameter ``index`` (after pair ordering)."""
    f, z = pr.f, pr.z
    z_fit = compile_circuit(pr.circuit)(f, values)
    relative = pr.weighting in ("modulus", "proportional")
    scale = np.abs(z_fit) if relative else np.ones(f.size)
    residuals = (z - z_fit) / scale
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = []
    for _ in range(n_resamples):
        z_star = z_fit + scale * residuals[rng.integers(0, f.size, f.size)]
        result = log_fit(pr.with_data(z_star), values, MAX_NFEV_REFINE)
        if result is not None:
            ordered, _ = order_pairs(pr.circuit, pr.names, result.values, np.zeros(len(pr.names)))
            draws.append(float(ordered[index]))
    return float(np.std(draws, ddof=1)) if len(draws) >= 2 else math.nan
