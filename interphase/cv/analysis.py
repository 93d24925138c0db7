"""Redox couples of a cyclic voltammogram: the CV analysis entry (``analyse`` and ``rows``).

Method (one cycle, current density j = I / electrode area, A cm-2):

1. Cycle: ``params["cycle"]`` when it is complete, else the last complete cycle (noted);
   branches, smoothing over ``smoothing_window_V``, noise and baseline as in
   :mod:`interphase.cv.branches`.
2. Noise: the larger of the two branch values: a branch with spikes (e.g. electrolyte
   oxidation) must not borrow the quiet branch's noise level and turn every wiggle into a peak.
3. Peaks: prominence >= ``min_peak_snr`` x noise, refined and integrated as in
   :mod:`interphase.cv.peaks`.
4. Couples: paired, gated and flagged (wide, weak, unbalanced) as in
   :mod:`interphase.cv.couples`; ``redox_peaks_detected`` is 1 when at least one couple
   passes. A peak without a partner is reported on its own rows.
5. Detection limit: the smallest peak charge the data would have shown, from the measured
   noise and sweep rate (:mod:`interphase.cv.detection`); a summary row when no couple passes.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase.cv.branches import (
    MIN_BRANCH_POINTS,
    RELATIVE_NOISE_FLOOR,
    branches,
    choose_cycle,
    noise_level,
    smooth,
    widest_cycle,
    window_points,
)
from interphase.cv.couples import decision, gate_couples, pair_couples, unpaired, unpaired_note
from interphase.cv.dataset import Curves, Detection, Noise, build_fit, failed_fit
from interphase.cv.detection import detection_limit, sweep_rate
from interphase.cv.peaks import Branch, Peak, branch_peaks, reindexed
from interphase.datasets import variable
from interphase.defaults import schema_defaults
from interphase.summary import row

ANALYSIS = "interphase.cv.analysis"


def check_params(params: dict) -> dict:
    """The parameters with defaults filled in; ValueError for invalid values."""
    p = {**schema_defaults("cv"), **(params or {})}
    positive = (
        "smoothing_window_V",
        "min_peak_snr",
        "max_couple_separation_V",
        "wide_delta_Ep_V",
        "weak_peak_factor",
        "max_charge_ratio",
        "detection_limit_fwhm_V",
    )
    if int(p["cycle"]) < 1 or min(p[k] for k in positive) <= 0 or p["min_peak_charge_C_cm2"] < 0:
        raise ValueError(f"invalid cv params: {p}")
    return p


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


def analysed_cycle(clean: xr.Dataset, requested: int) -> tuple[int | None, str, str]:
    """The cycle to analyse, its status and the note (None: no data points)."""
    e_all = np.asarray(clean["potential"].values, dtype=float)
    c_all = np.asarray(clean["cycle"].values).astype(int)
    chosen, note = choose_cycle(e_all, c_all, requested)
    if chosen is not None:
        return chosen, "ok", note
    chosen = widest_cycle(e_all, c_all)
    if chosen is None:
        return None, "failed", "no data points"
    return chosen, "flagged", note + f"; analysed cycle {chosen} (widest span)"


def cycle_arrays(clean: xr.Dataset, chosen: int, area: float) -> tuple[np.ndarray, ...]:
    """Potential (V), time (s) and current density (A cm-2) of one cycle."""
    sel = np.asarray(clean["cycle"].values).astype(int) == chosen
    e = np.asarray(clean["potential"].values, dtype=float)[sel]
    t = np.asarray(clean["time"].values, dtype=float)[sel]
    j = np.asarray(clean["current"].values, dtype=float)[sel] / area
    return e, t, j


def smoothed_branches(
    e: np.ndarray, t: np.ndarray, j: np.ndarray, index: tuple[np.ndarray, np.ndarray], window: int
) -> tuple[list[Branch], list[float]]:
    """The anodic and cathodic branches, smoothed, and each branch's noise estimate (A cm-2)."""
    out, noise = [], []
    floor = RELATIVE_NOISE_FLOOR * float(np.nanmax(np.abs(j)))
    for idx, sign in zip(index, (1, -1)):
        j_s, h0 = smooth(j[idx], window)
        out.append(Branch(e[idx], t[idx], j[idx], j_s, sign))
        noise.append(max(noise_level(j[idx] - j_s, h0), floor))
    return out, noise


def cycle_peaks(
    e: np.ndarray, t: np.ndarray, j: np.ndarray, index: tuple[np.ndarray, ...], p: dict
) -> tuple[Curves, Noise, list[Peak], list[str]]:
    """The cycle's curves, noise, the peaks of both branches and the baseline methods."""
    window = smoothing_points(e, p)
    sweeps, branch_noise = smoothed_branches(e, t, j, index, window)
    noise = Noise(branch_noise[0], branch_noise[1], p["min_peak_snr"] * max(branch_noise))
    j_s, base = np.full_like(j, np.nan), np.full_like(j, np.nan)
    branch = np.zeros(j.size, dtype=np.int8)
    peaks, methods = [], []
    for idx, sweep in zip(index, sweeps):
        result = branch_peaks(sweep, noise.threshold, window)
        peaks.extend(reindexed(result.peaks, idx))
        j_s[idx], base[idx], branch[idx] = sweep.j_smooth, result.baseline, sweep.sign
        methods.append(result.method)
    return Curves(e, t, j, j_s, base, branch), noise, peaks, methods


def smoothing_points(e: np.ndarray, p: dict) -> int:
    """The smoothing window of a cycle, in points."""
    return window_points(e, p["smoothing_window_V"])


def detect(peaks: list[Peak], curves: Curves, noise: Noise, p: dict) -> Detection:
    """Couples, unpaired peaks and the detection limit of the peaks of both branches."""
    anodic = [pk for pk in peaks if pk.direction > 0]
    cathodic = [pk for pk in peaks if pk.direction < 0]
    pairs = pair_couples(anodic, cathodic, p["max_couple_separation_V"])
    couples = gate_couples(pairs, p, noise.threshold)
    lonely = unpaired(peaks, couples, p["min_peak_charge_C_cm2"])
    rates = [
        sweep_rate(curves.potential[curves.branch == s], curves.time[curves.branch == s])
        for s in (1, -1)
    ]
    fwhm, q_min = p["detection_limit_fwhm_V"], p["min_peak_charge_C_cm2"]
    limit = detection_limit(noise.threshold, fwhm, float(np.nanmean(rates)), q_min)
    return Detection(peaks, couples, lonely, limit)


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Find the redox couples of one CV cycle; the fit dataset (see the module docstring)."""
    p = check_params(params)
    area, area_source = electrode_area(clean.attrs)
    if not math.isfinite(area):
        reason = "no electrode area (electrode_area_cm2 nor an area in the file)"
        return failed_fit(clean, p, reason, ANALYSIS)
    chosen, status, cycle_note = analysed_cycle(clean, int(p["cycle"]))
    if chosen is None:
        return failed_fit(clean, p, cycle_note, ANALYSIS)
    e, t, j = cycle_arrays(clean, chosen, area)
    index = branches(e)
    if min(i.size for i in index) < MIN_BRANCH_POINTS:
        reason = f"cycle {chosen} lacks an anodic or cathodic sweep of {MIN_BRANCH_POINTS}+ points"
        return failed_fit(clean, p, reason, ANALYSIS)
    curves, noise, peaks, methods = cycle_peaks(e, t, j, index, p)
    found = detect(peaks, curves, noise, p)
    anodic = [pk for pk in peaks if pk.direction > 0]
    cathodic = [pk for pk in peaks if pk.direction < 0]
    args = (found.couples, found.unpaired, p, noise.value)
    detection_status, detection_note = decision(anodic, cathodic, *args)
    fit = build_fit(clean, curves, noise, found)
    fit["redox_peaks_detected"] = variable(
        (),
        int(any(c.passes for c in found.couples)),
        "1",
        "1 when a redox couple passes the prominence and charge criteria",
    )
    fit.attrs.update(
        {
            "status": status,
            "status_note": "; ".join(n for n in (cycle_note, detection_note) if n),
            "detection_status": detection_status,
            "cycle_requested": int(p["cycle"]),
            "cycle_analysed": int(chosen),
            "electrode_area_used_cm2": area,
            "electrode_area_source": area_source,
            "smoothing_window_points": smoothing_points(e, p),
            "baseline_method": "; ".join(
                f"{name}: {m}" for name, m in zip(("anodic", "cathodic"), methods)
            ),
            "analysis": ANALYSIS,
            **{f"param_{k}": v for k, v in p.items()},
        }
    )
    return fit


# The per-couple summary quantities and their units, in row order.
COUPLE_QUANTITIES = (
    ("E_pa", "V"),
    ("E_pc", "V"),
    ("E_half", "V"),
    ("delta_Ep", "V"),
    ("j_pa", "A cm-2"),
    ("j_pc", "A cm-2"),
    ("Q_pa", "C cm-2"),
    ("Q_pc", "C cm-2"),
)
# C cm-2 -> mC cm-2 for the detection-limit row.
MILLI = 1e3


def worst(*statuses: str) -> str:
    """The worst of some row statuses (failed > flagged > ok)."""
    order = ("ok", "flagged", "failed")
    return max(statuses, key=order.index)


def couple_rows(fit: xr.Dataset, status: str) -> list[dict]:
    """E_pa, E_pc, E_half, delta_Ep, j_pa, j_pc, Q_pa, Q_pc of every passing couple."""
    passing = [int(k) for k in np.flatnonzero(fit["couple_passes"].values)]
    flagged = fit["couple_flagged"].values if "couple_flagged" in fit else np.zeros(0)
    out = []
    for n, k in enumerate(passing, start=1):
        label = f"couple {n} of {len(passing)}" if len(passing) > 1 else ""
        note = "; ".join(x for x in (label, couple_note(fit, k)) if x)
        couple_status = worst(status, "flagged" if flagged.size and flagged[k] else "ok")
        for name, unit in COUPLE_QUANTITIES:
            err = fit.get(f"{name}_stderr")
            stderr = float(err.values[k]) if err is not None else None
            value = float(fit[name].values[k])
            out.append(row(name, value, unit, stderr=stderr, status=couple_status, note=note))
    return out


def couple_note(fit: xr.Dataset, k: int) -> str:
    """The flags of couple ``k`` in words (empty when none or not recorded)."""
    return str(fit["couple_note"].values[k]) if "couple_note" in fit else ""


def unpaired_rows(fit: xr.Dataset) -> list[dict]:
    """E_p, j_p and Q_p of every peak reported without a partner (flagged)."""
    if "peak_unpaired" not in fit:
        return []
    max_sep = float(fit.attrs.get("param_max_couple_separation_V", math.nan))
    out = []
    for k in np.flatnonzero(fit["peak_unpaired"].values):
        direction = int(fit["peak_direction"].values[k])
        suffix = "a" if direction > 0 else "c"
        height = float(fit["peak_height"].values[k]) * direction
        note = unpaired_note(direction, max_sep)
        values = (
            (f"E_p{suffix}", float(fit["peak_potential"].values[k]), "V"),
            (f"j_p{suffix}", height, "A cm-2"),
            (f"Q_p{suffix}", float(fit["peak_charge"].values[k]), "C cm-2"),
        )
        stderrs = (float(fit["peak_potential_stderr"].values[k]), None, None)
        for (name, value, unit), stderr in zip(values, stderrs):
            out.append(row(name, value, unit, stderr=stderr, status="flagged", note=note))
    return out


def limit_row(fit: xr.Dataset, status: str) -> list[dict]:
    """The detection-limit row (mC cm-2) of a fit without a passing couple."""
    if "peak_charge_detection_limit" not in fit or float(fit["redox_peaks_detected"]) != 0:
        return []
    limit = fit["peak_charge_detection_limit"]
    value = float(limit) * MILLI
    fwhm = float(limit.attrs.get("reference_fwhm_V", math.nan))
    rate = float(fit["scan_rate_measured"]) * 1e3
    threshold = float(fit["prominence_threshold"])
    if limit.attrs.get("gate") == "charge":
        note = "set by the charge gate min_peak_charge_C_cm2 (above the prominence limit)"
    else:
        note = (
            f"smallest peak charge the data would have shown: a peak of FWHM {fwhm:g} V at "
            f"{rate:.3g} mV s-1 reaching the prominence threshold {threshold:.2g} A cm-2"
        )
    return [row("peak_charge_detection_limit", value, "mC cm-2", status=status, note=note)]


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: redox_peaks_detected (+ its detection limit when 0), every couple's E_pa,
    E_pc, E_half, delta_Ep, j and Q, and every peak without a partner."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    if status == "failed":
        return [row("redox_peaks_detected", None, "1", status="failed", note=note)]
    detected = float(fit["redox_peaks_detected"])
    detected_status = worst(status, fit.attrs.get("detection_status", "ok"))
    out = [row("redox_peaks_detected", detected, "1", status=detected_status, note=note)]
    out.extend(limit_row(fit, status))
    if "couple" in fit.dims:
        out.extend(couple_rows(fit, status))
    out.extend(unpaired_rows(fit))
    return out
