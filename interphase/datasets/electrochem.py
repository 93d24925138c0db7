"""Builders of the electrochemistry layouts: ``cv`` (voltammogram) and ``eis`` (spectrum)."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase.datasets.core import Z_IMAG_SIGN, variable


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
    """A voltammogram in the ``cv`` layout: time (s), potential (V), current (A, anodic +), cycle."""
    potential = np.asarray(potential, dtype=float)
    data = {
        "time": variable("point", time, "s", time_long_name),
        "potential": variable("point", potential, "V", "working electrode potential vs reference"),
        "current": variable("point", current, "A", "current, anodic positive"),
        "cycle": variable("point", np.asarray(cycle, dtype=np.int32), "1", cycle_long_name),
        **(extra or {}),
    }
    index = np.arange(potential.size)
    coords = {"point": variable("point", index, "1", "point index in acquisition order")}
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
    """An impedance spectrum in the ``eis`` layout: frequency (Hz), Z (ohm, true sign), time (s).

    The caller passes the rows already in the layout's order (frequency strictly decreasing)
    and z_imag with its true sign; ``attrs`` gets ``z_imag_sign`` and, when absent,
    ``dc_potential_V`` = NaN.
    """
    data = {
        "z_real": variable(
            "frequency", np.asarray(z_real, dtype=float), "ohm", "real part of the impedance"
        ),
        "z_imag": variable(
            "frequency", np.asarray(z_imag, dtype=float), "ohm", "imaginary part of the impedance"
        ),
    }
    if time is not None:
        data["time"] = variable("frequency", np.asarray(time, dtype=float), "s", time_long_name)
    data.update(extra or {})
    frequency = np.asarray(frequency, dtype=float)
    coords = {
        "frequency": variable("frequency", frequency, "Hz", "frequency of the AC perturbation")
    }
    out_attrs = {**attrs, "z_imag_sign": Z_IMAG_SIGN}
    out_attrs.setdefault("dc_potential_V", math.nan)
    return xr.Dataset(data, coords=coords, attrs=out_attrs)
