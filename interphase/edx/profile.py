"""Erf fits of one EDX line profile: start values, the symmetric and the two-sided step.

Each element's profile across the interface is fitted with the error-function step of
:func:`interphase.interface.erf_step`,

    C(x) = C_a + (C_b - C_a)/2 * [1 + erf((x - x0) / (sqrt(2) sigma))]

C_a on the film side, C_b on the far side. Its 10-90 % width is
``interface.WIDTH_10_90_PER_SIGMA`` (2.563) sigma.

Fitting uses :func:`scipy.optimize.curve_fit` (trust-region least squares within bounds,
standard errors from the covariance scaled by the residual variance); lmfit would add
parameter objects but nothing this four-parameter model needs. Start values come from the
data: plateaus are medians of the first and last 10 % of the points, x0 the half-step
crossing of a smoothed profile, sigma from its 10-90 % crossings.

An element whose plateau difference is below three times its point noise has no measurable
step: it gets NaN parameters and status ``failed`` with a note (no number, CONTRACT.md §3),
never a width fitted to noise.

Asymmetric profiles: a step whose two flanks differ (faster diffusion on one side) is also
fitted with a two-sided erf, sigma_left below x0 and sigma_right above (continuous at x0,
where it passes half-way). Its 10-90 % width is 1.2816 (sigma_left + sigma_right), i.e.
2.563 times the mean sigma. The two-sided model is used for an element only when it fits
significantly better: the extra-sum-of-squares F-test of the nested models (F(1, n-5),
p < ``asymmetry_p_value``, default 0.01); ``model`` says which model was used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.optimize import curve_fit
from scipy.special import erf
from scipy.stats import f as f_distribution

from interphase.interface import WIDTH_10_90_PER_SIGMA, erf_step, point_noise

# A step smaller than this many times the point noise is not a step (see module docstring).
NO_STEP_FACTOR = 3.0
# Relative standard error of the width above which a fitted width is flagged.
MAX_RELATIVE_STDERR = 0.5
# Fraction of the points (at each end) whose median gives the start plateaus.
PLATEAU_FRACTION = 0.1
SMOOTHING_POINTS = 5

PARAMETERS = ("c_a", "c_b", "x0", "sigma")
ASYM_PARAMETERS = ("c_a", "c_b", "x0", "sigma_left", "sigma_right")
PROFILE_MODELS = ("auto", "symmetric", "asymmetric")


@dataclass
class StepFit:
    """One profile's erf fit: parameters and stderrs by name, noise, status, note, model."""

    value: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PARAMETERS, math.nan))
    stderr: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PARAMETERS, math.nan))
    noise: float = math.nan
    status: str = "failed"
    note: str = ""
    model: str = "erf"
    p_asymmetric: float = math.nan
    rss: float = math.nan
    n: int = 0
    bounds: tuple[list[float], list[float]] = ([], [])


def erf_step_asym(
    x: np.ndarray, c_a: float, c_b: float, x0: float, sigma_left: float, sigma_right: float
) -> np.ndarray:
    """Two-sided erf step: standard deviation sigma_left below x0 and sigma_right above it."""
    x = np.asarray(x)
    sigma = np.where(x < x0, sigma_left, sigma_right)
    return c_a + (c_b - c_a) / 2.0 * (1.0 + erf((x - x0) / (math.sqrt(2.0) * sigma)))


def crossings(x: np.ndarray, frac: np.ndarray, level: float) -> np.ndarray:
    """Positions (linearly interpolated) where frac crosses level."""
    above = frac >= level
    idx = np.flatnonzero(above[1:] != above[:-1])
    x1, x2, f1, f2 = x[idx], x[idx + 1], frac[idx], frac[idx + 1]
    return x1 + (level - f1) * (x2 - x1) / (f2 - f1)


def start_values(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Start values (c_a, c_b, x0, sigma) read off the data."""
    n = max(3, int(round(PLATEAU_FRACTION * x.size)))
    c_a, c_b = float(np.median(y[:n])), float(np.median(y[-n:]))
    span = float(x[-1] - x[0])
    step = float(np.median(np.diff(x)))
    smooth = uniform_filter1d(y, size=min(SMOOTHING_POINTS, x.size), mode="nearest")
    frac = (smooth - c_a) / (c_b - c_a) if c_b != c_a else np.zeros_like(smooth)
    half = crossings(x, frac, 0.5)
    x0 = float(np.median(half)) if half.size else float(x[0] + span / 2.0)
    x10, x90 = crossings(x, frac, 0.1), crossings(x, frac, 0.9)
    if x10.size and x90.size:
        sigma = abs(float(np.median(x90) - np.median(x10))) / WIDTH_10_90_PER_SIGMA
    else:
        sigma = span / 10.0
    return c_a, c_b, x0, max(sigma, step)


def _problems(popt: np.ndarray, perr: np.ndarray, lower: list, upper: list) -> list[str]:
    """The quality checks of a symmetric fit that failed: uncertain width, bounds hit."""
    problems = []
    sigma, sigma_err = popt[3], perr[3]
    if not np.isfinite(sigma_err):
        problems.append("no standard error for sigma")
    elif sigma_err > MAX_RELATIVE_STDERR * sigma:
        problems.append(f"width uncertain (stderr {100 * sigma_err / sigma:.0f} % of the value)")
    if np.isclose(sigma, upper[3], rtol=1e-3) or np.isclose(sigma, lower[3], rtol=1e-3):
        problems.append("sigma at its bound")
    if np.isclose(popt[2], lower[2]) or np.isclose(popt[2], upper[2]):
        problems.append("step centre at the end of the line")
    return problems


def fit_step(x: np.ndarray, y: np.ndarray) -> StepFit:
    """Fit one profile with the symmetric erf step: parameters, stderrs, noise, status, note."""
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    result = StepFit()
    if x.size < 8:
        result.note = f"only {x.size} finite points"
        return result
    noise = point_noise(y)
    result.noise = noise
    p0 = start_values(x, y)
    difference = abs(p0[1] - p0[0])
    if not difference > NO_STEP_FACTOR * noise:
        result.note = (
            f"no step: plateau difference {difference:.3g} is below "
            f"{NO_STEP_FACTOR:g} x noise {noise:.3g}"
        )
        return result
    step = float(np.median(np.diff(x)))
    span = float(x[-1] - x[0])
    lower = [-np.inf, -np.inf, float(x[0]), step / 10.0]
    upper = [np.inf, np.inf, float(x[-1]), span]
    p0 = (
        p0[0],
        p0[1],
        min(max(p0[2], lower[2]), upper[2]),
        min(max(p0[3], lower[3]), upper[3] * 0.99),
    )
    try:
        popt, pcov = curve_fit(erf_step, x, y, p0=p0, bounds=(lower, upper), maxfev=10000)
    except (RuntimeError, ValueError) as exc:
        result.note = f"erf fit did not converge: {exc}"
        return result
    perr = np.sqrt(np.diag(pcov)) if np.all(np.isfinite(pcov)) else np.full(4, np.nan)
    result.value = dict(zip(PARAMETERS, map(float, popt)))
    result.stderr = dict(zip(PARAMETERS, map(float, perr)))
    problems = _problems(popt, perr, lower, upper)
    result.status = "flagged" if problems else "ok"
    result.note = "; ".join(problems)
    result.rss = float(np.sum((y - erf_step(x, *popt)) ** 2))
    result.n = int(x.size)
    result.bounds = (lower, upper)
    return result


@dataclass
class AsymmetricFit:
    """The two-sided erf fit: values and stderrs by name, covariance, residual sum of squares."""

    value: dict[str, float]
    stderr: dict[str, float]
    cov: np.ndarray
    rss: float


def fit_asymmetric(x: np.ndarray, y: np.ndarray, symmetric: StepFit) -> AsymmetricFit | None:
    """Two-sided erf fit started from the symmetric one; None when it fails."""
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    v = symmetric.value
    lower, upper = symmetric.bounds
    lower = lower[:3] + [lower[3], lower[3]]
    upper = upper[:3] + [upper[3], upper[3]]
    sigma0 = min(v["sigma"], upper[3] * 0.99)
    p0 = (v["c_a"], v["c_b"], v["x0"], sigma0, sigma0)
    try:
        popt, pcov = curve_fit(erf_step_asym, x, y, p0=p0, bounds=(lower, upper), maxfev=10000)
    except (RuntimeError, ValueError):
        return None
    if not np.all(np.isfinite(pcov)):
        return None
    return AsymmetricFit(
        value=dict(zip(ASYM_PARAMETERS, map(float, popt))),
        stderr=dict(zip(ASYM_PARAMETERS, map(float, np.sqrt(np.diag(pcov))))),
        cov=pcov,
        rss=float(np.sum((y - erf_step_asym(x, *popt)) ** 2)),
    )


def f_test_p(rss_simple: float, rss_full: float, n: int, extra: int = 1, n_full: int = 5) -> float:
    """p-value of the extra-sum-of-squares F-test: does the full model fit significantly better?"""
    dof = n - n_full
    if dof <= 0 or not rss_full > 0:
        return math.nan
    f_value = max((rss_simple - rss_full) / extra, 0.0) / (rss_full / dof)
    return float(f_distribution.sf(f_value, extra, dof))


def _use_asymmetric(result: StepFit, asym: AsymmetricFit) -> StepFit:
    """The symmetric result replaced by the two-sided fit, with its own quality checks."""
    v, e, cov = asym.value, asym.stderr, asym.cov
    sigma = 0.5 * (v["sigma_left"] + v["sigma_right"])
    sigma_err = 0.5 * math.sqrt(max(cov[3, 3] + cov[4, 4] + 2.0 * cov[3, 4], 0.0))
    result.value = {**{k: v[k] for k in ASYM_PARAMETERS}, "sigma": sigma}
    result.stderr = {**{k: e[k] for k in ASYM_PARAMETERS}, "sigma": sigma_err}
    result.rss = asym.rss
    result.model = "two-sided erf"
    kept = ("width uncertain", "sigma at its bound")
    problems = [n for n in result.note.split("; ") if n and not n.startswith(kept)]
    lower, upper = result.bounds
    for side in ("sigma_left", "sigma_right"):
        if np.isclose(v[side], upper[3], rtol=1e-3) or np.isclose(v[side], lower[3], rtol=1e-3):
            problems.append(f"{side} at its bound")
    if sigma_err > MAX_RELATIVE_STDERR * sigma:
        problems.append(f"width uncertain (stderr {100 * sigma_err / sigma:.0f} % of the value)")
    result.status = "flagged" if problems else "ok"
    result.note = "; ".join(problems)
    return result


def fit_profile(
    x: np.ndarray, y: np.ndarray, model: str = "auto", p_threshold: float = 0.01
) -> StepFit:
    """Symmetric erf fit, and the two-sided one where ``model`` asks or the F-test prefers it.

    The result's ``sigma`` is the mean of the two flanks' sigmas, ``sigma_left`` and
    ``sigma_right`` are equal for the symmetric model; ``model`` is "erf" or "two-sided erf"
    and ``p_asymmetric`` the F-test p-value.
    """
    result = fit_step(x, y)
    for key in ("sigma_left", "sigma_right"):
        result.value[key] = result.value["sigma"]
        result.stderr[key] = result.stderr["sigma"]
    if result.status == "failed" or model == "symmetric":
        return result
    asym = fit_asymmetric(x, y, result)
    if asym is None:
        if model == "asymmetric":
            failed = "two-sided erf fit failed: symmetric erf used"
            result.note = "; ".join(filter(None, [result.note, failed]))
        return result
    p_value = f_test_p(result.rss, asym.rss, result.n)
    result.p_asymmetric = p_value
    if model == "auto" and not p_value < p_threshold:
        return result
    return _use_asymmetric(result, asym)


def model_curve(x: np.ndarray, fit: StepFit) -> np.ndarray:
    """The fitted profile of a :func:`fit_profile` result (NaN where the fit failed)."""
    v = fit.value
    if fit.model == "two-sided erf":
        return erf_step_asym(x, *(v[k] for k in ASYM_PARAMETERS))
    return erf_step(x, *(v[k] for k in PARAMETERS))
