"""Peaks of one sweep branch: found on the smoothed current, refined on the raw one, integrated.

- Peaks: ``scipy.signal.find_peaks`` on the smoothed branch (maxima anodic, minima cathodic)
  with prominence >= the threshold (``min_peak_snr`` x noise); maxima within one smoothing
  window of a vertex are the sweep reversal and are dropped.
- Peak potential: the vertex of a parabola through the raw points of the peak top
  (:func:`refine_peak`): the maximum of a broad, noisy peak is otherwise uncertain by
  ~sqrt(noise / curvature), ~10 mV for a thin-film peak of 130 mV FWHM at SNR 20.
- Baseline: a straight line least-squares fitted to the branch outside the peak regions (each
  peak's half-height width widened by one FWHM each side) and outside one smoothing window at
  each vertex (the capacitive switching transient); see :mod:`interphase.cv.branches`.
- Charge: the trapezoid integral of (j - baseline) dt over each peak region (C cm-2, magnitude).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.signal import find_peaks, peak_widths

from interphase.cv.branches import linear_baseline

# Part of the peak (fraction of its height above baseline) fitted with a parabola for E_p.
PEAK_TOP_FRACTION = 0.7
# Fewest raw points of a peak top for the parabola (a parabola has 3 parameters).
MIN_TOP_POINTS = 5


@dataclass(frozen=True)
class Branch:
    """One sweep branch: potential (V), time (s), raw and smoothed current density (A cm-2)."""

    potential: np.ndarray
    time: np.ndarray
    j: np.ndarray
    j_smooth: np.ndarray
    sign: int  # +1 anodic (peaks are maxima), -1 cathodic (peaks are minima)


@dataclass(frozen=True)
class Peak:
    """A peak of one branch; ``index`` counts points of the analysed cycle (or of the branch)."""

    index: int
    potential: float
    potential_stderr: float
    j: float
    height: float
    prominence: float
    charge: float
    direction: int
    region: tuple[float, float]


@dataclass(frozen=True)
class BranchPeaks:
    """The peaks of a branch, its baseline and how the baseline was made."""

    peaks: list[Peak]
    baseline: np.ndarray
    method: str


def candidates(y: np.ndarray, threshold: float, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and prominences of the maxima of ``y`` above ``threshold``, vertices excluded."""
    idx, props = find_peaks(y, prominence=threshold if threshold > 0 else 0.0)
    n = y.size
    edge = min(window, n // 10)
    inside = (idx >= edge) & (idx < n - edge)  # a maximum at a vertex is the sweep reversal
    return idx[inside], props["prominences"][inside]


def peak_regions(y: np.ndarray, idx: np.ndarray) -> list[tuple[int, int]]:
    """Each peak's half-height width widened by one FWHM each side (point indices)."""
    if not idx.size:
        return []
    n = y.size
    _, _, left, right = peak_widths(y, idx, rel_height=0.5)
    regions = []
    for lo, hi in zip(left, right):
        fwhm = max(hi - lo, 1.0)
        regions.append((max(int(math.floor(lo - fwhm)), 0), min(int(math.ceil(hi + fwhm)), n - 1)))
    return regions


def branch_baseline(
    branch: Branch, regions: list[tuple[int, int]], window: int
) -> tuple[np.ndarray, str]:
    """The linear baseline of a branch outside the peak regions and the vertex transients."""
    n = branch.j_smooth.size
    edge = min(window, n // 10)
    keep = np.ones(n, dtype=bool)
    keep[:edge] = False
    keep[n - edge :] = False
    for lo, hi in regions:
        keep[lo : hi + 1] = False
    return linear_baseline(branch.potential, branch.j_smooth, keep)


def branch_peaks(branch: Branch, threshold: float, window: int) -> BranchPeaks:
    """Peaks of one branch (maxima anodic, minima cathodic), its baseline and method."""
    e, t, j_s, sign = branch.potential, branch.time, branch.j_smooth, branch.sign
    y = sign * j_s
    idx, prominences = candidates(y, threshold, window)
    regions = peak_regions(y, idx)
    base, method = branch_baseline(branch, regions, window)
    peaks = []
    for p, prominence, (lo, hi) in zip(idx, prominences, regions):
        seg = slice(lo, hi + 1)
        charge = abs(float(np.trapezoid(j_s[seg] - base[seg], t[seg]))) if hi > lo else 0.0
        potential, potential_stderr = refine_peak(e, branch.j, base, j_s, int(p), sign)
        peaks.append(
            Peak(
                index=int(p),
                potential=potential,
                potential_stderr=potential_stderr,
                j=float(j_s[p]),
                height=float(sign * (j_s[p] - base[p])),
                prominence=float(prominence),
                charge=charge,
                direction=sign,
                region=(float(e[lo]), float(e[hi])),
            )
        )
    return BranchPeaks(peaks, base, method)


def reindexed(peaks: list[Peak], index: np.ndarray) -> list[Peak]:
    """The peaks with branch point indices mapped to cycle point indices."""
    return [replace(p, index=int(index[p.index])) for p in peaks]


def peak_top(y: np.ndarray, p: int) -> tuple[int, int]:
    """First and last index of the contiguous run around ``p`` above PEAK_TOP_FRACTION."""
    top = y >= PEAK_TOP_FRACTION * y[p]
    lo, hi = p, p
    while lo > 0 and top[lo - 1]:
        lo -= 1
    while hi < y.size - 1 and top[hi + 1]:
        hi += 1
    return lo, hi


def refine_peak(
    e: np.ndarray, j: np.ndarray, base: np.ndarray, j_s: np.ndarray, p: int, sign: int
) -> tuple[float, float]:
    """Peak potential and its standard error from a parabola fitted to the raw peak top.

    The top is the contiguous run around ``p`` where the smoothed peak stands at least
    :data:`PEAK_TOP_FRACTION` of its height above the baseline; the vertex of the
    least-squares parabola through the raw points there is the peak potential, its standard
    error propagated from the fit covariance. Falls back to E[p] (stderr NaN) when the top has
    fewer than 5 points or the vertex lands outside it.
    """
    y = sign * (j_s - base)
    if y[p] <= 0:
        return float(e[p]), math.nan
    lo, hi = peak_top(y, p)
    if hi - lo + 1 < MIN_TOP_POINTS:
        return float(e[p]), math.nan
    x = e[lo : hi + 1] - e[p]
    coef, cov = np.polyfit(x, sign * (j[lo : hi + 1] - base[lo : hi + 1]), 2, cov=True)
    c2, c1 = coef[0], coef[1]
    if c2 >= 0:
        return float(e[p]), math.nan
    vertex = -c1 / (2 * c2)
    if not (x.min() <= vertex <= x.max()):
        return float(e[p]), math.nan
    grad = np.array([c1 / (2 * c2**2), -1 / (2 * c2), 0.0])
    stderr = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    return float(e[p] + vertex), stderr
