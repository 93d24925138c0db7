"""One CV cycle prepared for peak finding: cycle choice, sweep branches, smoothing, noise, baseline.

- Cycle: the requested cycle when it is complete, else the last complete one. A cycle is
  complete when it sweeps both ways over at least :data:`COMPLETE_SPAN_FRACTION` of the
  file's potential window.
- Branches: the longest run of points with dE/dt > 0 (anodic) and with dE/dt < 0 (cathodic).
- Smoothing: ``scipy.signal.savgol_filter`` over the smoothing window (odd point count, at
  least 5), cubic (quadratic for short windows).
- Noise: 1.4826 x MAD of (raw - smoothed), divided by sqrt(1 - h0) where h0 is the filter's
  centre weight (the residual of a smoother underestimates white noise by that factor;
  Savitzky & Golay 1964, Anal. Chem. 36, 1627).
- Baseline: a least-squares line outside the peak regions (see :func:`linear_baseline`).
  Why not pybaselines: a thin-film CV branch is short (hundreds of points) with one or two
  broad peaks on a capacitive + resistive (near-linear) background; a linear fit with explicit
  peak masking is transparent and needs no tuning, where asls/arpls need a smoothness
  parameter whose right value depends on the sweep step. The price: on a strongly curved
  background (a diffusion tail or a faradaic onset at a vertex, e.g. the real Gamry CV in
  tests/cv) the line is a poor background, so peak heights there are approximate; peak
  *detection* does not depend on it (prominence is measured on the smoothed current).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import savgol_coeffs, savgol_filter

# A cycle is complete when its potential span is at least this fraction of the file's.
COMPLETE_SPAN_FRACTION = 0.9
# Fewest points a sweep branch must hold to be analysed.
MIN_BRANCH_POINTS = 10
# Fraction of a branch that must remain outside peak regions for the fitted baseline.
MIN_BASELINE_FRACTION = 0.1
# Normal-consistency factor of the median absolute deviation (Gaussian noise; Rousseeuw &
# Croux 1993, J. Am. Stat. Assoc. 88, 1273).
MAD_TO_SIGMA = 1.4826
# Noise floor relative to the largest |j|, for noise-free (simulated or quantised) data.
RELATIVE_NOISE_FLOOR = 1e-6


def complete_cycles(potential: np.ndarray, cycle: np.ndarray) -> list[int]:
    """The cycle numbers that sweep both ways over at least 90 % of the file's window."""
    span = float(np.nanmax(potential) - np.nanmin(potential)) if potential.size else 0.0
    out = []
    for c in np.unique(cycle):
        e = potential[cycle == c]
        if e.size < 2 * MIN_BRANCH_POINTS or span <= 0:
            continue
        steps = np.diff(e)
        up, down = np.sum(steps > 0), np.sum(steps < 0)
        both_ways = up >= MIN_BRANCH_POINTS and down >= MIN_BRANCH_POINTS
        if both_ways and (e.max() - e.min()) >= COMPLETE_SPAN_FRACTION * span:
            out.append(int(c))
    return out


def choose_cycle(
    potential: np.ndarray, cycle: np.ndarray, requested: int
) -> tuple[int | None, str]:
    """The cycle to analyse and a note when it is not the requested one (None: none complete)."""
    complete = complete_cycles(potential, cycle)
    if requested in complete:
        return requested, ""
    if not complete:
        return None, "no complete cycle (both sweep directions over 90 % of the window)"
    chosen = complete[-1]
    note = f"cycle {requested} requested but absent or incomplete; analysed cycle {chosen}"
    return chosen, note + " (last complete)"


def widest_cycle(potential: np.ndarray, cycle: np.ndarray) -> int | None:
    """The cycle spanning the widest potential range (None when there are no points)."""
    numbers = [int(c) for c in np.unique(cycle)]
    if not numbers:
        return None
    return max(numbers, key=lambda c: np.ptp(potential[cycle == c]))


def longest_run(mask: np.ndarray) -> np.ndarray:
    """Indices of the longest run of consecutive True values in ``mask``."""
    best = (0, 0)
    start = None
    for i, value in enumerate(np.append(mask, False)):
        if value and start is None:
            start = i
        elif not value and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return np.arange(best[0], best[1])


def branches(potential: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays of the anodic (dE/dt > 0) and cathodic (dE/dt < 0) branches."""
    de = np.gradient(potential)
    tol = 0.1 * float(np.median(np.abs(de))) if de.size else 0.0
    return longest_run(de > tol), longest_run(de < -tol)


def window_points(potential: np.ndarray, window_V: float) -> int:
    """Odd Savitzky-Golay window length (points) covering ``window_V`` of sweep, at least 5."""
    step = float(np.median(np.abs(np.diff(potential)))) if potential.size > 1 else 0.0
    n = int(round(window_V / step)) if step > 0 else 5
    n = max(n, 5)
    if n % 2 == 0:
        n += 1
    return n


def smooth(values: np.ndarray, window: int) -> tuple[np.ndarray, float]:
    """Savitzky-Golay smoothed values and the filter's centre weight h0."""
    window = min(window, values.size if values.size % 2 else values.size - 1)
    order = 3 if window >= 7 else 2
    if window <= order:
        return values.copy(), 1.0
    h0 = float(savgol_coeffs(window, order)[window // 2])
    return savgol_filter(values, window, order, mode="interp"), h0


def noise_level(residuals: np.ndarray, h0: float) -> float:
    """Robust white-noise estimate from the residuals of the smoother (see module docstring)."""
    if residuals.size == 0 or h0 >= 1.0:
        return 0.0
    mad = float(np.median(np.abs(residuals - np.median(residuals))))
    return MAD_TO_SIGMA * mad / math.sqrt(1.0 - h0)


def linear_baseline(x: np.ndarray, y: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, str]:
    """A least-squares line through y(x) on ``keep``; a line through the ends when too few."""
    if keep.sum() >= max(MIN_BASELINE_FRACTION * x.size, 3):
        coef = np.polyfit(x[keep], y[keep], 1)
        return np.polyval(coef, x), "linear fit outside peak regions"
    k = max(1, min(5, x.size // 10))
    x0, x1 = float(np.mean(x[:k])), float(np.mean(x[-k:]))
    y0, y1 = float(np.mean(y[:k])), float(np.mean(y[-k:]))
    slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
    return y0 + slope * (x - x0), "line through the branch ends"
