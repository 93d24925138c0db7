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
    layout = LAYOUTS[technique]
    problems = variable_problems(ds, layout) + order_problems(ds, layout)
    required_attrs = layout.attrs + (COMMON_ATTRS if clean else ("reader", "reader_version"))
    for key in required_attrs:
        if key not in ds.attrs:
            problems.append(f"missing global attribute '{key}'")
    if problems:
        place = f"{technique} dataset"
        source = ds.attrs.get("source_file")
        raise LayoutError(source, place, "the documented layout", "; ".join(problems))
