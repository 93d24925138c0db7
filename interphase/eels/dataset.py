"""The EELS fit dataset: ratios along the line, bulk and interface means, valences, windows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from interphase.datasets import variable
from interphase.eels import valence as valence_cal
from interphase.eels.edges import Edge
from interphase.eels.line import ElementStats
from interphase.eels.thickness import Thickness, thickness_note
from interphase.interface import InterfaceFit

DE = ("distance", "element")
METHOD = (
    "power-law background; Pearson et al. 1993 double step (2:1) scaled to the post-edge continuum"
)
# A valence extrapolated beyond the standards by more than this (and by more than 2 stderr) is
# flagged: a project choice, the ~0.2 reading precision of the literature ratios (valence.py)
# times the Mn calibration's slope (1.25 valence units per unit of L3/L2).
VALENCE_EXTRAPOLATION_TOLERANCE = 0.25


@dataclass
class Measured:
    """Per position and element (distance x element): ratios, white lines, edge signal."""

    ratio: np.ndarray
    ratio_se: np.ndarray
    l3: np.ndarray
    l3_se: np.ndarray
    l2: np.ndarray
    l2_se: np.ndarray
    edge: np.ndarray
    edge_se: np.ndarray

    @classmethod
    def empty(cls, n_positions: int, n_elements: int) -> Measured:
        """All NaN."""
        shape = (n_positions, n_elements)
        return cls(*(np.full(shape, math.nan) for _ in range(8)))


@dataclass
class Examples:
    """One example spectrum per element (element x energy) with its curves and position."""

    intensity: np.ndarray
    background: np.ndarray
    continuum: np.ndarray
    distance: np.ndarray

    @classmethod
    def empty(cls, n_elements: int, n_energy: int) -> Examples:
        """All NaN."""
        shape = (n_elements, n_energy)
        return cls(*(np.full(shape, math.nan) for _ in range(3)), np.full(n_elements, math.nan))


@dataclass
class Plan:
    """Per requested element: the calibrated edge with its windows, or why it is not measured."""

    edges: dict[str, Edge] = field(default_factory=dict)
    shifts: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class LineResult:
    """Everything measured on one line, ready for the fit dataset."""

    x: np.ndarray
    energy: np.ndarray
    elements: list[str]
    plan: Plan
    measured: Measured
    examples: Examples
    tm_signal: np.ndarray
    tm_se: np.ndarray
    thickness: Thickness
    reversed: bool = False
    interface: InterfaceFit = field(default_factory=InterfaceFit)
    usable: np.ndarray | None = None
    stats: ElementStats = field(default_factory=ElementStats)


def position_vars(m: Measured) -> dict[str, xr.Variable]:
    """Ratios, white-line and edge intensities per position and element."""
    return {
        "L3_L2": variable(DE, m.ratio, "1", "L3/L2 white-line intensity ratio"),
        "L3_L2_stderr": variable(DE, m.ratio_se, "1", "standard error of the L3/L2 ratio"),
        "l3_intensity": variable(
            DE, m.l3, "count", "L3 white-line intensity above background and continuum step"
        ),
        "l3_intensity_stderr": variable(DE, m.l3_se, "count", "standard error of the L3 intensity"),
        "l2_intensity": variable(
            DE, m.l2, "count", "L2 white-line intensity above background and continuum step"
        ),
        "l2_intensity_stderr": variable(DE, m.l2_se, "count", "standard error of the L2 intensity"),
        "edge_intensity": variable(
            DE,
            m.edge,
            "count",
            "background-subtracted L2,3 edge intensity in the L3 and L2 windows",
        ),
        "edge_intensity_stderr": variable(
            DE, m.edge_se, "count", "standard error of the edge intensity"
        ),
        "edge_snr": variable(DE, m.edge / m.edge_se, "1", "edge signal-to-noise ratio"),
    }


def interface_vars(line: LineResult) -> dict[str, xr.Variable]:
    """The summed edge signal, its erf model and the interface position."""
    iface = line.interface
    return {
        "tm_edge_signal": variable(
            "distance", line.tm_signal, "count", "summed Mn+Co+Ni L2,3 edge intensity"
        ),
        "tm_edge_signal_stderr": variable(
            "distance", line.tm_se, "count", "standard error of the summed edge intensity"
        ),
        "tm_edge_signal_model": variable(
            "distance", iface.model, "count", "erf model of the summed edge intensity"
        ),
        "interface_position_nm": variable(
            (),
            iface.position,
            "nm",
            "interface position (half of the film's Mn+Co+Ni edge plateau)",
        ),
        "interface_position_nm_stderr": variable(
            (), iface.stderr, "nm", "standard error of the interface position"
        ),
        "interface_width_nm": variable(
            (), iface.width_10_90, "nm", "10-90 % width of the erf fit of the edge signal"
        ),
        "interface_width_nm_stderr": variable(
            (), iface.width_10_90_stderr, "nm", "standard error of interface_width_nm"
        ),
    }


def thickness_vars(line: LineResult) -> dict[str, xr.Variable]:
    """t/λ per position (NaN without low-loss spectra) and whether a position entered the means."""
    t = line.thickness
    usable = np.ones(line.x.size, bool) if line.usable is None else line.usable
    return {
        "t_over_lambda": variable(
            "distance", t.t_over_lambda, "1", "relative thickness t/λ (log-ratio of the low loss)"
        ),
        "t_over_lambda_stderr": variable(
            "distance", t.stderr, "1", "standard error of t/λ (Poisson counting)"
        ),
        "low_loss_tail_fraction": variable(
            "distance", t.tail_fraction, "1", "part of I_t extrapolated beyond the low loss"
        ),
        "used_in_means": variable(
            "distance",
            usable.astype(np.int8),
            "1",
            "1: position enters the bulk/interface means; 0: t/λ above max_t_over_lambda",
        ),
    }


def _floats(values: list) -> np.ndarray:
    """A float array of a list."""
    return np.array(values, float)


def stats_vars(s: ElementStats) -> dict[str, xr.Variable]:
    """Bulk and interface means per element, with counts, status and note."""
    return {
        "L3_L2_bulk": variable(
            "element", _floats(s.bulk), "1", "L3/L2 ratio in the film bulk (weighted mean)"
        ),
        "L3_L2_bulk_stderr": variable(
            "element", _floats(s.bulk_se), "1", "standard error of the bulk L3/L2 ratio"
        ),
        "L3_L2_interface": variable(
            "element", _floats(s.iface), "1", "L3/L2 ratio at the interface (weighted mean)"
        ),
        "L3_L2_interface_stderr": variable(
            "element", _floats(s.iface_se), "1", "standard error of the interface L3/L2 ratio"
        ),
        "n_bulk": variable(
            "element", np.array(s.n_bulk, int), "1", "positions averaged for the bulk ratio"
        ),
        "n_interface": variable(
            "element", np.array(s.n_iface, int), "1", "positions averaged for the interface ratio"
        ),
        "element_status": variable(
            "element", np.array(s.status, dtype=object), "1", "status of the element's ratios"
        ),
        "element_note": variable(
            "element",
            np.array(s.note, dtype=object),
            "1",
            "why an element's ratios are flagged or failed",
        ),
    }


def example_vars(ex: Examples) -> dict[str, xr.Variable]:
    """The example spectrum of each element with its background and continuum."""
    ee = ("element", "energy_loss")
    return {
        "example_distance": variable(
            "element", ex.distance, "nm", "position of the example spectrum (highest edge SNR)"
        ),
        "example_intensity": variable(
            ee, ex.intensity, "count", "example spectrum around the edge"
        ),
        "example_background": variable(
            ee, ex.background, "count", "power-law background of the example"
        ),
        "example_continuum": variable(
            ee, ex.continuum, "count", "background plus Pearson double-step continuum"
        ),
    }


def window_vars(edges: list[Edge | None]) -> dict[str, xr.Variable]:
    """The step positions and the analysis windows used for each element (eV; NaN if none)."""

    def values(name: str, k: int | None = None) -> np.ndarray:
        """One field of every edge (NaN for an element not measured)."""
        out = [getattr(e, name) if e else math.nan for e in edges]
        return _floats([v[k] if e and k is not None else v for v, e in zip(out, edges)])

    out = {
        "l3_max": variable(
            "element", values("l3_max"), "eV", "L3 step position (white-line maximum)"
        ),
        "l2_max": variable(
            "element", values("l2_max"), "eV", "L2 step position (white-line maximum)"
        ),
    }
    for name in ("pre", "l3", "l2", "post"):
        for k, bound in enumerate(("start", "end")):
            out[f"window_{name}_{bound}"] = variable(
                "element", values(name, k), "eV", f"{name} window {bound} (as used)"
            )
    return out


def build_fit(clean: xr.Dataset, p: dict, line: LineResult) -> xr.Dataset:
    """Assemble the fit dataset (every variable with units and long_name)."""
    elements = line.elements
    plan = line.plan
    data = {
        **position_vars(line.measured),
        **interface_vars(line),
        **thickness_vars(line),
        **stats_vars(line.stats),
        **example_vars(line.examples),
        **window_vars([plan.edges.get(el) for el in elements]),
        "energy_shift": variable(
            "element",
            _floats([plan.shifts.get(el, math.nan) for el in elements]),
            "eV",
            "energy-calibration shift applied to the edge table (measured minus tabulated L3 max)",
        ),
    }
    coords = {
        "distance": variable(
            "distance", line.x, "nm", "distance along the line from the film side"
        ),
        "element": variable("element", np.array(elements, dtype=object), "1", "chemical element"),
        "energy_loss": variable("energy_loss", line.energy, "eV", "energy loss"),
    }
    if "distance_in_file" in clean:
        data["distance_in_file"] = variable(
            "distance", clean["distance_in_file"].values, "nm", "distance as recorded in the file"
        )
    ds = xr.Dataset(data, coords=coords)
    ds.attrs = dict(clean.attrs)
    limit = float(p["max_t_over_lambda"])
    ds.attrs.update(
        interface_method=line.interface.method,
        interface_status=line.interface.status,
        interface_note=line.interface.note,
        interface_window_nm=float(p["interface_window_nm"]),
        bulk_distance_nm=float(p["bulk_distance_nm"]),
        min_edge_snr=float(p["min_edge_snr"]),
        max_t_over_lambda=limit,
        thickness_checked=int(line.thickness.checked),
        thickness_note=thickness_note(line.thickness, limit),
        line_reversed=int(line.reversed),
        elements_requested=", ".join(p["elements"]),
        elements_out_of_range=", ".join(plan.reasons),
        windows_note="; ".join(f"{el}: {n}" for el, n in plan.notes.items()),
        method=METHOD,
    )
    return ds


def _valence_note(where: str, ratio: float, standards: tuple) -> str:
    """The note of a valence extrapolated beyond the standards."""
    span = valence_cal.ratio_range(standards)
    return f"ratio {ratio:.3g} outside the standards' {span}: valence extrapolated"


def _summary_valence(ds: xr.Dataset, where: str, j: int, standards: tuple) -> tuple:
    """(valence, stderr, status, note) of the bulk or interface ratio of element j."""
    ratio = float(ds[f"L3_L2_{where}"].values[j])
    ratio_se = float(ds[f"L3_L2_{where}_stderr"].values[j])
    v, se, inside = valence_cal.estimate(ratio, ratio_se, standards)
    if not math.isfinite(v):
        return v, se, "failed", f"no {where} L3/L2 ratio"
    if inside:
        return v, se, "ok", ""
    lo, hi = min(s.valence for s in standards), max(s.valence for s in standards)
    beyond = max(lo - v, v - hi, 0.0)
    far = beyond > VALENCE_EXTRAPOLATION_TOLERANCE
    status = "flagged" if far and not valence_cal.within(ratio, ratio_se, standards) else "ok"
    return v, se, status, _valence_note(where, ratio, standards)


def add_valences(ds: xr.Dataset, table: dict[str, tuple]) -> None:
    """Valence per position, in the bulk and at the interface, from the calibration (in place)."""
    elements = [str(e) for e in ds["element"].values]
    n_el = len(elements)
    n_std = max([len(table.get(el, ())) for el in elements] + [0])
    std_ratio = np.full((n_el, n_std), math.nan)
    std_valence = np.full((n_el, n_std), math.nan)
    std_ratio_se = np.full((n_el, n_std), math.nan)
    per_position = np.full(ds["L3_L2"].shape, math.nan)
    per_position_se = np.full(ds["L3_L2"].shape, math.nan)
    wheres = ("bulk", "interface")
    values = {w: np.full(n_el, math.nan) for w in wheres}
    errors = {w: np.full(n_el, math.nan) for w in wheres}
    status = {w: np.array(["failed"] * n_el, dtype=object) for w in wheres}
    notes = {w: np.array([""] * n_el, dtype=object) for w in wheres}
    for j, el in enumerate(elements):
        standards = table.get(el, ())
        if len(standards) < 2:
            for w in wheres:
                notes[w][j] = f"no L3/L2 calibration for {el}"
            continue
        for k, s in enumerate(sorted(standards, key=lambda s: s.valence)):
            std_ratio[j, k], std_valence[j, k] = s.ratio, s.valence
            std_ratio_se[j, k] = s.ratio_stderr
        ds.attrs[f"valence_standards_{el}"] = valence_cal.describe(standards)
        ratios, ratio_errors = ds["L3_L2"].values[:, j], ds["L3_L2_stderr"].values[:, j]
        for i in range(ds.sizes["distance"]):
            v, se, _ = valence_cal.estimate(float(ratios[i]), float(ratio_errors[i]), standards)
            per_position[i, j], per_position_se[i, j] = v, se
        for w in wheres:
            values[w][j], errors[w][j], status[w][j], notes[w][j] = _summary_valence(
                ds, w, j, standards
            )
    ds["valence"] = variable(
        DE,
        per_position,
        "1",
        "oxidation state from L3/L2 (linear interpolation between standards)",
    )
    ds["valence_stderr"] = variable(
        DE,
        per_position_se,
        "1",
        "standard error of the valence (ratio and standards' stderrs through the calibration)",
    )
    for w in wheres:
        ds[f"valence_{w}"] = variable(
            "element", values[w], "1", f"oxidation state from the {w} L3/L2 ratio"
        )
        ds[f"valence_{w}_stderr"] = variable(
            "element", errors[w], "1", f"standard error of valence_{w}"
        )
    for w in wheres:
        ds[f"valence_{w}_status"] = variable(
            "element", status[w], "1", f"status of valence_{w} (ok, flagged, failed)"
        )
        ds[f"valence_{w}_note"] = variable(
            "element", notes[w], "1", f"why valence_{w} is flagged, failed or extrapolated"
        )
    ds["standard_ratio"] = variable(
        ("element", "standard"), std_ratio, "1", "L3/L2 of the valence calibration standards"
    )
    ds["standard_ratio_stderr"] = variable(
        ("element", "standard"), std_ratio_se, "1", "standard uncertainty of standard_ratio"
    )
    ds["standard_valence"] = variable(
        ("element", "standard"), std_valence, "1", "oxidation state of the calibration standards"
    )
    ds.attrs["valence_caveat"] = (
        "valences from literature L3/L2 standards unless eels.valence_standards is given; the "
        "ratio depends on specimen thickness, windows and background model: compare like with "
        "like (docs/eels.md)"
    )


REVERSED_NOTE = "line recorded from the electrolyte into the film: read from its film end"


def set_status(ds: xr.Dataset, line: LineResult) -> None:
    """Overall status: failed without any ratio, flagged when a measured element or the
    interface is not ok; elements that cannot be measured in the range only add a note."""
    stats, plan = line.stats, line.plan
    notes = [REVERSED_NOTE] if line.reversed else []
    if not plan.edges:
        lo, hi = float(ds["energy_loss"].values[0]), float(ds["energy_loss"].values[-1])
        asked = ", ".join(line.elements) or "the elements asked"
        notes.append(f"no L2,3 edge of {asked} measurable within {lo:g}-{hi:g} eV")
        ds.attrs.update(status="failed", status_note="; ".join(notes + list(plan.reasons.values())))
        return
    measured = [j for j, el in enumerate(line.elements) if el in plan.edges]
    values = np.array([stats.bulk[j] for j in measured] + [stats.iface[j] for j in measured])
    if not np.any(np.isfinite(values)):
        status = "failed"
    elif any(stats.status[j] != "ok" for j in measured) or line.interface.status != "ok":
        status = "flagged"
    else:
        status = "ok"
    if line.interface.note:
        notes.append(f"interface: {line.interface.note}")
    notes.extend(f"{el}: {n}" for el, n in zip(line.elements, stats.note) if n)
    ds.attrs.update(status=status, status_note="; ".join(notes))
