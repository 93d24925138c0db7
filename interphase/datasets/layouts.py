"""The required content of each technique's dataset, and the validator that checks it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from interphase.datasets.core import COMMON_ATTRS, TECHNIQUES
from interphase.errors import LayoutError


@dataclass(frozen=True)
class Variable:
    """One required variable or coordinate: its dimensions and its units."""

    dims: tuple[str, ...]
    units: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class Layout:
    """The required content of one technique's clean dataset."""

    technique: str
    variables: dict[str, Variable]
    ordered: dict[str, str] = field(default_factory=dict)  # coord -> "increasing"/"decreasing"
    attrs: tuple[str, ...] = ()
    # 2-D variables ordered along their last dim, NaN-padded at the end: name -> direction
    ordered_rows: dict[str, str] = field(default_factory=dict)


LAYOUTS: dict[str, Layout] = {
    "eis": Layout(
        "eis",
        {
            "frequency": Variable(("frequency",), ("Hz",)),
            "z_real": Variable(("frequency",), ("ohm",)),
            "z_imag": Variable(("frequency",), ("ohm",)),
            "time": Variable(("frequency",), ("s",), required=False),
        },
        ordered={"frequency": "decreasing"},
        attrs=("dc_potential_V", "z_imag_sign"),
    ),
    "cv": Layout(
        "cv",
        {
            "time": Variable(("point",), ("s",)),
            "potential": Variable(("point",), ("V",)),
            "current": Variable(("point",), ("A",)),
            "cycle": Variable(("point",), ("1",)),
        },
        attrs=("scan_rate_V_s",),
    ),
    "xrd": Layout(
        "xrd",
        {
            "two_theta": Variable(("two_theta",), ("degree",)),
            "intensity": Variable(("two_theta",), ("count",)),
            "intensity_cps": Variable(("two_theta",), ("count s-1",), required=False),
        },
        ordered={"two_theta": "increasing"},
        attrs=("wavelength_ka1_angstrom", "wavelength_ka2_angstrom", "ka2_ka1_ratio", "anode"),
    ),
    "edx_line": Layout(
        "edx_line",
        {
            "distance": Variable(("distance",), ("nm",)),
            "element": Variable(("element",), ("1",)),
            "composition": Variable(("distance", "element"), ("percent", "count")),
        },
        ordered={"distance": "increasing"},
        attrs=("composition_kind",),
    ),
    "eels_line": Layout(
        "eels_line",
        {
            "distance": Variable(("distance",), ("nm",)),
            "energy_loss": Variable(("energy_loss",), ("eV",)),
            "intensity": Variable(("distance", "energy_loss"), ("count",)),
        },
        ordered={"distance": "increasing", "energy_loss": "increasing"},
        attrs=("dispersion_eV", "beam_energy_keV"),
    ),
}


# Variants of a layout, chosen by a dimension only they have (see :func:`layout_of`).
VARIANTS: dict[str, Layout] = {
    # eis: a file holding repeated sweeps (datasets.electrochem.several_sweeps)
    "eis_sweeps": Layout(
        "eis",
        {
            "frequency": Variable(("sweep", "point"), ("Hz",)),
            "z_real": Variable(("sweep", "point"), ("ohm",)),
            "z_imag": Variable(("sweep", "point"), ("ohm",)),
            "time": Variable(("sweep", "point"), ("s",), required=False),
            "sweep": Variable(("sweep",), ("1",)),
            "sweep_points": Variable(("sweep",), ("1",)),
            "sweep_complete": Variable(("sweep",), ("1",)),
        },
        ordered={"sweep": "increasing"},
        attrs=("dc_potential_V", "z_imag_sign", "n_sweeps", "sweep_coordinate"),
        ordered_rows={"frequency": "decreasing"},
    ),
    # edx_line: the X-ray spectra as measured (datasets.microscopy.edx_spectra_dataset)
    "edx_line_spectra": Layout(
        "edx_line",
        {
            "distance": Variable(("distance",), ("nm",)),
            "energy": Variable(("energy",), ("eV",)),
            "counts": Variable(("distance", "energy"), ("count",)),
        },
        ordered={"distance": "increasing", "energy": "increasing"},
        attrs=("beam_energy_keV",),
    ),
}


def layout_of(ds: xr.Dataset, technique: str) -> Layout:
    """The layout (or variant) of ``ds``: a ``sweep`` or ``energy`` dimension picks a variant."""
    if technique == "eis" and "sweep" in ds.dims:
        return VARIANTS["eis_sweeps"]
    if technique == "edx_line" and "energy" in ds.dims:
        return VARIANTS["edx_line_spectra"]
    return LAYOUTS[technique]


def row_order_problems(ds: xr.Dataset, layout: Layout) -> list[str]:
    """2-D variables whose rows are not strictly ordered, or have gaps before their padding."""
    problems: list[str] = []
    for name, direction in layout.ordered_rows.items():
        if name not in ds.variables or ds[name].ndim != 2:
            continue
        for k, row in enumerate(np.asarray(ds[name].values, dtype=float)):
            finite = np.isfinite(row)
            count = int(finite.sum())
            steps = np.diff(row[:count])
            ok = np.all(steps > 0) if direction == "increasing" else np.all(steps < 0)
            if count == 0 or not finite[:count].all() or not ok:
                problems.append(f"'{name}' row {k} is not strictly {direction} then NaN")
    return problems


def variable_problems(ds: xr.Dataset, layout: Layout) -> list[str]:
    """How the variables of ``ds`` depart from the layout's (presence, dims, units, CF names)."""
    problems: list[str] = []
    for name, spec in layout.variables.items():
        if name not in ds.variables:
            if spec.required:
                problems.append(f"missing variable '{name}'")
            continue
        var = ds[name]
        if tuple(var.dims) != spec.dims:
            problems.append(f"'{name}' has dims {tuple(var.dims)}, expected {spec.dims}")
        if var.attrs.get("units") not in spec.units:
            units = var.attrs.get("units")
            problems.append(f"'{name}' has units {units!r}, expected {spec.units}")
    for name, var in ds.variables.items():
        for key in ("units", "long_name"):
            if key not in var.attrs:
                problems.append(f"'{name}' lacks the attribute '{key}'")
    return problems


def order_problems(ds: xr.Dataset, layout: Layout) -> list[str]:
    """Coordinates that are empty or not strictly in the layout's order."""
    problems: list[str] = []
    for coord, direction in layout.ordered.items():
        if coord in ds.variables and ds[coord].size > 1:
            steps = np.diff(np.asarray(ds[coord].values, dtype=float))
            ok = np.all(steps > 0) if direction == "increasing" else np.all(steps < 0)
            if not ok:
                problems.append(f"'{coord}' is not strictly {direction}")
    for coord in layout.ordered:
        if coord in ds.variables and ds[coord].size == 0:
            problems.append(f"'{coord}' is empty")
    return problems


def validate(ds: xr.Dataset, technique: str, *, clean: bool = False) -> None:
    """Raise LayoutError listing every way ``ds`` departs from the technique's layout.

    With ``clean=True`` the common sample and provenance attributes must be present too.
    """
    if technique not in LAYOUTS:
        expected = f"one of {', '.join(TECHNIQUES)}"
        raise LayoutError(None, "technique", expected, repr(technique))
    layout = layout_of(ds, technique)
    problems = variable_problems(ds, layout) + order_problems(ds, layout)
    problems += row_order_problems(ds, layout)
    required_attrs = layout.attrs + (COMMON_ATTRS if clean else ("reader", "reader_version"))
    for key in required_attrs:
        if key not in ds.attrs:
            problems.append(f"missing global attribute '{key}'")
    if problems:
        place = f"{technique} dataset"
        source = ds.attrs.get("source_file")
        raise LayoutError(source, place, "the documented layout", "; ".join(problems))
