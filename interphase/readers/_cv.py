"""The readers' toolkit for voltammograms: sweep reversals, cycle numbers, scan rate, sign check.

For files that number neither their cycles nor state their scan rate, these derive them
from the potential and time columns as measured.
"""

from __future__ import annotations

import math

import numpy as np


def sweep_segments(potential: np.ndarray) -> np.ndarray:
    """Segment index (0-based) of each point: a new segment starts at every sweep reversal.

    A reversal is where the potential has moved back from its running extremum by more
    than a noise threshold (5 median steps, at least 0.2 % of the span), so jitter in a
    controlled potential does not split a sweep.
    """
    e = np.asarray(potential, dtype=float)
    segment = np.zeros(e.size, dtype=np.int32)
    if e.size < 3:
        return segment
    steps = np.abs(np.diff(e))
    span = float(np.nanmax(e) - np.nanmin(e))
    threshold = max(
        5.0 * float(np.median(steps[steps > 0])) if np.any(steps > 0) else 0.0, 0.002 * span
    )
    direction = 0
    extreme_i = 0
    current = 0
    start = 0
    for i in range(1, e.size):
        if direction == 0:
            if abs(e[i] - e[start]) > threshold:
                direction = 1 if e[i] > e[start] else -1
                extreme_i = int(np.argmax(e[: i + 1]) if direction > 0 else np.argmin(e[: i + 1]))
            continue
        if (e[i] - e[extreme_i]) * direction > 0:
            extreme_i = i
        elif abs(e[i] - e[extreme_i]) > threshold:
            current += 1
            segment[extreme_i + 1 :] = current
            direction = -direction
            extreme_i = i
    return segment


def sweep_cycles(potential: np.ndarray) -> np.ndarray:
    """Cycle numbers (first = 1) from the sweep: two consecutive sweep segments make a cycle."""
    return (sweep_segments(potential) // 2 + 1).astype(np.int32)


def is_sweep(potential: np.ndarray, time: np.ndarray, min_span_V: float = 0.05) -> bool:
    """True when E(t) is a linear sweep: span >= min_span_V and |dE/dt| steady within a factor 2."""
    e = np.asarray(potential, dtype=float)
    t = np.asarray(time, dtype=float)
    if e.size < 10 or not np.all(np.isfinite(e)) or float(e.max() - e.min()) < min_span_V:
        return False
    dt = np.diff(t)
    if np.any(~np.isfinite(dt)) or np.any(dt <= 0):
        return False
    rate = np.abs(np.diff(e) / dt)
    med = float(np.median(rate))
    if med <= 0:
        return False
    steady = (rate > 0.5 * med) & (rate < 2.0 * med)
    return float(np.mean(steady)) >= 0.8


def scan_rate_from_data(potential: np.ndarray, time: np.ndarray) -> float:
    """Median |dE/dt| (V/s) of a sweep, NaN when the time is unknown."""
    dt = np.diff(np.asarray(time, dtype=float))
    de = np.diff(np.asarray(potential, dtype=float))
    ok = np.isfinite(dt) & (dt > 0)
    if not np.any(ok):
        return math.nan
    return float(np.median(np.abs(de[ok] / dt[ok])))


def charging_current_sign(potential: np.ndarray, current: np.ndarray) -> float:
    """Mean of current * sign(dE/dt) over |current|: > 0 when current is anodic positive.

    In a voltammogram the capacitive and faradaic currents follow the sweep direction, so
    with the anodic-positive (IUPAC) convention the current on the positive-going sweep
    lies above that on the negative-going one and this number is positive.
    """
    e = np.asarray(potential, dtype=float)
    i = np.asarray(current, dtype=float)
    if e.size < 3:
        return math.nan
    direction = np.sign(np.gradient(e))
    centred = i - np.median(i)
    scale = float(np.mean(np.abs(centred)))
    if scale == 0:
        return math.nan
    return float(np.mean(centred * direction) / scale)


def cycle_numbers(values: np.ndarray | None, n: int) -> np.ndarray:
    """Cycle numbers as integers from 1 (a count from 0 is shifted); all 1 when not given."""
    if values is None:
        return np.ones(n, dtype=np.int32)
    cycles = np.rint(values).astype(np.int32)
    return cycles - cycles.min() + 1 if cycles.min() < 1 else cycles
