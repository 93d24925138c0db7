"""One sweep out of a file that holds several, so that every analysis sees one.

A clean dataset with a ``sweep`` dimension (the multi-sweep variant of a layout) keeps every
sweep as measured, NaN-padded along ``point``; its attribute ``sweep_coordinate`` names the
variable that becomes the dimension coordinate once one sweep is taken (``frequency`` for
eis). measurements.tsv's optional ``sweep`` column (recorded by the clean step as the
attribute ``sweep_requested``) says which: a sweep number (1 = the first in the file),
``first``, ``last``, or empty for the default, the last complete sweep.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from interphase.errors import AnalysisError

# Per-sweep variables that set an attribute of the selected sweep: variable -> (attribute,
# the attribute that says where the value came from). A value from measurements.tsv wins.
SWEEP_ATTRS = {"sweep_dc_potential": ("dc_potential_V", "dc_potential_source")}
# Attributes that describe the selection (copied into the fit by the workflow).
SELECTION_ATTRS = ("sweep_used", "n_sweeps", "sweep_note")


def chosen_sweep(ds: xr.Dataset, requested: str) -> tuple[int, str]:
    """Index of the requested sweep and why it was chosen; AnalysisError for a bad request."""
    numbers = [int(n) for n in ds["sweep"].values]
    complete = np.asarray(ds["sweep_complete"].values, dtype=bool)
    if requested == "":
        index = int(np.flatnonzero(complete)[-1]) if complete.any() else len(numbers) - 1
        return index, "the last complete one, by default"
    if requested in ("first", "last"):
        index = 0 if requested == "first" else len(numbers) - 1
        return index, f"'{requested}' in measurements.tsv"
    if requested.isdigit() and int(requested) in numbers:
        return numbers.index(int(requested)), "as measurements.tsv asks"
    raise AnalysisError(
        ds.attrs.get("source_file"),
        "column 'sweep' of measurements.tsv",
        f"a sweep number from 1 to {len(numbers)}, 'first' or 'last'",
        repr(requested),
    )


def one_sweep(ds: xr.Dataset, index: int) -> xr.Dataset:
    """Sweep ``index`` of a multi-sweep dataset in the single-sweep layout (padding dropped)."""
    coord = ds.attrs["sweep_coordinate"]
    one = ds.isel(sweep=index)
    one = one.isel(point=np.flatnonzero(np.isfinite(one[coord].values)))
    per_sweep = [name for name, var in one.data_vars.items() if var.dims == ()]
    values = {name: float(one[name]) for name in per_sweep}
    one = one.drop_vars([*per_sweep, "sweep"]).swap_dims({"point": coord}).drop_vars("point")
    attrs = {k: v for k, v in ds.attrs.items() if k != "sweep_coordinate"}
    for name, (attr, source) in SWEEP_ATTRS.items():
        if name in values and attrs.get(source) != "measurements.tsv":
            attrs[attr] = values[name]
            attrs[source] = f"{ds[name].attrs['long_name']} (sweep {int(ds['sweep'][index])})"
    one.attrs = attrs
    return one


def select_sweep(clean: xr.Dataset) -> tuple[xr.Dataset, str]:
    """The clean dataset with one sweep, and a note saying which of how many ('' for one).

    A dataset without a ``sweep`` dimension is returned as it is (a request other than 1,
    ``first`` or ``last`` is then an AnalysisError: the file holds one sweep).
    """
    requested = str(clean.attrs.get("sweep_requested", "")).strip().lower()
    if "sweep" not in clean.dims:
        if requested not in ("", "1", "first", "last"):
            place = "column 'sweep' of measurements.tsv"
            source = clean.attrs.get("source_file")
            raise AnalysisError(source, place, "sweep 1 (the file holds one sweep)", requested)
        return clean, ""
    index, why = chosen_sweep(clean, requested)
    total = clean.sizes["sweep"]
    number = int(clean["sweep"][index])
    note = f"sweep {number} of {total} in the file ({why})"
    if not bool(clean["sweep_complete"][index]):
        points, most = int(clean["sweep_points"][index]), int(clean["sweep_points"].max())
        note += f"; sweep {number} is incomplete ({points} of {most} points)"
    out = one_sweep(clean, index)
    out.attrs.update(sweep_used=number, n_sweeps=total, sweep_note=note)
    return out, note


def sweep_attrs(ds: xr.Dataset) -> dict:
    """The selection attributes of a dataset (sweep used, how many, the note), for the fit."""
    return {key: ds.attrs[key] for key in SELECTION_ATTRS if key in ds.attrs}
