"""L3/L2 white-line ratios of Mn, Co (and Ni, Ti, Fe, Cu when in range) along an EELS line.

Entry module of the eels_line technique: :func:`analyse` (clean dataset -> fit dataset) and
:func:`rows` (fit dataset -> summary rows). Per element: the windows of the edge table
(:mod:`interphase.eels.edges`, partly overridable in the config as ``eels.edges``), moved by
the line's energy-calibration shift (:mod:`interphase.eels.calibration`); per spectrum: the
white-line integration (:mod:`interphase.eels.integration`); along the line: the interface
and the bulk and interface means (:mod:`interphase.eels.line`); valences from the calibration
of :mod:`interphase.eels.valence`. A position whose edge signal (background-subtracted sum
over the L3 and L2 windows) is below ``min_edge_snr`` times its stderr gives NaN.

The ratio -- and so the valence -- depends on specimen thickness, windows and background
model: compare positions and samples measured alike, and see docs/eels.md.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase.defaults import schema_defaults
from interphase.eels import valence as valence_cal
from interphase.eels.calibration import calibration_shift, shifted
from interphase.eels.dataset import Examples, LineResult, Measured, add_valences, build_fit
from interphase.eels.dataset import set_status
from interphase.eels.edges import EDGES, Edge, covers, with_overrides
from interphase.eels.integration import integrate_edge, ratio_with_stderr, window_mask
from interphase.eels.line import interface_position, summarise_elements
from interphase.eels.rows import rows
from interphase.interface import FILM_METALS

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
    unknown = [e for e in p["elements"] if e not in EDGES]
    if unknown:
        raise ValueError(f"eels.elements: no edge tabulated for {unknown}; known: {list(EDGES)}")
    return p


def edges_in_range(
    energy: np.ndarray, total: np.ndarray, asked: list[str], table: dict[str, Edge]
) -> tuple[dict[str, Edge], dict[str, float]]:
    """The calibrated edges whose windows lie inside the spectrum, and their shifts."""
    edges, shifts = {}, {}
    for el in asked:
        e = table[el]
        if covers(e, energy[0], energy[-1]):
            shifts[el] = calibration_shift(energy, total, e)
            e = shifted(e, shifts[el])
            if energy[0] <= e.span[0] and e.span[1] <= energy[-1]:
                edges[el] = e
    return edges, shifts


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


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """The white-line fit of an eels_line dataset: ratios along the line, bulk and interface."""
    p = check_params(params)
    energy = np.asarray(clean["energy_loss"].values, dtype=float)
    x = np.asarray(clean["distance"].values, dtype=float)
    counts = np.asarray(clean["intensity"].values, dtype=float)
    asked = list(dict.fromkeys(p["elements"]))
    edges, shifts = edges_in_range(energy, counts.sum(axis=0), asked, with_overrides(p["edges"]))
    elements = list(edges)
    measured = Measured.empty(x.size, len(elements))
    examples = Examples.empty(len(elements), energy.size)
    for j, el in enumerate(elements):
        measure_element(j, edges[el], energy, counts, x, p, measured, examples)

    tm = [j for j, el in enumerate(elements) if el in FILM_METALS]
    tm_signal, tm_se = np.full(x.size, math.nan), np.full(x.size, math.nan)
    if tm:
        tm_signal = np.sum(measured.edge[:, tm], axis=1)
        tm_se = np.sqrt(np.sum(measured.edge_se[:, tm] ** 2, axis=1))
    iface = interface_position(x, tm_signal, tm_se)
    stats = summarise_elements(x, elements, measured.ratio, measured.ratio_se, iface.position, p)
    line = LineResult(
        x=x,
        energy=energy,
        edges=edges,
        shifts=shifts,
        measured=measured,
        examples=examples,
        tm_signal=tm_signal,
        tm_se=tm_se,
        interface=iface,
        stats=stats,
        absent=[el for el in asked if el not in elements],
    )
    ds = build_fit(clean, p, line)
    add_valences(ds, valence_cal.standards_from_config(p["valence_standards"]))
    ds.attrs["elements_out_of_range"] = ", ".join(line.absent)
    set_status(ds, line)
    return ds
