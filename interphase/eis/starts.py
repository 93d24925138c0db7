"""Start values of the nonlinear fit, without hand-tuning.

Local least squares on spectra whose arcs span six decades of resistance only converges
from a good guess (impedance.py asks the user for ``initial_guess``). The starts of one
circuit (:func:`start_values`) come from:

- the global grid over the arcs' time constants with the resistances solved linearly
  (:func:`interphase.eis.separable.grid_starts`), the best distinct grid points;
- the DRT peaks (:func:`drt_arcs`: time constant and resistance of each arc);
- the spectrum's geometry (:func:`geometry`, :func:`arc_starts`: high-frequency intercept,
  -Z'' apexes, the low-frequency tail);
- fits of the circuit without some pairs, with those pairs put back
  (:func:`interphase.eis.separable.grow_starts`, given by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from interphase.eis import separable
from interphase.eis.circuit import kind_of, pairs_of
from interphase.eis.optimise import Problem
from interphase.eis.peaks import find_peaks

# Starting CPE exponents: ~0.85 for depressed arcs of solid interfaces, ~0.6 for a diffusion
# tail (Orazem & Tribollet, Electrochemical Impedance Spectroscopy, 2nd ed., ch. 14).
N_ARC_START = 0.85
N_TAIL_START = 0.6
# A -Z'' maximum counts as an arc apex when its prominence exceeds these fractions of the
# largest -Z'' and of the local |Z| (noise bumps on a tail are ~1 % of |Z|).
PEAK_MIN_PROMINENCE = 0.01
PEAK_MIN_PROMINENCE_OF_Z = 0.02
# Starts taken from the separable grid search (the best distinct grid points).
N_GRID_STARTS = 8


@dataclass(frozen=True)
class Geometry:
    """What the spectrum's shape says: intercepts, arc apexes, the low-frequency tail."""

    r_hf: float
    r_arcs: float
    r_end: float  # real part at the lowest frequency
    peaks: tuple[tuple[float, float], ...]  # (apex frequency Hz, -Z'' at apex), highest first
    tail_n: float
    tail_q: float
    f_min: float
    f_max: float


@dataclass(frozen=True)
class Starts:
    """Start vectors of one circuit (in the Problem's names order); how many from the DRT."""

    guesses: list[list[float]]
    n_drt: int


def start_values(
    pr: Problem, drt_peaks=None, more_starts: Sequence[Sequence[float]] = ()
) -> Starts:
    """Every start of one circuit: grid, DRT peaks (tau, R arrays), geometry, ``more_starts``."""
    g = geometry(pr.f, pr.z)
    n_pairs = len(pairs_of(pr.circuit))
    extra = drt_arcs(drt_peaks[0], drt_peaks[1], g, n_pairs) if drt_peaks is not None else []
    hypotheses = extra + [a for a in arc_starts(g, n_pairs) if a not in extra]
    guesses = separable.grid_starts(pr.f, pr.z, pr.circuit, pr.names, pr.sigma, N_GRID_STARTS)
    guesses += [initial_guess(pr.names, pr.circuit, g, arcs) for arcs in hypotheses]
    guesses += [list(x) for x in more_starts]
    return Starts(guesses, len(extra))


def geometry(f: np.ndarray, z: np.ndarray) -> Geometry:
    """Read the arcs and the tail off the spectrum (f decreasing)."""
    mz = -z.imag
    r_hf = max(float(np.min(z.real[: max(3, f.size // 20)])), 0.0)
    idx, prominences = find_peaks(mz, prominence=0.0)
    mod = np.abs(z)
    keep = [
        i
        for i, p in zip(idx, prominences)
        if p > PEAK_MIN_PROMINENCE * np.max(np.abs(mz)) and p > PEAK_MIN_PROMINENCE_OF_Z * mod[i]
    ]
    peaks = sorted(((float(f[i]), float(mz[i])) for i in keep), key=lambda t: -t[1])
    # End of the arcs: the -Z'' minimum below the lowest-frequency peak, else the last point.
    last_peak = max(keep) if keep else 0
    tail_start = last_peak + int(np.argmin(mz[last_peak:]))
    r_lf = float(z.real[tail_start])
    r_arcs = max(r_lf - r_hf, 1e-3 * float(np.max(np.abs(z))))
    w_low = 2 * math.pi * f[-3:]
    slope = np.polyfit(np.log(w_low), np.log(np.clip(mz[-3:], 1e-12, None)), 1)[0]
    has_tail = slope < -0.2 and tail_start < f.size - 1
    tail_n = float(np.clip(-slope, 0.3, 0.95)) if has_tail else N_TAIL_START
    z_tail = mz[-1] / math.sin(tail_n * math.pi / 2) if has_tail else 0.3 * r_arcs
    tail_q = 1.0 / (max(z_tail, 1e-9) * (2 * math.pi * f[-1]) ** tail_n)
    return Geometry(
        r_hf,
        r_arcs,
        float(z.real[-1]),
        tuple(peaks),
        tail_n,
        float(tail_q),
        float(f[-1]),
        float(f[0]),
    )


def arc_starts(g: Geometry, n_pairs: int) -> list[list[tuple[float, float]]]:
    """Candidate (apex frequency, R) per pair, highest frequency first, for a few hypotheses.

    The k largest -Z'' peaks (k = n_pairs ... 1) keep their apex and a width from their
    height; the arcs not seen as peaks are placed above the highest peak (small, of the
    size of the high-frequency intercept, as a grain-boundary arc often is, or 5 % of the
    arcs) or below the lowest one. Last, equal arcs spread over the window.
    """
    if n_pairs == 0:
        return [[]]
    # -Z''max = R/2 tan(nπ/4) for R||CPE
    height_to_r = 2.0 / math.tan(N_ARC_START * math.pi / 4)
    f_mid = math.sqrt(g.f_min * g.f_max)
    small = max(g.r_hf, 1e-3 * g.r_arcs)
    starts = []
    for n_found in range(min(len(g.peaks), n_pairs), 0, -1):
        found = [(fa, h * height_to_r) for fa, h in g.peaks[:n_found]]
        total = sum(r for _, r in found)
        if total > g.r_arcs and total > 0:
            found = [(fa, r * g.r_arcs / total) for fa, r in found]
        n_missing = n_pairs - n_found
        f_top = max([fa for fa, _ in found], default=f_mid)
        f_bottom = min([fa for fa, _ in found], default=f_mid)
        filler_sets = [
            [(g.f_max / 10.0 / 3.0**k, small) for k in range(n_missing)],
            [(math.sqrt(g.f_max * f_top) / 3.0**k, 0.05 * g.r_arcs) for k in range(n_missing)],
            [(f_bottom / 30.0 / 3.0**k, 0.05 * g.r_arcs) for k in range(n_missing)],
        ]
        for fillers in filler_sets:
            starts.append(sorted(found + fillers, key=lambda t: -t[0]))
    log_f = np.linspace(math.log10(g.f_max), math.log10(g.f_min), n_pairs + 2)[1:-1]
    starts.append([(float(10.0**lf), g.r_arcs / n_pairs) for lf in log_f])
    # An arc hidden under the tail (no -Z'' peak): one large arc at a few apexes, the rest small.
    big = 0.5 * max(g.r_end - g.r_hf, g.r_arcs)
    for decades_above_fmin in (1.0, 3.0, 5.0):
        f_big = g.f_min * 10**decades_above_fmin
        if f_big < g.f_max:
            fillers = [(g.f_max / 10.0 / 3.0**k, small) for k in range(n_pairs - 1)]
            starts.append(sorted(fillers + [(f_big, big)], key=lambda t: -t[0]))
    unique = []
    for start in starts:
        if start not in unique:
            unique.append(start)
    return unique


def drt_arcs(
    peak_tau: np.ndarray, peak_r: np.ndarray, g: Geometry, n_pairs: int
) -> list[list[tuple[float, float]]]:
    """Start hypotheses (apex frequency, R) per pair from the DRT peaks, highest frequency first.

    The n_pairs peaks with the largest resistance keep their time constant and resistance;
    pairs without a peak are placed small above the highest-frequency peak, as in arc_starts.
    """
    if n_pairs == 0 or len(peak_tau) == 0:
        return []
    best = sorted(np.argsort(peak_r)[::-1][:n_pairs].tolist())
    found = [(1.0 / (2 * math.pi * float(peak_tau[i])), float(peak_r[i])) for i in best]
    small = max(g.r_hf, 1e-3 * g.r_arcs)
    f_top = max(fa for fa, _ in found)
    n_missing = n_pairs - len(found)
    fillers = [(max(g.f_max / 10.0, f_top * 10.0) / 3.0**k, small) for k in range(n_missing)]
    return [sorted(found + fillers, key=lambda t: -t[0])]


def initial_guess(
    names: list[str], circuit: str, g: Geometry, arcs: list[tuple[float, float]]
) -> list[float]:
    """A full parameter vector for impedance.py from one arc hypothesis."""
    pairs = pairs_of(circuit)
    paired = {p.r: i for i, p in enumerate(pairs)} | {p.c: i for i, p in enumerate(pairs)}
    series_r = [n for n in names if kind_of(n) == "R" and n not in paired]
    guess = []
    for name in names:
        element, _, index = name.partition("_")
        kind = kind_of(element)
        if element in paired:
            fa, r = arcs[paired[element]]
            w = 2 * math.pi * fa
            if kind == "R":
                guess.append(r)
            elif kind == "CPE":
                guess.append(1.0 / (r * w**N_ARC_START) if index == "0" else N_ARC_START)
            else:  # C
                guess.append(1.0 / (r * w))
        elif kind == "R":
            guess.append(max(g.r_hf, 1e-6 * g.r_arcs) / max(len(series_r), 1))
        elif kind == "CPE":
            guess.append(g.tail_q if index == "0" else g.tail_n)
        elif kind == "C":
            guess.append(g.tail_q)
        elif kind in ("L", "La"):
            guess.append(1e-7 if index in ("", "0") else 0.9)
        else:  # W, Wo, Ws, G, ...: a resistance-like scale, then a time constant
            guess.append(g.r_arcs if index in ("", "0") else 1.0)
    return guess
