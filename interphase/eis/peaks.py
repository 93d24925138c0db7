"""Local maxima of a sampled curve and their prominences, as scipy.signal.find_peaks finds them.

The same algorithm as scipy's ``_local_maxima_1d`` (a flat top counts once, at its middle)
and ``_peak_prominences`` (without a window: the peak's height above the higher of the
lowest points on either side before a higher sample or the end), for the two places the
EIS fit needs peaks (the -Z'' apexes of :mod:`interphase.eis.starts` and the DRT peaks of
:mod:`interphase.eis.drt`) on curves of a hundred points. Why not scipy's: importing
``scipy.signal`` costs ~0.6 s of CPU time, four times the whole fit of a spectrum, and every
EIS fit job is a fresh Python. ``tests/eis/test_peaks.py`` checks this against
``scipy.signal.find_peaks``.
"""

from __future__ import annotations

import numpy as np


def find_peaks(x: np.ndarray, prominence: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the local maxima with prominence >= ``prominence``, and their prominences."""
    values = [float(v) for v in np.asarray(x, dtype=float)]
    maxima = local_maxima(values)
    heights = [peak_prominence(values, i) for i in maxima]
    keep = [k for k, p in enumerate(heights) if p >= prominence]
    return (
        np.array([maxima[k] for k in keep], dtype=np.intp),
        np.array([heights[k] for k in keep], dtype=float),
    )


def local_maxima(x: list[float]) -> list[int]:
    """Samples higher than both neighbours; a flat top counts once, at its middle (rounded down)."""
    peaks = []
    i, i_max = 1, len(x) - 1
    while i < i_max:
        if x[i - 1] < x[i]:
            ahead = i + 1
            while ahead < i_max and x[ahead] == x[i]:
                ahead += 1
            if x[ahead] < x[i]:
                peaks.append((i + ahead - 1) // 2)
                i = ahead
        i += 1
    return peaks


def peak_prominence(x: list[float], peak: int) -> float:
    """Height of the peak above the higher of its two bases (lowest points before higher ground)."""
    top = x[peak]
    left_min = top
    i = peak
    while i >= 0 and x[i] <= top:
        left_min = min(left_min, x[i])
        i -= 1
    right_min = top
    i = peak
    while i < len(x) and x[i] <= top:
        right_min = min(right_min, x[i])
        i += 1
    return top - max(left_min, right_min)
