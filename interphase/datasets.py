"""The dataset layout every reader returns and every clean file holds, and its validator.

One layout a technique; the names below are the contract between readers, analyses
and figures. Every data variable and coordinate carries CF ``units`` (UDUNITS
strings) and ``long_name``. All layouts share the global attributes listed in
:data:`COMMON_ATTRS` once the clean step has added sample metadata and provenance.

eis (impedance spectrum)
    dim ``frequency`` (Hz), strictly decreasing (high to low, as measured).
    ``z_real`` (ohm), ``z_imag`` (ohm) with its true sign: Z = z_real + j*z_imag, so a
    capacitive arc has z_imag < 0 (attribute ``z_imag_sign`` says so).
    Optional ``time`` (s). Attributes: ``dc_potential_V`` (NaN when unknown),
    ``area_in_file_cm2`` where the file states an area.

cv (cyclic voltammogram)
    dim ``point`` (index, in acquisition order).
    ``time`` (s), ``potential`` (V, working electrode vs reference), ``current`` (A,
    anodic positive), ``cycle`` (1, integer, first cycle = 1).
    Attributes: ``scan_rate_V_s`` (NaN when unknown), ``area_in_file_cm2`` where stated.

xrd (powder or thin-film 2θ scan)
    dim ``two_theta`` (degree), strictly increasing.
    ``intensity`` (count); ``intensity_cps`` (count s-1) where the counting time is known.
    Attributes: ``wavelength_ka1_angstrom``, ``wavelength_ka2_angstrom`` (NaN when
    monochromatic or unknown), ``ka2_ka1_ratio``, ``anode``, ``counting_time_s``.

edx_line (EDX composition line profile)
    dims ``distance`` (nm, increasing, film side first) and ``element`` (chemical symbol).
    ``composition`` (distance, element) in ``percent`` (atomic percent) or ``count``;
    attribute ``composition_kind`` is ``"atomic_percent"`` or ``"counts"``.

eels_line (EELS spectra along a line)
    dims ``distance`` (nm, increasing, film side first) and ``energy_loss`` (eV,
    increasing). ``intensity`` (distance, energy_loss) in ``count``.
    Attributes: ``dispersion_eV``, ``beam_energy_keV``, ``convergence_angle_mrad``,
    ``collection_angle_mrad`` (NaN when not given).

Readers fill the technique variables and reader attributes (``reader``,
``reader_version`` and whatever the header says: ``instrument``, ``software``,
``start_time``...). :func:`attach_sample_and_provenance` adds the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from interphase.errors import LayoutError

TECHNIQUES = ("cv", "eis", "xrd", "edx_line", "eels_line")

# CF convention version written in every file (https://cfconventions.org).
CF_CONVENTIONS = "CF-1.10"

# The one wording of the impedance sign convention, written by every EIS reader.
Z_IMAG_SIGN = "true sign: Z = z_real + j*z_imag, so a capacitive arc has z_imag < 0"

# Global attributes present on every clean dataset.
COMMON_ATTRS = (
    "Conventions",
    "technique",
    "measurement",
    "sample",
    "label",
    "sintering_temperature_C",
    "electrode_area_cm2",
    "source_file",
    "source_sha256",
    "reader",
    "reader_version",
    "interphase_version",
    "git_commit",
    "history",
)


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


def validate(ds: xr.Dataset, technique: str, *, clean: bool = False) -> None:
    """Raise LayoutError listing every way ``ds`` departs from the technique's layout.

    With ``clean=True`` the common sample and provenance attributes must be present too.
    """
    if technique not in LAYOUTS:
        raise LayoutError(None, "technique", f"one of {', '.join(TECHNIQUES)}", repr(technique))
    layout = LAYOUTS[technique]
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
            problems.append(f"'{name}' has units {var.attrs.get('units')!r}, expected {spec.units}")
    for name, var in ds.variables.items():
        for key in ("units", "long_name"):
            if key not in var.attrs:
                problems.append(f"'{name}' lacks the attribute '{key}'")
    for coord, direction in layout.ordered.items():
        if coord in ds.variables and ds[coord].size > 1:
            steps = np.diff(np.asarray(ds[coord].values, dtype=float))
            ok = np.all(steps > 0) if direction == "increasing" else np.all(steps < 0)
            if not ok:
                problems.append(f"'{coord}' is not strictly {direction}")
    for coord in layout.ordered:
        if coord in ds.variables and ds[coord].size == 0:
            problems.append(f"'{coord}' is empty")
    required_attrs = layout.attrs + (COMMON_ATTRS if clean else ("reader", "reader_version"))
    for key in required_attrs:
        if key not in ds.attrs:
            problems.append(f"missing global attribute '{key}'")
    if problems:
        raise LayoutError(
            ds.attrs.get("source_file"), f"{technique} dataset", "the documented layout", "; ".join(problems)
        )


def variable(
    dims: str | tuple[str, ...], values, units: str, long_name: str, **attrs
) -> xr.Variable:
    """Build an xarray Variable with its CF ``units`` and ``long_name``."""
    return xr.Variable(dims, np.asarray(values), attrs={"units": units, "long_name": long_name, **attrs})


def attach_sample_and_provenance(
    ds: xr.Dataset,
    *,
    technique: str,
    measurement: str,
    sample: dict,
    provenance: dict,
) -> xr.Dataset:
    """Return ``ds`` with the technique, sample metadata and provenance attributes set.

    ``sample`` is the samples.tsv row (sample, label, sintering_temperature_C,
    electrode_area_cm2 and any extra columns, carried as ``sample_<column>``);
    ``provenance`` comes from :func:`interphase.provenance.source_provenance`.
    """
    out = ds.copy()
    attrs = dict(out.attrs)
    attrs["Conventions"] = CF_CONVENTIONS
    attrs["technique"] = technique
    attrs["measurement"] = measurement
    attrs["sample"] = str(sample["sample"])
    attrs["label"] = str(sample.get("label") or sample["sample"])
    attrs["sintering_temperature_C"] = float(sample["sintering_temperature_C"])
    attrs["electrode_area_cm2"] = float(sample["electrode_area_cm2"])
    for key, value in sample.items():
        if key not in ("sample", "label", "sintering_temperature_C", "electrode_area_cm2"):
            attrs[f"sample_{key}"] = netcdf_attr(value)
    attrs.update({k: netcdf_attr(v) for k, v in provenance.items()})
    out.attrs = attrs
    return out


def netcdf_attr(value):
    """Turn a Python value into something netCDF can store as an attribute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def is_missing(value) -> bool:
    """True for None, empty strings and NaN: the ways an attribute says 'not known'."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def cv_dataset(
    time,
    potential,
    current,
    cycle,
    attrs: dict,
    *,
    extra: dict[str, xr.Variable] | None = None,
    time_long_name: str = "time",
    cycle_long_name: str = "cycle number, first cycle = 1",
) -> xr.Dataset:
    """A voltammogram in the ``cv`` layout: time (s), potential (V), current (A, anodic positive), cycle."""
    potential = np.asarray(potential, dtype=float)
    data = {
        "time": variable("point", time, "s", time_long_name),
        "potential": variable("point", potential, "V", "working electrode potential vs reference"),
        "current": variable("point", current, "A", "current, anodic positive"),
        "cycle": variable("point", np.asarray(cycle, dtype=np.int32), "1", cycle_long_name),
        **(extra or {}),
    }
    coords = {"point": variable("point", np.arange(potential.size), "1", "point index in acquisition order")}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def eis_dataset(
    frequency,
    z_real,
    z_imag,
    attrs: dict,
    *,
    time=None,
    extra: dict[str, xr.Variable] | None = None,
    time_long_name: str = "time",
) -> xr.Dataset:
    """An impedance spectrum in the ``eis`` layout: frequency (Hz), z_real and z_imag (ohm, true sign), optional time (s).

    The caller passes the rows already in the layout's order (frequency strictly decreasing)
    and z_imag with its true sign; ``attrs`` gets ``z_imag_sign`` and, when absent,
    ``dc_potential_V`` = NaN.
    """
    data = {
        "z_real": variable("frequency", np.asarray(z_real, dtype=float), "ohm", "real part of the impedance"),
        "z_imag": variable("frequency", np.asarray(z_imag, dtype=float), "ohm", "imaginary part of the impedance"),
    }
    if time is not None:
        data["time"] = variable("frequency", np.asarray(time, dtype=float), "s", time_long_name)
    data.update(extra or {})
    coords = {"frequency": variable("frequency", np.asarray(frequency, dtype=float), "Hz", "frequency of the AC perturbation")}
    out_attrs = {**attrs, "z_imag_sign": Z_IMAG_SIGN}
    out_attrs.setdefault("dc_potential_V", math.nan)
    return xr.Dataset(data, coords=coords, attrs=out_attrs)
