"""Registration of an EELS line on the EDX line of the same sample, by their interface positions.

Both analyses locate the interface with the same code, :func:`interphase.interface.locate`
(CONTRACT.md §2: where the film's Mn+Co+Ni signal falls to half its film plateau; EDX from
the composition, EELS from the summed L2,3 edge intensity), each on its own distance axis,
read from the film side (a line recorded the other way is turned around by its analysis).
When the two lines were recorded along the same path, the offset between the two positions
is the shift that puts the EELS positions on the EDX axis: x_edx = x_eels - offset. Its
stderr combines both positions' stderrs in quadrature (independent measurements). A pure
function of two fit datasets, so figures and the summary can use it without reading files.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import xarray as xr


class Offset(NamedTuple):
    """EELS interface minus EDX interface (nm) and its standard error (nm)."""

    value: float
    stderr: float


def interface(fit: xr.Dataset) -> tuple[float, float]:
    """The interface position of an edx_line or eels_line fit and its stderr (NaN when absent)."""
    if "interface_position_nm" not in fit:
        return math.nan, math.nan
    value = float(fit["interface_position_nm"].values)
    err = (
        float(fit["interface_position_nm_stderr"].values)
        if "interface_position_nm_stderr" in fit
        else math.nan
    )
    return value, err


def register(eels_fit: xr.Dataset, edx_fit: xr.Dataset) -> Offset:
    """Offset (nm) of the EELS interface from the EDX one, with stderr; NaN when either has none.

    Raises ValueError when the two fits belong to different samples (registration between
    samples is meaningless).
    """
    a, b = eels_fit.attrs.get("sample"), edx_fit.attrs.get("sample")
    if a is not None and b is not None and a != b:
        raise ValueError(f"cannot register an EELS line of {a!r} on an EDX line of {b!r}")
    x_eels, e_eels = interface(eels_fit)
    x_edx, e_edx = interface(edx_fit)
    value = x_eels - x_edx
    if not math.isfinite(value):
        return Offset(math.nan, math.nan)
    return Offset(value, math.hypot(e_eels, e_edx))


def to_edx_axis(eels_distance, offset: Offset):
    """EELS positions expressed on the EDX line's distance axis."""
    return eels_distance - offset.value
