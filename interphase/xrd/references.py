"""The built-in reference phases and their powder patterns at any wavelength.

Each built-in phase is a space group, lattice parameters and Wyckoff positions from the
literature (cited next to it). Reflection *positions* depend only on the lattice; the
atomic positions set the relative *intensities*, which are good to a few percent only
where a position is taken from an isotypic compound (said so below). An entry of
``expected_phases`` that is not a built-in name is read as a path to a CIF file.

Where the patterns come from: for the built-in phases, the data file shipped with the
package (``interphase/data/xrd_references.json``, written once with pymatgen by
``python -m interphase.xrd.build_references``; see :mod:`interphase.xrd.reference_data`),
which gives pymatgen's XRDCalculator pattern at any wavelength without importing pymatgen
(~1–2 s CPU a job). pymatgen itself (:mod:`interphase.xrd.crystal`) computes the pattern of a
CIF file, of a built-in phase whose structure below no longer matches the data file (stale:
the run says so in the pattern's source and a test fails), and of a range that needs
reflections with d below the file's smallest.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interphase.errors import ConfigError
from interphase.xrd.wavelength import CU_KA1_ANGSTROM

log = logging.getLogger("interphase")

# Pattern range used when none is asked for (degrees 2θ).
DEFAULT_RANGE = (5.0, 120.0)


@dataclass(frozen=True)
class PhaseSpec:
    """A crystal structure given as space group + lattice + asymmetric unit, with its source."""

    name: str
    formula: str
    spacegroup: str
    lattice: tuple[float, float, float, float, float, float]  # a, b, c (Å), α, β, γ (deg)
    species: tuple
    coords: tuple[tuple[float, float, float], ...]
    source: str


@dataclass(frozen=True)
class Pattern:
    """A reference pattern: reflection 2θ (deg), relative intensities (max 100), hkl labels."""

    name: str
    two_theta: np.ndarray
    intensity: np.ndarray
    hkl: tuple[str, ...]
    wavelength_angstrom: float
    source: str


def _hex(a: float, c: float) -> tuple[float, float, float, float, float, float]:
    """Hexagonal lattice parameters."""
    return (a, a, c, 90.0, 90.0, 120.0)


def _olivine(
    name: str, formula: str, metal: str, abc: tuple[float, float, float], source: str
) -> PhaseSpec:
    """An olivine LiMPO4 (Pnma) with positions of LiCoPO4 (Kubel 1994), lattice from source."""
    return PhaseSpec(
        name,
        formula,
        "Pnma",
        (*abc, 90.0, 90.0, 90.0),
        ("Li", metal, "P", "O", "O", "O"),
        (
            (0.0, 0.0, 0.0),
            (0.2785, 0.25, 0.9797),
            (0.0948, 0.25, 0.4195),
            (0.0986, 0.25, 0.7428),
            (0.4560, 0.25, 0.2058),
            (0.1666, 0.0449, 0.2797),
        ),
        source,
    )


_TM = {"Ni": 1 / 3, "Co": 1 / 3, "Mn": 1 / 3}

LIBRARY: dict[str, PhaseSpec] = {
    spec.name: spec
    for spec in (
        # Layered LiNi1/3Co1/3Mn1/3O2, α-NaFeO2 type: a = 2.866, c = 14.26 Å (Ohzuku & Makimura,
        # Chem. Lett. 30, 642 (2001); Yabuuchi & Ohzuku, J. Power Sources 119-121, 171 (2003));
        # Li 3b, TM 3a, O 6c with z(O) = 0.2412 (Yabuuchi et al., J. Electrochem. Soc. 152,
        # A1434 (2005)).
        PhaseSpec(
            "NMC111",
            "LiNi1/3Co1/3Mn1/3O2",
            "R-3m",
            _hex(2.866, 14.26),
            ("Li", _TM, "O"),
            ((0, 0, 0.5), (0, 0, 0), (0, 0, 0.2412)),
            "Ohzuku & Makimura 2001; Yabuuchi & Ohzuku 2003",
        ),
        # NASICON Li1.3Al0.3Ti1.7(PO4)3: a = 8.50, c = 20.82 Å (Aono et al., J. Electrochem. Soc.
        # 137, 1023 (1990)); positions of LiTi2(PO4)3 (Redhammer et al., Acta Cryst. C 72, 291
        # (2016), rounded), Al on the Ti site; the 0.3 extra Li (36f, partly occupied) is left out.
        PhaseSpec(
            "LATP",
            "Li1.3Al0.3Ti1.7(PO4)3",
            "R-3c",
            _hex(8.50, 20.82),
            ("Li", {"Ti": 0.85, "Al": 0.15}, "P", "O", "O"),
            (
                (0, 0, 0),
                (0, 0, 0.1416),
                (0.2889, 0, 0.25),
                (0.1829, -0.0090, 0.1925),
                (0.1904, 0.1682, 0.0819),
            ),
            "Aono et al. 1990; positions after Redhammer et al. 2016",
        ),
        # Spinel Co3O4: a = 8.084 Å, u(O) = 0.2631 in origin choice 2 = 0.3881 in origin choice 1,
        # which pymatgen uses (Smith & Hobson, Acta Cryst. B 29, 362 (1973)).
        PhaseSpec(
            "Co3O4",
            "Co3O4",
            "Fd-3m",
            (8.084, 8.084, 8.084, 90.0, 90.0, 90.0),
            ("Co", "Co", "O"),
            ((0, 0, 0), (0.625, 0.625, 0.625), (0.3881, 0.3881, 0.3881)),
            "Smith & Hobson 1973",
        ),
        # Inverse spinel Co2TiO4: a = 8.437 Å (ICDD PDF 39-1410); Co(Ti) on 16d, u(O) as Co3O4.
        PhaseSpec(
            "Co2TiO4",
            "Co2TiO4",
            "Fd-3m",
            (8.437, 8.437, 8.437, 90.0, 90.0, 90.0),
            ("Co", {"Co": 0.5, "Ti": 0.5}, "O"),
            ((0, 0, 0), (0.625, 0.625, 0.625), (0.3881, 0.3881, 0.3881)),
            "ICDD PDF 39-1410; positions as Co3O4",
        ),
        # Olivines: LiCoPO4 a = 10.2001, b = 5.9199, c = 4.6993 Å with positions (Kubel,
        # Z. Kristallogr. 209, 755 (1994)); LiMnPO4 (Geller & Durand, Acta Cryst. 13, 325 (1960))
        # and LiNiPO4 (Abrahams & Easson, Acta Cryst. C 49, 925 (1993)) lattices with the same
        # positions.
        _olivine("LiCoPO4", "LiCoPO4", "Co", (10.2001, 5.9199, 4.6993), "Kubel 1994"),
        _olivine(
            "LiMnPO4",
            "LiMnPO4",
            "Mn",
            (10.446, 6.103, 4.744),
            "Geller & Durand 1960; positions of LiCoPO4",
        ),
        _olivine(
            "LiNiPO4",
            "LiNiPO4",
            "Ni",
            (10.032, 5.854, 4.677),
            "Abrahams & Easson 1993; positions of LiCoPO4",
        ),
        # Ilmenite CoTiO3: a = 5.066, c = 13.918 Å (Newnham et al., Acta Cryst. 17, 240 (1964));
        # positions of the ilmenite type, rounded.
        PhaseSpec(
            "CoTiO3",
            "CoTiO3",
            "R-3",
            _hex(5.066, 13.918),
            ("Co", "Ti", "O"),
            ((0, 0, 0.3554), (0, 0, 0.1457), (0.3177, 0.0200, 0.2457)),
            "Newnham et al. 1964",
        ),
        # TiO2 rutile a = 4.5937, c = 2.9587 Å, x(O) = 0.30478; anatase a = 3.7842, c = 9.5146 Å,
        # z(O) = 0.20806 (origin choice 1) (Howard, Sabine & Dickson, Acta Cryst. B 47, 462 (1991)).
        PhaseSpec(
            "TiO2-rutile",
            "TiO2",
            "P4_2/mnm",
            (4.5937, 4.5937, 2.9587, 90.0, 90.0, 90.0),
            ("Ti", "O"),
            ((0, 0, 0), (0.30478, 0.30478, 0)),
            "Howard et al. 1991",
        ),
        PhaseSpec(
            "TiO2-anatase",
            "TiO2",
            "I4_1/amd",
            (3.7842, 3.7842, 9.5146, 90.0, 90.0, 90.0),
            ("Ti", "O"),
            ((0, 0, 0), (0, 0, 0.20806)),
            "Howard et al. 1991",
        ),
        # γ-Li3PO4 (the quenchable high-temperature form, found in LATP and at LATP/cathode
        # interfaces): Wang, Chakoumakos, Sales, Kwak & Bates, J. Solid State Chem. 115, 313 (1995),
        # AMCSD 0013843, given in Pmnb with a = 6.1113, b = 10.4612, c = 4.9208 Å; transformed to
        # Pnma by (x, y, z)_Pnma = (y, x, -z)_Pmnb. P-O 1.53-1.55 Å in the result.
        PhaseSpec(
            "Li3PO4",
            "Li3PO4",
            "Pnma",
            (10.4612, 6.1113, 4.9208, 90.0, 90.0, 90.0),
            ("Li", "Li", "P", "O", "O", "O"),
            (
                (0.1627, 0.5016, -0.3008),
                (0.4246, 0.75, -0.2045),
                (0.4115, 0.25, -0.3079),
                (0.3418, 0.0441, -0.2054),
                (0.0503, 0.25, -0.2928),
                (0.0896, 0.75, -0.1223),
            ),
            "Wang et al. 1995 (AMCSD 0013843), gamma-Li3PO4",
        ),
        # Berlinite AlPO4 (α-quartz type, P3_121; the AlPO4 secondary phase of LATP): a = 4.9429,
        # c = 10.9476 Å, Al 3a, P 3b, O 2 × 6c (Thong & Schwarzenbach, Acta Cryst. A 35, 658
        # (1979)), positions rounded to 4 digits; Al-O 1.73-1.74, P-O 1.52 Å in the result.
        # NOTE: positions typed in without the original CIF at hand (bond lengths and the strongest
        # lines check out, test_references); to be verified against ICSD 9641 / AMCSD. No berlinite
        # CIF was found in the public GitHub index or stored AMCSD/COD pages searched on 2026-11-25.
        PhaseSpec(
            "AlPO4",
            "AlPO4",
            "P3_121",
            _hex(4.9429, 10.9476),
            ("Al", "P", "O", "O"),
            (
                (0.4664, 0, 1 / 3),
                (0.4669, 0, 5 / 6),
                (0.4163, 0.2922, 0.3977),
                (0.4159, 0.2576, 0.8837),
            ),
            "Thong & Schwarzenbach 1979, berlinite",
        ),
        # Li2TiO3 (β, monoclinic C2/c, layered rock salt): a = 5.0623, b = 8.7876, c = 9.7533 Å,
        # β = 100.212° with Li 8f + 4d + 4e, Ti 2 × 4e, O 3 × 8f (Kataoka et al., Mater. Res. Bull.
        # 44, 168 (2009)). Positions as read from the P1 CIF Example/References/Li2TiO3_15.cif of
        # github.com/njszym/XRD-AutoAnalyzer (commit 4ed0eba; an ICSD structure with this lattice to
        # every digit), reduced to the asymmetric unit; the positions first typed in here agreed
        # with it to 0.004 in fractional coordinates. Ti-O 1.95-1.98, Li-O 2.04-2.21 Å in the
        # result.
        PhaseSpec(
            "Li2TiO3",
            "Li2TiO3",
            "C2/c",
            (5.0623, 8.7876, 9.7533, 90.0, 100.212, 90.0),
            ("Li", "Li", "Li", "Ti", "Ti", "O", "O", "O"),
            (
                (0.2383, 0.0795, 0.9999),
                (0.25, 0.25, 0.5),
                (0, 0.0852, 0.25),
                (0, 0.41749, 0.25),
                (0, 0.74971, 0.25),
                (0.14116, 0.26356, 0.13720),
                (0.10555, 0.58444, 0.13719),
                (0.13958, 0.90588, 0.13454),
            ),
            "Kataoka et al. 2009 (positions checked against XRD-AutoAnalyzer Li2TiO3_15.cif)",
        ),
    )
}

# Reported for (L)CO/NMC-LATP co-sintering but NOT in the library: LiTiOPO4 = LiTiPO5 (Pnma,
# α-Fe2PO5 type, a = 7.4000, b = 6.3752, c = 7.2347 Å; Robertson et al., J. Solid State Chem. 109,
# 53 (1994); Rietveld positions also in Chakir et al., J. Solid State Chem. 179, 18 (2006), with
# Ti-O 1.70-1.71 and 2.28-2.30 Å alternating along the Ti-O-Ti chains; Materials Project
# mp-6668). Its atomic positions were not found in a checkable public source (searched
# 2026-11-25: GitHub CIF collections such as XRD-AutoAnalyzer, ARROWS, MP/pymatgen CIF dumps;
# COD/AMCSD pages), so none are typed in here; add it through a CIF path in
# xrd.expected_phases (e.g. the CIF of mp-6668 or of ICSD) when needed.


def names() -> tuple[str, ...]:
    """The built-in phase names."""
    return tuple(LIBRARY)


class PhaseError(ConfigError, ValueError):
    """An expected phase that is neither a built-in name nor a readable CIF (names the entry)."""


def spec_record(spec: PhaseSpec) -> dict:
    """The inputs of a built-in phase as plain JSON values (what the data file records)."""
    record = {
        "formula": spec.formula,
        "spacegroup": spec.spacegroup,
        "lattice": list(spec.lattice),
        "species": [dict(s) if isinstance(s, dict) else s for s in spec.species],
        "coords": [list(c) for c in spec.coords],
    }
    return json.loads(json.dumps(record))


def hkl_label(hkl) -> str:
    """Miller indices as text: '104' for one-digit positive indices, else '0 2 10' / '-1 1 3'.

    pymatgen gives hexagonal indices as (h, k, i, l); the redundant i is dropped.
    """
    idx = tuple(int(v) for v in hkl)
    if len(idx) == 4:
        idx = (idx[0], idx[1], idx[3])
    if all(0 <= v <= 9 for v in idx):
        return "".join(str(v) for v in idx)
    return " ".join(str(v) for v in idx)


def _check_entry(name_or_cif: str) -> None:
    """PhaseError unless the entry is a built-in phase or an existing file."""
    if name_or_cif not in LIBRARY and not Path(name_or_cif).is_file():
        raise PhaseError(
            None,
            "key 'xrd.expected_phases'",
            f"a built-in phase ({', '.join(LIBRARY)}) or the path of a CIF file",
            f"{name_or_cif!r}, which is neither a built-in phase nor a file",
        )


@functools.lru_cache(maxsize=64)
def _cached_pattern(name_or_cif: str, wavelength: float, lo: float, hi: float) -> Pattern:
    """The pattern, computed once per process for a phase, wavelength and range."""
    from interphase.xrd import reference_data

    _check_entry(name_or_cif)
    why = "a CIF file"
    if name_or_cif in LIBRARY:
        shipped = reference_data.pattern(name_or_cif, wavelength, lo, hi)
        if isinstance(shipped, Pattern):
            return shipped
        why = shipped
        log.warning("XRD reference %s computed with pymatgen at run time: %s", name_or_cif, why)
    from interphase.xrd import crystal

    pat = crystal.computed_pattern(name_or_cif, wavelength, lo, hi)
    if name_or_cif in LIBRARY:
        source = f"{pat.source}; computed with pymatgen at run time ({why})"
        pat = Pattern(pat.name, pat.two_theta, pat.intensity, pat.hkl, wavelength, source)
    return pat


def pattern(
    name_or_cif: str,
    wavelength_angstrom: float = CU_KA1_ANGSTROM,
    two_theta_range: tuple[float, float] = DEFAULT_RANGE,
    min_relative_intensity: float = 0.0,
) -> Pattern:
    """Reflections of a phase at a wavelength in a 2θ range, those below the cut (%) dropped.

    Relative intensities are scaled to 100 for the strongest reflection in ``two_theta_range``.
    """
    lo, hi = (round(float(v), 4) for v in two_theta_range)
    full = _cached_pattern(str(name_or_cif), round(float(wavelength_angstrom), 6), lo, hi)
    keep = full.intensity >= min_relative_intensity
    return Pattern(
        full.name,
        full.two_theta[keep],
        full.intensity[keep],
        tuple(h for h, k in zip(full.hkl, keep) if k),
        full.wavelength_angstrom,
        full.source,
    )


def phase_name(name_or_cif: str) -> str:
    """The display name of an expected phase: the built-in name or the CIF file's stem."""
    return name_or_cif if name_or_cif in LIBRARY else Path(name_or_cif).stem
