"""L3/L2 white-line ratios of Mn, Co (and Ni, Ti, Fe, Cu when in range) along an EELS line.

Entry module of the eels_line technique: :func:`analyse` (clean dataset -> fit dataset) and
:func:`rows` (fit dataset -> summary rows). Per element: the windows of the edge table
(:mod:`interphase.eels.edges`, partly overridable in the config as ``eels.edges``), fitted
into the recorded energy range (:mod:`interphase.eels.windows`) and moved by the line's
energy-calibration shift (:mod:`interphase.eels.calibration`); per spectrum: the white-line
integration (:mod:`interphase.eels.integration`) and, from low-loss spectra when given, the
thickness t/λ (:mod:`interphase.eels.thickness`); along the line: the film side and the
interface (:mod:`interphase.interface`), the bulk and interface means
(:mod:`interphase.eels.line`); valences from the calibration of :mod:`interphase.eels.valence`.

A position whose edge signal (background-subtracted sum over the L3 and L2 windows) is
below ``min_edge_snr`` times its stderr gives NaN. Every requested element gets its rows: an
element whose edge cannot be measured in the recorded range is ``failed`` with the reason.
The ratio -- and so the valence -- depends on specimen thickness, windows and background
model: compare positions and samples measured alike, and see docs/eels.md.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase.defaults import schema_defaults
from interphase.eels import thickness as thick
from interphase.eels import valence as valence_cal
from interphase.eels.calibration import calibration_shift, shifted
from interphase.eels.dataset import (
    Examples,
    LineResult,
    Measured,
    Plan,
    add_valences,
    build_fit,
    set_status,
)
from interphase.eels.edges import EDGES, Edge, with_overrides
from interphase.eels.integration import integrate_edge, ratio_with_stderr, window_mask
from interphase.eels.line import summarise_elements
from interphase.eels.rows import rows
from interphase.eels.windows import fit_windows
from interphase.interface import FILM_METALS, film_is_last, locate, reverse_line

__all__ = ["analyse", "rows", "check_params"]


def check_params(params: dict) -> dict:
    """The eels parameters with defaults; ValueError for invalid values."""
    p = {**schema_defaults("eels"), **(params or {})}
    p["edges"] = p["edges"] or {}
    p["valence_standards"] = p["valence_standards"] or {}
    with_overrides(p["edges"])  # ValueError names a bad override
    valence_cal.standards_from_config(p["valence_standards"])
    if float(p["interface_window_nm"]) < 0 or float(p["bulk_distance_nm"]) < 0:
        raise ValueError("eels.interface_window_nm and eels.bulk_distance_nm must be >= 0")
    if float(p["min_edge_snr"]) <= 0:
        raise ValueError("eels.min_edge_snr must be > 0")
    if not float(p["max_t_over_lambda"]) > 0:
        raise ValueError("eels.max_t_over_lambda must be > 0")
    unknown = [e for e in p["elements"] if e not in EDGES]
    if unknown:
        raise ValueError(f"eels.elements: no edge tabulated for {unknown}; known: {list(EDGES)}")
    return p


def plan_edges(energy: np.ndarray, total: np.ndarray, asked: list[str], table: dict) -> Plan:
    """Per element: the calibrated edge with windows fitted into the range, or why not."""
    plan = Plan()
    lo, hi = float(energy[0]), float(energy[-1])
    for el in asked:
        first = fit_windows(table[el], lo, hi)
        if first.edge is None:
            plan.reasons[el] = first.reason
            continue
        shift = calibration_shift(energy, total, first.edge)
        final = fit_windows(shifted(table[el], shift), lo, hi)
        if final.edge is None:
            plan.reasons[el] = f"{final.reason} (after a {shift:+.3g} eV calibration shift)"
            continue
        plan.edges[el], plan.shifts[el] = final.edge, shift
        if final.note:
            plan.notes[el] = final.note
    return plan


def measure_element(
    j: int,
    e: Edge,
    energy: np.ndarray,
    counts: np.ndarray,
    x: np.ndarray,
    p: dict,
    m: Measured,
    ex: Examples,
) -> None:
    """Integrate element j's edge in every spectrum into ``m``, its best spectrum into ``ex``."""
    results = [integrate_edge(energy, counts[i], e) for i in range(x.size)]
    for i, r in enumerate(results):
        m.ratio[i, j], m.ratio_se[i, j] = ratio_with_stderr(r)
        m.l3[i, j], m.l2[i, j] = r.l3, r.l2
        m.l3_se[i, j], m.l2_se[i, j] = math.sqrt(r.var_l3), math.sqrt(r.var_l2)
        m.edge[i, j], m.edge_se[i, j] = r.edge, math.sqrt(r.var_edge)
    snr = m.edge[:, j] / m.edge_se[:, j]
    weak = ~(snr >= float(p["min_edge_snr"]))
    m.ratio[weak, j] = math.nan
    m.ratio_se[weak, j] = math.nan
    best = int(np.nanargmax(np.where(np.isfinite(snr), snr, -np.inf))) if x.size else 0
    ex.distance[j] = x[best]
    span = window_mask(energy, (e.pre[0], e.post[1]))
    ex.intensity[j, span] = counts[best, span]
    ex.background[j, span] = results[best].background[span]
    ex.continuum[j, span] = results[best].background[span] + results[best].step[span]


def measure(clean: xr.Dataset, p: dict) -> LineResult:
    """Every spectrum of the line measured: ratios, edge signals, thickness (no interface yet)."""
    energy = np.asarray(clean["energy_loss"].values, dtype=float)
    x = np.asarray(clean["distance"].values, dtype=float)
    counts = np.asarray(clean["intensity"].values, dtype=float)
    asked = list(dict.fromkeys(p["elements"]))
    plan = plan_edges(energy, counts.sum(axis=0), asked, with_overrides(p["edges"]))
    measured = Measured.empty(x.size, len(asked))
    examples = Examples.empty(len(asked), energy.size)
    for j, el in enumerate(asked):
        if el in plan.edges:
            measure_element(j, plan.edges[el], energy, counts, x, p, measured, examples)
    tm = [j for j, el in enumerate(asked) if el in FILM_METALS and el in plan.edges]
    tm_signal, tm_se = np.full(x.size, math.nan), np.full(x.size, math.nan)
    if tm:
        tm_signal = np.sum(measured.edge[:, tm], axis=1)
        tm_se = np.sqrt(np.sum(measured.edge_se[:, tm] ** 2, axis=1))
    return LineResult(
        x=x,
        energy=energy,
        elements=asked,
        plan=plan,
        measured=measured,
        examples=examples,
        tm_signal=tm_signal,
        tm_se=tm_se,
        thickness=thick.line_thickness(clean),
    )


def film_side_first(clean: xr.Dataset, p: dict) -> tuple[xr.Dataset, LineResult]:
    """The line measured with its film side first: a line recorded the other way is reversed."""
    line = measure(clean, p)
    if film_is_last(line.tm_signal, line.tm_se):
        clean = reverse_line(clean, ("distance", "low_loss_distance"))
        line = measure(clean, p)
        line.reversed = True
    return clean, line


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """The white-line fit of an eels_line dataset: ratios along the line, bulk and interface."""
    p = check_params(params)
    clean, line = film_side_first(clean, p)
    line.interface = locate(line.x, line.tm_signal, line.tm_se)
    limit = float(p["max_t_over_lambda"])
    line.usable = thick.usable(line.thickness, limit)
    m = line.measured
    line.stats = summarise_elements(
        line.x, line.elements, m.ratio, m.ratio_se, line.interface.position, p, line.usable
    )
    for j, el in enumerate(line.elements):
        if el in line.plan.reasons:
            line.stats.status[j], line.stats.note[j] = "failed", line.plan.reasons[el]
        elif el in line.plan.notes:
            line.stats.note[j] = "; ".join(filter(None, [line.stats.note[j], line.plan.notes[el]]))
    ds = build_fit(clean, p, line)
    add_valences(ds, valence_cal.standards_from_config(p["valence_standards"]))
    set_status(ds, line)
    return ds
