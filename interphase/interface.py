"""The interface on a line profile across a cathode film | solid electrolyte junction.

One home for what the EDX and EELS line analyses, their figures and the demo share:

- :data:`FILM_METALS`, the film's transition metals, whose summed signal marks the film;
- :func:`erf_step`, the error-function step of a profile across the interface (the solution
  of Fick's second law for a diffusion couple with constant D: J. Crank, *The Mathematics of
  Diffusion*, 2nd ed., 1975, eq. 2.14), and :data:`WIDTH_10_90_PER_SIGMA`, its 10-90 % width;
- the interface definition of CONTRACT.md §2: the interface position on a line profile is
  where the film's transition-metal signal (Ni+Co+Mn) falls to half of its plateau in the
  film. :func:`locate` fits the erf step to that signal (plateau P in the film, level L on
  the far side, centre x0, sigma) and solves erf_step(x) = P/2:
  x = x0 + sqrt(2) sigma erfcinv((P - 2L)/(P - L)). Where the far level is zero this is
  the erf midpoint x0; where a film metal keeps a level on the electrolyte side (L > 0) the
  half-plateau point lies beyond x0, and the midpoint would misplace the interface;
- the film-side detection: the film side of a line is the end where the film's transition
  metals are (:func:`film_is_last`, :func:`reverse_line`). An analysis turns a line that runs
  from the electrolyte into the film around, so that the same line read either way gives the
  same numbers: distances then count from the film end, x' = x_first + x_last - x, which
  keeps the recorded range.

The demo generators may import the plain constants here, never the fitting code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from scipy.optimize import curve_fit
from scipy.special import erf, erfcinv, erfinv

# The transition metals of the NMC111 film, LiNi1/3Co1/3Mn1/3O2 (CONTRACT.md §2: Ni+Co+Mn).
FILM_METALS = ("Ni", "Co", "Mn")

# 10-90 % width of an erf step in units of sigma: 2 * Phi^-1(0.9) = 2 sqrt(2) erfinv(0.8)
# = 2.5631 (Phi^-1: the standard normal quantile).
WIDTH_10_90_PER_SIGMA = 2.0 * math.sqrt(2.0) * float(erfinv(0.8))

# Fraction of the points at each end of a line whose median stands for that end's level.
END_FRACTION = 0.1
END_MIN_POINTS = 3
# A film signal whose two ends differ by less than this many times its noise has no step.
NO_STEP_FACTOR = 3.0
MIN_POINTS = 5


def erf_step(x: np.ndarray, film: float, far: float, centre: float, sigma: float) -> np.ndarray:
    """Erf step from the film plateau (x << centre) to the far level (x >> centre)."""
    u = (np.asarray(x) - centre) / (math.sqrt(2.0) * sigma)
    return film + (far - film) / 2.0 * (1.0 + erf(u))


def half_plateau_position(film: float, far: float, centre: float, sigma: float) -> float:
    """Where :func:`erf_step` falls to half of its film plateau (NaN when it never does)."""
    if not (film > 0 and far < film / 2.0 and sigma > 0):
        return math.nan
    # far + (film - far)/2 * erfc(u) = film/2  ->  erfc(u) = (film - 2 far)/(film - far)
    u = float(erfcinv((film - 2.0 * far) / (film - far)))
    return float(centre + math.sqrt(2.0) * sigma * u)


def half_crossing(x: np.ndarray, signal: np.ndarray, plateau: float) -> float:
    """First x where signal falls below half of ``plateau``, linearly interpolated."""
    ok = np.isfinite(signal)
    x, s = np.asarray(x)[ok], np.asarray(signal)[ok]
    half = 0.5 * plateau
    below = np.nonzero(s < half)[0]
    if not half > 0 or below.size == 0 or below[0] == 0:
        return math.nan
    i = below[0]
    return float(x[i - 1] + (half - s[i - 1]) * (x[i] - x[i - 1]) / (s[i] - s[i - 1]))


def end_levels(signal: np.ndarray) -> tuple[float, float]:
    """Medians of the first and last END_FRACTION of the finite points of a profile."""
    s = np.asarray(signal, dtype=float)
    s = s[np.isfinite(s)]
    if s.size < 2:
        return math.nan, math.nan
    n = min(max(END_MIN_POINTS, int(round(END_FRACTION * s.size))), max(s.size // 2, 1))
    return float(np.median(s[:n])), float(np.median(s[-n:]))


def film_is_last(signal: np.ndarray, stderr: np.ndarray | None = None) -> bool:
    """True when the film's transition-metal signal is clearly higher at the line's end.

    Clearly: by more than NO_STEP_FACTOR times the noise (the median ``stderr``, else the
    point-to-point scatter), so that a line without a step is never turned around.
    """
    first, last = end_levels(signal)
    if not (math.isfinite(first) and math.isfinite(last)):
        return False
    finite = np.asarray(stderr, float)[np.isfinite(stderr)] if stderr is not None else None
    noise = float(np.median(finite)) if finite is not None and finite.size else point_noise(signal)
    return bool(last - first > NO_STEP_FACTOR * (noise if math.isfinite(noise) else 0.0))


def reverse_line(ds: xr.Dataset, dims: tuple[str, ...] = ("distance",)) -> xr.Dataset:
    """The line read from its other end: x' = x_first + x_last - x along every dim in ``dims``.

    The first dim's range is used for all, so that companion axes (e.g. the positions of
    low-loss spectra) stay registered on the line. The original positions are kept as
    ``<dim>_in_file`` and the attribute ``line_reversed`` is set to 1.
    """
    x = np.asarray(ds[dims[0]].values, dtype=float)
    total = float(np.nanmin(x) + np.nanmax(x)) if x.size else 0.0
    out = ds
    for dim in dims:
        if dim not in out.dims:
            continue
        out = out.isel({dim: slice(None, None, -1)})
        old = out[dim]
        out = out.assign_coords(
            {dim: (dim, total - np.asarray(old.values, float), dict(old.attrs))}
        )
        out[f"{dim}_in_file"] = (
            dim,
            np.asarray(old.values, float),
            {
                "units": old.attrs.get("units", "nm"),
                "long_name": f"{old.attrs.get('long_name', dim)} as recorded in the file",
            },
        )
    out.attrs = {**ds.attrs, "line_reversed": 1}
    return out


def point_noise(y: np.ndarray) -> float:
    """Robust point-to-point noise: MAD of second differences (var = 6 sigma^2), as a sigma."""
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    if y.size < 4:
        return math.nan
    d2 = y[:-2] - 2.0 * y[1:-1] + y[2:]
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0))


@dataclass
class InterfaceFit:
    """The interface of a line: position, stderr, the erf fit of the film signal, status."""

    position: float = math.nan
    stderr: float = math.nan
    plateau: float = math.nan
    level: float = math.nan
    centre: float = math.nan
    sigma: float = math.nan
    sigma_stderr: float = math.nan
    method: str = "none"
    status: str = "failed"
    note: str = ""
    model: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def width_10_90(self) -> float:
        """10-90 % width of the fitted step (nm)."""
        return WIDTH_10_90_PER_SIGMA * self.sigma

    @property
    def width_10_90_stderr(self) -> float:
        """Standard error of the 10-90 % width (nm)."""
        return WIDTH_10_90_PER_SIGMA * self.sigma_stderr


def _start(x: np.ndarray, y: np.ndarray, plateau: float, level: float) -> list[float]:
    """Start values (plateau, level, centre, sigma) read off the data."""
    centre = half_crossing(x, y, plateau + level)
    if not math.isfinite(centre):
        centre = float(x[0] + x[-1]) / 2.0
    frac = (y - level) / (plateau - level)
    above = x[(frac >= 0.9) & (x <= centre)]
    below = x[(frac <= 0.1) & (x >= centre)]
    sigma = (float(below.min()) - float(above.max())) / WIDTH_10_90_PER_SIGMA
    if not (above.size and below.size and sigma > 0):
        sigma = float(x[-1] - x[0]) / 10.0
    return [plateau, level, centre, sigma]


def _position_stderr(popt: np.ndarray, pcov: np.ndarray) -> float:
    """Stderr of the half-plateau position by the delta method (numerical gradient)."""
    base = half_plateau_position(*popt)
    grad = np.zeros(4)
    for k in range(4):
        h = 1e-6 * max(abs(popt[k]), 1e-3)
        step = np.array(popt, dtype=float)
        step[k] += h
        grad[k] = (half_plateau_position(*step) - base) / h
    return float(math.sqrt(max(float(grad @ pcov @ grad), 0.0)))


def _fit(x: np.ndarray, y: np.ndarray, e: np.ndarray | None, p0: list[float]):
    """Bounded least-squares erf fit; covariance scaled by max(chi2/dof, 1) when weighted."""
    span, step = float(x[-1] - x[0]), float(np.median(np.diff(x)))
    lower = [-np.inf, -np.inf, float(x[0]), step / 10.0]
    upper = [np.inf, np.inf, float(x[-1]), span]
    p0 = [p0[0], p0[1], min(max(p0[2], lower[2]), upper[2]), min(max(p0[3], lower[3]), span)]
    popt, pcov = curve_fit(
        erf_step,
        x,
        y,
        p0=p0,
        sigma=e,
        absolute_sigma=e is not None,
        bounds=(lower, upper),
        maxfev=10000,
    )
    if e is not None:
        chi2 = float(np.sum(((y - erf_step(x, *popt)) / e) ** 2)) / max(y.size - 4, 1)
        pcov = pcov * max(chi2, 1.0)
    return popt, pcov, (lower, upper)


def locate(x: np.ndarray, signal: np.ndarray, stderr: np.ndarray | None = None) -> InterfaceFit:
    """The interface of a line whose film comes first: half of the film plateau of the signal.

    ``signal`` is the film's transition-metal signal along ``x`` (film side first), ``stderr``
    its per-point standard errors (None: unweighted, errors from the residual scatter). The
    erf fit's plateau defines the film level; where the fit fails, the half-plateau crossing
    of the data (film level: median of the first points) is interpolated instead.
    """
    x, y = np.asarray(x, float), np.asarray(signal, float)
    ok = np.isfinite(y) if stderr is None else np.isfinite(y) & np.isfinite(stderr) & (stderr > 0)
    out = InterfaceFit(model=np.full(x.shape, math.nan))
    if ok.sum() < MIN_POINTS:
        out.note = f"only {int(ok.sum())} positions with a film signal"
        return out
    xs, ys = x[ok], y[ok]
    es = None if stderr is None else np.asarray(stderr, float)[ok]
    plateau, level = end_levels(ys)
    noise = point_noise(ys) if es is None else float(np.median(es))
    if not plateau - level > NO_STEP_FACTOR * noise:
        out.note = (
            f"no step in the film signal: plateau {plateau:.3g} minus far level {level:.3g} is "
            f"below {NO_STEP_FACTOR:g} x noise {noise:.3g}"
        )
        return out
    guess = half_crossing(xs, ys, plateau)
    if math.isfinite(guess):
        out.position, out.method, out.status = (
            guess,
            "interpolated half-plateau crossing",
            "flagged",
        )
        out.note = "erf fit of the film signal failed: position interpolated, no stderr"
    try:
        popt, pcov, bounds = _fit(xs, ys, es, _start(xs, ys, plateau, level))
    except (RuntimeError, ValueError) as exc:
        out.note = f"{out.note or 'no half-plateau crossing'} ({exc})"
        return out
    position = half_plateau_position(*popt)
    if not (math.isfinite(position) and np.all(np.isfinite(pcov)) and xs[0] <= position <= xs[-1]):
        if not math.isfinite(guess):
            out.note = "the film signal does not fall to half its plateau on the line"
        return out
    out.position, out.stderr = position, _position_stderr(popt, pcov)
    out.plateau, out.level, out.centre, out.sigma = (float(v) for v in popt)
    out.sigma_stderr = float(math.sqrt(pcov[3, 3]))
    out.method = "erf fit of the film signal, half of its film plateau"
    out.model = erf_step(x, *popt)
    out.status, out.note = "ok", ""
    lower, upper = bounds
    if np.isclose(popt[3], upper[3], rtol=1e-3) or np.isclose(popt[3], lower[3], rtol=1e-3):
        out.status, out.note = "flagged", "erf width of the film signal at its bound"
    return out
