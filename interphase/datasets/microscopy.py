"""Builders of the line layouts of electron microscopy: ``edx_line`` and ``eels_line``."""

from __future__ import annotations

import numpy as np
import xarray as xr

from interphase.datasets.core import variable

# Transition metals of cathode films (NMC, NCA, LMO, LFP): their summed signal tells the
# film side of a line ("film side first" is part of the line layouts).
FILM_METALS = ("Ni", "Co", "Mn", "Fe")


def film_side_last(composition: np.ndarray, elements: list[str]) -> bool:
    """True when the film transition metals are richer at the end of the line than at its start."""
    idx = [elements.index(e) for e in FILM_METALS if e in elements]
    if not idx or composition.shape[0] < 2:
        return False
    total = np.nansum(composition[:, idx], axis=1)
    n = max(1, composition.shape[0] // 10)
    return float(np.mean(total[-n:])) > float(np.mean(total[:n]))


def edx_composition_dataset(
    distance: np.ndarray,
    elements: list[str],
    composition: np.ndarray,
    attrs: dict,
    *,
    units: str = "percent",
    long_name: str = "composition (atomic percent)",
    extra: dict[str, xr.Variable] | None = None,
) -> xr.Dataset:
    """The ``edx_line`` composition variant: (distance, element) in percent or count."""
    data = {"composition": variable(("distance", "element"), composition, units, long_name)}
    data.update(extra or {})
    coords = {
        "distance": variable(
            "distance", distance, "nm", "distance along the line, film side first"
        ),
        "element": variable("element", np.array(elements, dtype=str), "1", "chemical element"),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def eels_line_dataset(
    distance: np.ndarray,
    energy_loss: np.ndarray,
    intensity: np.ndarray,
    attrs: dict,
    *,
    extra: dict[str, xr.Variable] | None = None,
    distance_long_name: str = "distance along the line",
) -> xr.Dataset:
    """The ``eels_line`` layout: intensity (distance, energy_loss) in count."""
    dims = ("distance", "energy_loss")
    data = {"intensity": variable(dims, intensity, "count", "electron energy-loss intensity")}
    data.update(extra or {})
    coords = {
        "distance": variable("distance", distance, "nm", distance_long_name),
        "energy_loss": variable("energy_loss", energy_loss, "eV", "energy loss"),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
