"""Builders of the line layouts of electron microscopy: ``edx_line`` and ``eels_line``."""

from __future__ import annotations

import numpy as np
import xarray as xr

from interphase.datasets.core import variable
from interphase.interface import FILM_METALS, film_is_last

# Chemical symbols, Z = 1..103 (IUPAC Periodic Table of the Elements, 2022).
_SYMBOL_TABLE = """
    H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As
    Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu
    Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np
    Pu Am Cm Bk Cf Es Fm Md No Lr
"""
ELEMENT_SYMBOLS = frozenset(_SYMBOL_TABLE.split())


def film_side_last(composition: np.ndarray, elements: list[str]) -> bool:
    """True when the film's transition metals (interphase.interface) are richer at the line's end.

    "Film side first" is part of the line layouts; the decision is the one the analyses make
    (:func:`interphase.interface.film_is_last` on the summed film-metal signal).
    """
    idx = [elements.index(e) for e in FILM_METALS if e in elements]
    if not idx or composition.shape[0] < 2:
        return False
    return film_is_last(np.nansum(composition[:, idx], axis=1))


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


def edx_spectra_dataset(
    distance: np.ndarray,
    energy: np.ndarray,
    counts: np.ndarray,
    attrs: dict,
    *,
    labels: list[str] | None = None,
) -> xr.Dataset:
    """The ``edx_line`` spectra variant: X-ray counts (distance, energy) as measured.

    ``attrs`` should carry ``beam_energy_keV`` (NaN when the file gives none) and
    ``elements_named`` (the elements the file names, '' when none).
    """
    data = {"counts": variable(("distance", "energy"), counts, "count", "X-ray counts")}
    if labels is not None:
        files = np.array(labels, dtype=object)
        data["spectrum_file"] = variable("distance", files, "1", "source spectrum")
    coords = {
        "distance": variable("distance", distance, "nm", "distance along the line, as measured"),
        "energy": variable("energy", energy, "eV", "X-ray energy"),
    }
    out = {"elements_named": "", **attrs}
    out["composition_kind"] = "spectra"
    return xr.Dataset(data, coords=coords, attrs=out)


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
