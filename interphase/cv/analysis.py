"""Redox couples of a cyclic voltammogram: the CV analysis entry (``analyse`` and ``rows``).

Method (one cycle, current density j = I / electrode area, A cm-2):

1. Cycle: ``params["cycle"]`` when it is complete, else the last complete cycle (noted);
   branches, smoothing over ``smoothing_window_V``, noise and baseline as in
   :mod:`interphase.cv.branches`.
2. Noise: the larger of the two branch values: a branch with spikes (e.g. electrolyte
   oxidation) must not borrow the quiet branch's noise level and turn every wiggle into a peak.
3. Peaks: prominence >= ``min_peak_snr`` x noise, refined and integrated as in
   :mod:`interphase.cv.peaks`.
4. Couples: paired and gated as in :mod:`interphase.cv.couples`; ``redox_peaks_detected`` is 1
   when at least one couple passes.
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
from interphase.cv.couples import decision_note, gate_couples, pair_couples
from interphase.cv.dataset import Curves, Noise, build_fit, failed_fit
from interphase.cv.peaks import Branch, branch_peaks, reindexed
from interphase.datasets import variable
from interphase.defaults import schema_defaults
from interphase.summary import row

ANALYSIS = "interphase.cv.analysis"


def check_params(params: dict) -> dict:
    """The parameters with defaults filled in; ValueError for invalid values."""
    p = {**schema_defaults("cv"), **(params or {})}
    if (
        int(p["cycle"]) < 1
        or p["smoothing_window_V"] <= 0
        or p["min_peak_snr"] <= 0
        or p["min_peak_charge_C_cm2"] < 0
    ):
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
    sel = np.asarray(clean["cycle"].values).astype(int) == chosen
    e = np.asarray(clean["potential"].values, dtype=float)[sel]
    t = np.asarray(clean["time"].values, dtype=float)[sel]
    j = np.asarray(clean["current"].values, dtype=float)[sel] / area
    index = branches(e)
    if min(i.size for i in index) < MIN_BRANCH_POINTS:
        reason = f"cycle {chosen} lacks an anodic or cathodic sweep of {MIN_BRANCH_POINTS}+ points"
        return failed_fit(clean, p, reason, ANALYSIS)
    window = window_points(e, p["smoothing_window_V"])
    sweeps, branch_noise = smoothed_branches(e, t, j, index, window)
    noise = Noise(branch_noise[0], branch_noise[1], p["min_peak_snr"] * max(branch_noise))
    j_s, base = np.full_like(j, np.nan), np.full_like(j, np.nan)
    branch = np.zeros(j.size, dtype=np.int8)
    found, methods = {}, []
    for idx, sweep in zip(index, sweeps):
        result = branch_peaks(sweep, noise.threshold, window)
        found[sweep.sign] = reindexed(result.peaks, idx)
        j_s[idx], base[idx], branch[idx] = sweep.j_smooth, result.baseline, sweep.sign
        methods.append(result.method)
    couples = gate_couples(pair_couples(found[1], found[-1]), p["min_peak_charge_C_cm2"])
    decision = decision_note(found[1], found[-1], couples, p, noise.value)
    curves = Curves(e, t, j, j_s, base, branch)
    fit = build_fit(clean, curves, noise, found[1] + found[-1], couples)
    fit["redox_peaks_detected"] = variable(
        (),
        int(any(c.passes for c in couples)),
        "1",
        "1 when a redox couple passes the prominence and charge criteria",
    )
    fit.attrs.update(
        {
            "status": status,
            "status_note": "; ".join(n for n in (cycle_note, decision) if n),
            "cycle_requested": int(p["cycle"]),
            "cycle_analysed": int(chosen),
            "electrode_area_used_cm2": area,
            "electrode_area_source": area_source,
            "smoothing_window_points": int(window),
            "baseline_method": "; ".join(
                f"{name}: {m}" for name, m in zip(("anodic", "cathodic"), methods)
            ),
            "analysis": ANALYSIS,
            **{f"param_{k}": v for k, v in p.items()},
        }
    )
    return fit


def couple_rows(fit: xr.Dataset, status: str) -> list[dict]:
    """E_pa, E_pc, E_half, delta_Ep, j_pa, j_pc, Q_pa, Q_pc of every passing couple."""
    passing = [int(k) for k in np.flatnonzero(fit["couple_passes"].values)]
    out = []
    for n, k in enumerate(passing, start=1):
        label = f"couple {n} of {len(passing)}" if len(passing) > 1 else ""
        for name, unit in COUPLE_QUANTITIES:
            err = fit.get(f"{name}_stderr")
            stderr = float(err.values[k]) if err is not None else None
            value = float(fit[name].values[k])
            out.append(row(name, value, unit, stderr=stderr, status=status, note=label))
    return out


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


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: redox_peaks_detected, and E_pa, E_pc, E_half, delta_Ep (+ j, Q) a couple."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    if status == "failed":
        return [row("redox_peaks_detected", None, "1", status="failed", note=note)]
    detected = float(fit["redox_peaks_detected"])
    out = [row("redox_peaks_detected", detected, "1", status=status, note=note)]
    if "couple" in fit.dims:
        out.extend(couple_rows(fit, status))
    return out
