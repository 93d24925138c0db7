"""The interface on a line profile across a cathode film | solid electrolyte junction.

One home for what the EDX and EELS line analyses, their figures and the demo share:

- :data:`FILM_METALS`, the film's transition metals, whose summed signal marks the film;
- :func:`erf_step`, the error-function step of a profile across the interface (the solution
  of Fick's second law for a diffusion couple with constant D: J. Crank, *The Mathematics of
  Diffusion*, 2nd ed., 1975, eq. 2.14), and :data:`WIDTH_10_90_PER_SIGMA`, its 10-90 % width;
- the interface definition of CONTRACT.md §2: the interface position on a line profile is
  where the film's transition-metal signal (Ni+Co+Mn) falls to half of its plateau in the
  film (:func:`half_plateau_position`);
- the film-side detection: the film side of a line is the end where the film's transition
  metals are (:func:`film_is_last`).

The demo generators may import the plain constants here, never fitting code.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf, erfcinv

# The transition metals of the NMC111 film, LiNi1/3Co1/3Mn1/3O2 (CONTRACT.md §2: Ni+Co+Mn).
FILM_METALS = ("Ni", "Co", "Mn")

# 10-90 % width of an erf step in units of sigma: 2 * Phi^-1(0.9) = 2 * 1.28155 (Phi^-1: the
# standard normal quantile), as rounded to four digits by the first EDX analysis.
WIDTH_10_90_PER_SIGMA = 2.563

# Fraction of the points at each end of a line whose median stands for that end's level.
END_FRACTION = 0.1
END_MIN_POINTS = 3


def erf_step(x: np.ndarray, film: float, far: float, centre: float, sigma: float) -> np.ndarray:
    """Erf step from the film plateau (x << centre) to the far level (x >> centre)."""
    return film + (far - film) / 2.0 * (
        1.0 + erf((np.asarray(x) - centre) / (math.sqrt(2.0) * sigma))
    )


def half_plateau_position(film: float, far: float, centre: float, sigma: float) -> float:
    """Where :func:`erf_step` falls to half of its film plateau (NaN when it never does)."""
    if not film > 0 or not far < film / 2.0 or not sigma > 0:
        return math.nan
    # far + (film - far)/2 * erfc(u) = film/2  ->  erfc(u) = 1 - far/film
    frac = 1.0 - far / film
    u = float(erfcinv(frac)) if 0.0 < frac < 2.0 else 0.0
    return float(centre + math.sqrt(2.0) * sigma * u)


def half_crossing(x: np.ndarray, signal: np.ndarray) -> float:
    """First x where signal falls below half its film plateau (mean of the first 3 points)."""
    ok = np.isfinite(signal)
    x, s = x[ok], signal[ok]
    if s.size < 2:
        return math.nan
    half = 0.5 * float(np.mean(s[:3]))
    below = np.nonzero(s < half)[0]
    if half <= 0 or below.size == 0 or below[0] == 0:
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


def film_is_last(signal: np.ndarray) -> bool:
    """True when the film's transition-metal signal is higher at the line's end than at its start."""
    first, last = end_levels(signal)
    return bool(math.isfinite(first) and math.isfinite(last) and last > first)
