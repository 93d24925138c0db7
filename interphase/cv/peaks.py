"""Redox peaks of a cyclic voltammogram: branches, smoothing, baseline, noise, peaks, couples.

Method (one cycle, current density j = I / electrode area, A cm-2):

1. Cycle: ``params["cycle"]`` when it is complete, else the last complete cycle (noted). A
   cycle is complete when it sweeps both ways and spans at least
   :data:`COMPLETE_SPAN_FRACTION` of the file's potential window.
2. Branches: the longest run of points with dE/dt > 0 (anodic) and with dE/dt < 0 (cathodic).
3. Smoothing: ``scipy.signal.savgol_filter`` over ``smoothing_window_V`` of sweep (odd point
   count, at least 5), cubic (quadratic for short windows).
4. Noise: 1.4826 x MAD of (raw - smoothed) of each branch, divided by sqrt(1 - h0) where h0
   is the filter's centre weight (the residual of a smoother underestimates white noise by
   that factor; Savitzky & Golay 1964, Anal. Chem. 36, 1627). The larger of the two branch
   values is the noise: a branch with spikes (e.g. electrolyte oxidation) must not borrow the
   quiet branch's noise level and turn every wiggle into a peak.
5. Peaks: ``scipy.signal.find_peaks`` on the smoothed branch (maxima anodic, minima cathodic)
   with prominence >= ``min_peak_snr`` x noise; maxima within one smoothing window of a
   vertex are the sweep reversal and are dropped.
   The peak potential is refined by a parabola through the raw points of the peak top
   (:func:`refine_peak`): the maximum of a broad, noisy peak is otherwise uncertain by
   ~sqrt(noise / curvature), ~10 mV for a thin-film peak of 130 mV FWHM at SNR 20.
6. Baseline: a straight line least-squares fitted to the branch outside the peak regions
   (each peak's half-height width widened by one FWHM each side) and outside one smoothing
   window at each vertex (the capacitive switching transient). When less than
   :data:`MIN_BASELINE_FRACTION` of the branch is left, a line through the branch ends is used.
   Why not pybaselines: a thin-film CV branch is short (hundreds of points) with one or two
   broad peaks on a capacitive + resistive (near-linear) background; a linear fit with explicit
   peak masking is transparent and needs no tuning, where asls/arpls need a smoothness
   parameter whose right value depends on the sweep step. The price: on a strongly curved
   background (a diffusion tail or a faradaic onset at a vertex, e.g. the real Gamry CV in
   tests/cv) the line is a poor background, so peak heights there are approximate; peak
   *detection* does not depend on it (prominence is measured on the smoothed current).
7. Charge: the trapezoid integral of (j - baseline) dt over each peak region (C cm-2,
   magnitude).
8. Couples: anodic peaks, most prominent first, each take the nearest unused cathodic peak
   within :data:`MAX_COUPLE_SEPARATION_V` whose E_pa - E_pc is at least :data:`MIN_DELTA_EP_V`
   (E_pa >= E_pc for a redox couple, up to noise). A couple passes when both peaks' charges reach
   ``min_peak_charge_C_cm2``; ``redox_peaks_detected`` is 1 when at least one couple passes.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.signal import find_peaks, peak_widths, savgol_coeffs, savgol_filter

from interphase.defaults import schema_defaults
from interphase.datasets import variable
from interphase.summary import row

# A cycle is complete when its potential span is at least this fraction of the file's.
COMPLETE_SPAN_FRACTION = 0.9
# Fewest points a sweep branch must hold to be analysed.
MIN_BRANCH_POINTS = 10
# Anodic and cathodic peaks further apart than this are not one couple (quasi-reversible
# insertion couples of thin-film cathodes stay well below 0.5 V; Bard & Faulkner 2001, §6.5).
MAX_COUPLE_SEPARATION_V = 0.5
# E_pa - E_pc of a couple is >= 0 (0 for an ideal surface couple); a little below 0 is noise.
MIN_DELTA_EP_V = -0.02
# Fraction of a branch that must remain outside peak regions for the fitted baseline.
MIN_BASELINE_FRACTION = 0.1
# Normal-consistency factor of the median absolute deviation (Gaussian noise).
MAD_TO_SIGMA = 1.4826
# Part of the peak (fraction of its height above baseline) fitted with a parabola for E_p.
PEAK_TOP_FRACTION = 0.7
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
        both_ways = np.sum(steps > 0) >= MIN_BRANCH_POINTS and np.sum(steps < 0) >= MIN_BRANCH_POINTS
        if both_ways and (e.max() - e.min()) >= COMPLETE_SPAN_FRACTION * span:
            out.append(int(c))
    return out


def choose_cycle(potential: np.ndarray, cycle: np.ndarray, requested: int) -> tuple[int | None, str]:
    """The cycle to analyse and a note when it is not the requested one (None: no complete cycle)."""
    complete = complete_cycles(potential, cycle)
    if requested in complete:
        return requested, ""
    if not complete:
        return None, "no complete cycle (both sweep directions over 90 % of the window)"
    chosen = complete[-1]
    return chosen, f"cycle {requested} requested but absent or incomplete; analysed cycle {chosen} (last complete)"


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
    """A least-squares line through y(x) on ``keep``; a line through the ends when too few kept."""
    if keep.sum() >= max(MIN_BASELINE_FRACTION * x.size, 3):
        coef = np.polyfit(x[keep], y[keep], 1)
        return np.polyval(coef, x), "linear fit outside peak regions"
    k = max(1, min(5, x.size // 10))
    x0, x1 = float(np.mean(x[:k])), float(np.mean(x[-k:]))
    y0, y1 = float(np.mean(y[:k])), float(np.mean(y[-k:]))
    slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
    return y0 + slope * (x - x0), "line through the branch ends"


def branch_peaks(e, t, j, j_s, sign: int, threshold: float, window: int) -> tuple[list[dict], np.ndarray, str]:
    """Peaks of one branch (sign +1 anodic maxima, -1 cathodic minima), its baseline and method."""
    n = j_s.size
    y = sign * j_s
    idx, props = find_peaks(y, prominence=threshold) if threshold > 0 else find_peaks(y, prominence=0.0)
    edge = min(window, n // 10)
    inside = (idx >= edge) & (idx < n - edge)  # a maximum at a vertex is the sweep reversal, not a peak
    idx, props = idx[inside], {k: v[inside] for k, v in props.items()}
    regions = []
    if idx.size:
        _, _, left, right = peak_widths(y, idx, rel_height=0.5)
        for p, lo, hi in zip(idx, left, right):
            fwhm = max(hi - lo, 1.0)
            regions.append((max(int(math.floor(lo - fwhm)), 0), min(int(math.ceil(hi + fwhm)), n - 1)))
    keep = np.ones(n, dtype=bool)
    keep[:edge] = False
    keep[n - edge:] = False
    for lo, hi in regions:
        keep[lo : hi + 1] = False
    base, method = linear_baseline(e, j_s, keep)
    peaks = []
    for k, p in enumerate(idx):
        lo, hi = regions[k]
        seg = slice(lo, hi + 1)
        charge = abs(float(np.trapezoid(j_s[seg] - base[seg], t[seg]))) if hi > lo else 0.0
        potential, potential_stderr = refine_peak(e, j, base, j_s, int(p), sign)
        peaks.append(
            {
                "index": int(p),
                "potential": potential,
                "potential_stderr": potential_stderr,
                "j": float(j_s[p]),
                "height": float(sign * (j_s[p] - base[p])),
                "prominence": float(props["prominences"][k]),
                "charge": charge,
                "direction": sign,
                "region": (float(e[lo]), float(e[hi])),
            }
        )
    return peaks, base, method


def refine_peak(e: np.ndarray, j: np.ndarray, base: np.ndarray, j_s: np.ndarray, p: int, sign: int) -> tuple[float, float]:
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
    top = y >= PEAK_TOP_FRACTION * y[p]
    lo, hi = p, p
    while lo > 0 and top[lo - 1]:
        lo -= 1
    while hi < e.size - 1 and top[hi + 1]:
        hi += 1
    if hi - lo + 1 < 5:
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


def pair_couples(anodic: list[dict], cathodic: list[dict]) -> list[tuple[dict, dict]]:
    """Couples: each anodic peak (most prominent first) with the nearest unused cathodic peak."""
    used: set[int] = set()
    couples = []
    for a in sorted(anodic, key=lambda p: -p["prominence"]):
        options = [(abs(a["potential"] - c["potential"]), k) for k, c in enumerate(cathodic) if k not in used]
        options = [
            o for o in options
            if o[0] <= MAX_COUPLE_SEPARATION_V and a["potential"] - cathodic[o[1]]["potential"] >= MIN_DELTA_EP_V
        ]
        if options:
            _, k = min(options)
            used.add(k)
            couples.append((a, cathodic[k]))
    return sorted(couples, key=lambda ac: ac[0]["potential"] + ac[1]["potential"])


def electrode_area(attrs: dict) -> tuple[float, str]:
    """The area to normalise by: the sample sheet's, else the file's (cm2); NaN when neither."""
    for key in ("electrode_area_cm2", "area_in_file_cm2"):
        try:
            value = float(attrs.get(key, math.nan))
        except (TypeError, ValueError):
            continue
        if math.isfinite(value) and value > 0:
            return value, key
    return math.nan, ""


def check_params(params: dict) -> dict:
    """The parameters with defaults filled in; ValueError for invalid values."""
    p = {**schema_defaults("cv"), **(params or {})}
    if int(p["cycle"]) < 1 or p["smoothing_window_V"] <= 0 or p["min_peak_snr"] <= 0 or p["min_peak_charge_C_cm2"] < 0:
        raise ValueError(f"invalid cv params: {p}")
    return p


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Find the redox couples of one CV cycle; the fit dataset (see the module docstring)."""
    p = check_params(params)
    area, area_source = electrode_area(clean.attrs)
    if not math.isfinite(area):
        return failed_fit(clean, p, "no electrode area (electrode_area_cm2 nor an area in the file)")
    e_all = np.asarray(clean["potential"].values, dtype=float)
    c_all = np.asarray(clean["cycle"].values).astype(int)
    chosen, cycle_note = choose_cycle(e_all, c_all, int(p["cycle"]))
    status = "ok"
    if chosen is None:
        counts = {int(c): int(np.sum(c_all == c)) for c in np.unique(c_all)}
        if not counts:
            return failed_fit(clean, p, "no data points")
        chosen = max(counts, key=lambda c: np.ptp(e_all[c_all == c]) if counts[c] else 0)
        cycle_note += f"; analysed cycle {chosen} (widest span)"
        status = "flagged"
    sel = c_all == chosen
    e = e_all[sel]
    t = np.asarray(clean["time"].values, dtype=float)[sel]
    j = np.asarray(clean["current"].values, dtype=float)[sel] / area
    ia, ic = branches(e)
    if ia.size < MIN_BRANCH_POINTS or ic.size < MIN_BRANCH_POINTS:
        return failed_fit(clean, p, f"cycle {chosen} lacks an anodic or cathodic sweep of {MIN_BRANCH_POINTS}+ points")
    window = window_points(e, p["smoothing_window_V"])
    j_s = np.full_like(j, np.nan)
    base = np.full_like(j, np.nan)
    branch = np.zeros(j.size, dtype=np.int8)
    residuals = []
    h0 = 1.0
    for idx, sign in ((ia, 1), (ic, -1)):
        j_s[idx], h0 = smooth(j[idx], window)
        residuals.append(j[idx] - j_s[idx])
        branch[idx] = sign
    floor = RELATIVE_NOISE_FLOOR * float(np.nanmax(np.abs(j)))
    branch_noise = [max(noise_level(r, h0), floor) for r in residuals]
    noise = max(branch_noise)
    threshold = p["min_peak_snr"] * noise
    found = {}
    methods = []
    for idx, sign in ((ia, 1), (ic, -1)):
        peaks, b, method = branch_peaks(e[idx], t[idx], j[idx], j_s[idx], sign, threshold, window)
        for pk in peaks:
            pk["index"] = int(idx[pk["index"]])
        base[idx] = b
        found[sign] = peaks
        methods.append(method)
    couples = pair_couples(found[1], found[-1])
    passes = [a["charge"] >= p["min_peak_charge_C_cm2"] and c["charge"] >= p["min_peak_charge_C_cm2"] for a, c in couples]
    detected = int(any(passes))
    decision = decision_note(found[1], found[-1], couples, passes, p, noise)
    notes = [n for n in (cycle_note, decision) if n]
    fit = build_fit(clean, p, e, t, j, j_s, base, branch, found, couples, passes, branch_noise, threshold)
    fit["redox_peaks_detected"] = variable((), detected, "1", "1 when a redox couple passes the prominence and charge criteria")
    fit.attrs.update(
        {
            "status": status,
            "status_note": "; ".join(notes),
            "cycle_requested": int(p["cycle"]),
            "cycle_analysed": int(chosen),
            "electrode_area_used_cm2": area,
            "electrode_area_source": area_source,
            "smoothing_window_points": int(window),
            "baseline_method": "; ".join(f"{name}: {m}" for name, m in zip(("anodic", "cathodic"), methods)),
            "analysis": "interphase.cv.peaks",
            **{f"param_{k}": v for k, v in p.items()},
        }
    )
    return fit


def decision_note(anodic, cathodic, couples, passes, p, noise) -> str:
    """Which criterion decided redox_peaks_detected, in words."""
    thr = f"{p['min_peak_snr']:g}× noise ({noise:.2g} A cm-2)"
    if not anodic and not cathodic:
        return f"no anodic or cathodic peak above {thr}"
    if not anodic:
        return f"no anodic peak above {thr}"
    if not cathodic:
        return f"no cathodic peak above {thr}"
    if not couples:
        return f"anodic and cathodic peaks above {thr} but none within {MAX_COUPLE_SEPARATION_V} V of each other with E_pa >= E_pc"
    if not any(passes):
        qmin = min(min(a["charge"], c["charge"]) for a, c in couples)
        return f"peak couples above {thr} but the smaller peak charge {qmin:.2g} C cm-2 < min_peak_charge_C_cm2 {p['min_peak_charge_C_cm2']:g}"
    n = sum(passes)
    return f"{n} couple{'s' if n > 1 else ''} with both peaks above {thr} and charge >= {p['min_peak_charge_C_cm2']:g} C cm-2"


def build_fit(clean, p, e, t, j, j_s, base, branch, found, couples, passes, branch_noise, threshold) -> xr.Dataset:
    """The fit dataset: analysed cycle's curves, the peak and couple tables, noise."""
    noise = max(branch_noise)
    peaks = sorted(found[1] + found[-1], key=lambda pk: pk["index"])
    ds = xr.Dataset(
        {
            "potential": variable("point", e, "V", "working electrode potential"),
            "time": variable("point", t, "s", "time"),
            "j": variable("point", j, "A cm-2", "current density (raw)"),
            "j_smooth": variable("point", j_s, "A cm-2", "current density, Savitzky-Golay smoothed"),
            "baseline": variable("point", base, "A cm-2", "background current density (linear baseline)"),
            "branch": variable("point", branch, "1", "sweep branch: 1 anodic, -1 cathodic, 0 not analysed"),
            "noise": variable((), noise, "A cm-2", "robust white-noise estimate of the current density (larger branch value)"),
            "noise_anodic": variable((), branch_noise[0], "A cm-2", "noise estimate of the anodic branch"),
            "noise_cathodic": variable((), branch_noise[1], "A cm-2", "noise estimate of the cathodic branch"),
            "prominence_threshold": variable((), threshold, "A cm-2", "smallest peak prominence counted"),
            "peak_potential": variable("peak", [pk["potential"] for pk in peaks], "V", "peak potential"),
            "peak_direction": variable("peak", np.array([pk["direction"] for pk in peaks], dtype=np.int8), "1", "1 anodic, -1 cathodic"),
            "peak_height": variable("peak", [pk["height"] for pk in peaks], "A cm-2", "peak current density above baseline (magnitude)"),
            "peak_prominence": variable("peak", [pk["prominence"] for pk in peaks], "A cm-2", "peak prominence"),
            "peak_charge": variable("peak", [pk["charge"] for pk in peaks], "C cm-2", "charge under the peak above baseline (magnitude)"),
            "E_pa": variable("couple", [a["potential"] for a, _ in couples], "V", "anodic peak potential"),
            "E_pa_stderr": variable("couple", [a["potential_stderr"] for a, _ in couples], "V", "standard error of E_pa (parabola vertex)"),
            "E_pc": variable("couple", [c["potential"] for _, c in couples], "V", "cathodic peak potential"),
            "E_pc_stderr": variable("couple", [c["potential_stderr"] for _, c in couples], "V", "standard error of E_pc (parabola vertex)"),
            "E_half_stderr": variable("couple", [0.5 * math.hypot(a["potential_stderr"], c["potential_stderr"]) for a, c in couples], "V", "standard error of E_half"),
            "delta_Ep_stderr": variable("couple", [math.hypot(a["potential_stderr"], c["potential_stderr"]) for a, c in couples], "V", "standard error of delta_Ep"),
            "E_half": variable("couple", [(a["potential"] + c["potential"]) / 2 for a, c in couples], "V", "half-wave potential (E_pa + E_pc)/2"),
            "delta_Ep": variable("couple", [a["potential"] - c["potential"] for a, c in couples], "V", "peak separation E_pa - E_pc"),
            "j_pa": variable("couple", [a["height"] for a, _ in couples], "A cm-2", "anodic peak current density above baseline"),
            "j_pc": variable("couple", [-c["height"] for _, c in couples], "A cm-2", "cathodic peak current density above baseline (negative)"),
            "Q_pa": variable("couple", [a["charge"] for a, _ in couples], "C cm-2", "anodic peak charge"),
            "Q_pc": variable("couple", [c["charge"] for _, c in couples], "C cm-2", "cathodic peak charge"),
            "snr_pa": variable("couple", [a["prominence"] / noise if noise > 0 else math.inf for a, _ in couples], "1", "anodic peak prominence / noise"),
            "snr_pc": variable("couple", [c["prominence"] / noise if noise > 0 else math.inf for _, c in couples], "1", "cathodic peak prominence / noise"),
            "couple_passes": variable("couple", np.array(passes, dtype=np.int8), "1", "1 when both peaks pass prominence and charge criteria"),
        },
        coords={
            "point": variable("point", np.arange(e.size), "1", "point index in the analysed cycle"),
            "peak": variable("peak", np.arange(len(peaks)), "1", "peak index"),
            "couple": variable("couple", np.arange(len(couples)), "1", "redox couple index"),
        },
    )
    ds.attrs = dict(clean.attrs)
    return ds


def failed_fit(clean: xr.Dataset, p: dict, reason: str) -> xr.Dataset:
    """A fit dataset that carries no number, only the reason."""
    ds = xr.Dataset({"redox_peaks_detected": variable((), math.nan, "1", "1 when a redox couple is found")})
    ds.attrs = {**clean.attrs, "status": "failed", "status_note": reason, "analysis": "interphase.cv.peaks",
                **{f"param_{k}": v for k, v in p.items()}}
    return ds


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: redox_peaks_detected, and E_pa, E_pc, E_half, delta_Ep (+ j, Q) per passing couple."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    if status == "failed":
        return [row("redox_peaks_detected", None, "1", status="failed", note=note)]
    out = [row("redox_peaks_detected", float(fit["redox_peaks_detected"]), "1", status=status, note=note)]
    passing = [int(k) for k in np.flatnonzero(fit["couple_passes"].values)] if "couple" in fit.dims else []
    for n, k in enumerate(passing, start=1):
        label = f"couple {n} of {len(passing)}" if len(passing) > 1 else ""
        for name, unit in (("E_pa", "V"), ("E_pc", "V"), ("E_half", "V"), ("delta_Ep", "V"),
                           ("j_pa", "A cm-2"), ("j_pc", "A cm-2"), ("Q_pa", "C cm-2"), ("Q_pc", "C cm-2")):
            err = fit.get(f"{name}_stderr")
            stderr = float(err.values[k]) if err is not None else None
            out.append(row(name, float(fit[name].values[k]), unit, stderr=stderr, status=status, note=label))
    return out
