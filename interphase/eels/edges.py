"""L2,3 edge table of the 3d transition metals: white-line maxima and the energy windows used.

Energies in eV (energy loss).

Onsets: the EELS Atlas (C. C. Ahn and O. L. Krivanek, Gatan/ASU HREM Facility, 1983) as listed
in Gatan's EELS.info periodic table (https://eels.info/atlas): Ti 456/462, Mn 640/651,
Fe 708/721, Co 779/794, Ni 855/872, Cu 931/951 eV (L3/L2).

Maxima: where the white lines peak in oxides (a few eV above the tabulated onsets): Mn4+ and
Co3+ L3/L2 maxima after Z. L. Wang, J. S. Yin, Y. D. Jiang, Micron 31, 571 (2000), Figs. 2-3;
Ti, Fe, Ni, Cu after the EELS Atlas spectra of their oxides. Pearson's method puts the
continuum steps at these maxima (D. H. Pearson, C. C. Ahn, B. Fultz, Phys. Rev. B 47, 8471
(1993), Sec. III).

Windows (after Pearson et al. 1993 and, for Mn, T. Riedl, T. Gemming, K. Wetzig,
Ultramicroscopy 106, 284 (2006); for Co, Wang et al. 2000):

- ``pre``: the power-law background fit, ~30 eV just below the L3 onset;
- ``l3``, ``l2``: the white-line integration windows, wide enough (10-13 eV) to hold each line
  over the ~3 eV chemical shift between valences, split between L3 and L2;
- ``post``: the continuum that scales the double step, 20-45 eV past the L2 maximum and
  before the next element's edge (Mn 670-695 < Fe 708; Co 815-840 < Ni 855).

The table is a plain dict; ``eels.edges`` in the config overrides entries partly
(:func:`with_overrides`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Edge:
    """One element's L2,3 edge: onsets, white-line maxima and the windows of the analysis (eV)."""

    element: str
    l3_onset: float
    l2_onset: float
    l3_max: float
    l2_max: float
    pre: tuple[float, float]
    l3: tuple[float, float]
    l2: tuple[float, float]
    post: tuple[float, float]

    @property
    def span(self) -> tuple[float, float]:
        """The energy range a spectrum must cover for this edge to be analysed."""
        return (self.pre[0], self.post[1])


EDGES: dict[str, Edge] = {
    "Ti": Edge(
        "Ti",
        456.0,
        462.0,
        458.0,
        463.5,
        (420.0, 450.0),
        (454.0, 461.0),
        (461.0, 468.0),
        (480.0, 515.0),
    ),
    "Mn": Edge(
        "Mn",
        640.0,
        651.0,
        642.5,
        653.5,
        (605.0, 635.0),
        (637.0, 648.0),
        (648.0, 660.0),
        (670.0, 695.0),
    ),
    "Fe": Edge(
        "Fe",
        708.0,
        721.0,
        709.5,
        722.5,
        (675.0, 703.0),
        (704.0, 715.0),
        (717.0, 729.0),
        (745.0, 770.0),
    ),
    "Co": Edge(
        "Co",
        779.0,
        794.0,
        780.0,
        795.5,
        (742.0, 772.0),
        (774.0, 787.0),
        (789.0, 801.0),
        (815.0, 840.0),
    ),
    "Ni": Edge(
        "Ni",
        855.0,
        872.0,
        855.5,
        873.0,
        (820.0, 850.0),
        (850.0, 862.0),
        (866.0, 879.0),
        (895.0, 920.0),
    ),
    "Cu": Edge(
        "Cu",
        931.0,
        951.0,
        931.5,
        951.5,
        (890.0, 925.0),
        (926.0, 938.0),
        (946.0, 958.0),
        (975.0, 1000.0),
    ),
}


def edge(element: str) -> Edge:
    """The table entry of one element (KeyError names the elements known)."""
    try:
        return EDGES[element]
    except KeyError:
        raise KeyError(
            f"no L2,3 edge tabulated for {element!r}; known: {', '.join(EDGES)}"
        ) from None


def in_range(element: str, energy_min: float, energy_max: float) -> bool:
    """True when a spectrum from energy_min to energy_max covers every window of the edge."""
    lo, hi = edge(element).span
    return energy_min <= lo and hi <= energy_max


EDGE_FIELDS = ("l3_onset", "l2_onset", "l3_max", "l2_max")
WINDOW_FIELDS = ("pre", "l3", "l2", "post")


def covers(e: Edge, energy_min: float, energy_max: float) -> bool:
    """True when a spectrum from energy_min to energy_max covers every window of the edge ``e``."""
    lo, hi = e.span
    return energy_min <= lo and hi <= energy_max


def with_overrides(overrides: dict | None) -> dict[str, Edge]:
    """The edge table with the config's partial overrides (``eels.edges``); ValueError if invalid.

    ``overrides`` maps an element of the table to any of ``l3_onset``, ``l2_onset``,
    ``l3_max``, ``l2_max`` (eV) and ``pre``, ``l3``, ``l2``, ``post`` ([start, end] in eV).
    """
    table = dict(EDGES)
    for element, fields in (overrides or {}).items():
        if element not in EDGES:
            raise ValueError(
                f"eels.edges: no L2,3 edge tabulated for {element!r}; known: {', '.join(EDGES)}"
            )
        if not isinstance(fields, dict):
            raise ValueError(
                f"eels.edges.{element} must be a mapping of window names to values, got {fields!r}"
            )
        changes = {}
        for key, value in fields.items():
            if key in EDGE_FIELDS and isinstance(value, (int, float)):
                changes[key] = float(value)
            elif (
                key in WINDOW_FIELDS
                and isinstance(value, (list, tuple))
                and len(value) == 2
                and value[0] < value[1]
            ):
                changes[key] = (float(value[0]), float(value[1]))
            else:
                raise ValueError(
                    f"eels.edges.{element}.{key}: expected one of {EDGE_FIELDS} (eV) or "
                    f"{WINDOW_FIELDS} "
                    f"([start, end] eV, start < end), got {value!r}"
                )
        table[element] = replace(EDGES[element], **changes)
    return table
