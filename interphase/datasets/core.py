"""What every layout shares: CF variables, global attributes, sample metadata and provenance."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

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


def variable(
    dims: str | tuple[str, ...], values, units: str, long_name: str, **attrs
) -> xr.Variable:
    """Build an xarray Variable with its CF ``units`` and ``long_name``."""
    attrs = {"units": units, "long_name": long_name, **attrs}
    return xr.Variable(dims, np.asarray(values), attrs=attrs)


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


# The attribute through which a reader reports a quality problem of what it read (rows
# dropped as non-finite or overloaded, an incomplete sweep...): the clean step turns it
# into ``clean_status = "flagged"`` with the note (see :func:`clean_status`).
QUALITY_NOTE = "reader_quality_note"


def add_quality_note(attrs: dict, note: str) -> dict:
    """``attrs`` with ``note`` appended to the reader's quality note (sentences joined by '; ')."""
    notes = [n for n in (attrs.get(QUALITY_NOTE, ""), note) if n]
    return {**attrs, QUALITY_NOTE: "; ".join(notes)}


def clean_status(attrs: dict, checks: dict) -> dict:
    """``clean_status``/``clean_status_note`` from the reader's quality note and the clean checks.

    ``checks`` holds the clean step's own findings (``clean_status_note`` when flagged).
    Returns ``{}`` when nothing is to be flagged.
    """
    notes = [n for n in (attrs.get(QUALITY_NOTE, ""), checks.get("clean_status_note", "")) if n]
    if not notes:
        return dict(checks)
    return {**checks, "clean_status": "flagged", "clean_status_note": "; ".join(notes)}


def places_text(places: list[str], limit: int = 8) -> str:
    """'line 12, line 40 and 3 more': where rows are, for a note (at most ``limit`` named)."""
    named = ", ".join(places[:limit])
    more = len(places) - limit
    return f"{named} and {more} more" if more > 0 else named
