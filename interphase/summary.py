"""The summary table: every headline number, tidy, one row a number (CONTRACT.md §3).

Each technique's ``rows(fit)`` returns partial rows made with :func:`row`; the
aggregation step fills in sample, temperature, technique and measurement from the
fit dataset's attributes and adds a ``failed`` row for every measurement that
produced no fit.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

COLUMNS = (
    "sample",
    "sintering_temperature_C",
    "technique",
    "measurement",
    "quantity",
    "element",
    "potential_V",
    "value",
    "stderr",
    "unit",
    "status",
    "note",
)

STATUSES = ("ok", "flagged", "failed")


def row(
    quantity: str,
    value: float | None,
    unit: str,
    *,
    stderr: float | None = None,
    element: str = "",
    potential_V: float | None = None,
    status: str = "ok",
    note: str = "",
) -> dict:
    """One summary row for a quantity; NaN or None stderr means 'no uncertainty known'."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    return {
        "quantity": quantity,
        "element": element or "",
        "potential_V": _float_or_nan(potential_V),
        "value": _float_or_nan(value),
        "stderr": _float_or_nan(stderr),
        "unit": unit,
        "status": status,
        "note": note or "",
    }


def _float_or_nan(value) -> float:
    """A float, with None (and anything not a number) as NaN."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def complete(rows: list[dict], attrs: dict) -> list[dict]:
    """Fill the identifying columns of ``rows`` from a fit dataset's attributes."""
    ident = {
        "sample": attrs.get("sample", ""),
        "sintering_temperature_C": float(attrs.get("sintering_temperature_C", math.nan)),
        "technique": attrs.get("technique", ""),
        "measurement": attrs.get("measurement", ""),
    }
    # Carried for the reference post-pass (interphase.reference.mark_references); not a column.
    reference = attrs.get("reference_electrode")
    extra = {"reference_electrode": str(reference)} if reference else {}
    return [{**ident, **r, **extra} for r in rows]


def failed_row(measurement: dict, sample: dict, reason: str) -> dict:
    """The row that stands for a measurement that produced no fit."""
    return {
        "sample": measurement["sample"],
        "sintering_temperature_C": float(sample["sintering_temperature_C"]),
        "technique": measurement["technique"],
        "measurement": measurement["measurement"],
        **row("analysis", None, "1", status="failed", note=reason),
    }


def to_frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as a DataFrame with the contract's columns, in order, sorted for reading."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    frame = frame.sort_values(
        ["sintering_temperature_C", "sample", "technique", "measurement"], kind="stable"
    ).reset_index(drop=True)
    return frame


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write the summary CSV: empty cells for missing values, 6 significant digits kept exactly."""
    from interphase.ncio import write_text

    text = frame.to_csv(index=False, float_format="%.10g", na_rep="", lineterminator="\n")
    write_text(text, path)


def to_dataset(frame: pd.DataFrame, attrs: dict | None = None) -> xr.Dataset:
    """The summary as a netCDF-ready dataset: one variable a column along ``row``."""
    units = {
        "sintering_temperature_C": ("degC", "sintering temperature"),
        "potential_V": ("V", "DC potential vs the reference electrode the row's note names"),
        "value": ("1", "value of the quantity, in the unit given by 'unit'"),
        "stderr": ("1", "standard error of the value, in the unit given by 'unit'"),
    }
    data_vars = {}
    for column in COLUMNS:
        values = frame[column].to_numpy()
        if column in units:
            unit, long_name = units[column]
            data_vars[column] = (
                "row",
                values.astype(float),
                {"units": unit, "long_name": long_name},
            )
        else:
            data_vars[column] = (
                "row",
                np.array([str(v) for v in values], dtype=object),
                {"units": "1", "long_name": column.replace("_", " ")},
            )
    ds = xr.Dataset(
        data_vars,
        coords={"row": ("row", np.arange(len(frame)), {"units": "1", "long_name": "row index"})},
    )
    ds.attrs = dict(attrs or {})
    return ds
