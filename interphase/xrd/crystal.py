"""Crystal structures and powder patterns computed with pymatgen: CIF files and the builder.

Why pymatgen: its ``XRDCalculator`` (kinematic intensities with atomic scattering factors,
Lorentz-polarisation and multiplicities, disordered sites allowed) is the best-kept open
implementation and reads CIF files too; writing our own would repeat it.

This is the only module that imports pymatgen, and only inside its functions:
``from pymatgen.analysis.diffraction.xrd import XRDCalculator`` costs ~0.8 s CPU here. A scan
analysed against the built-in phases never comes here (their reflections are read from the
shipped data file, :mod:`interphase.xrd.reference_data`); a CIF path in
``xrd.expected_phases``, a stale data file or a 2θ range beyond it does.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from interphase.xrd.references import LIBRARY, Pattern, PhaseError, PhaseSpec, hkl_label

# occupancies summing a little over 1 from rounding in the file are accepted
CIF_OCCUPANCY_TOLERANCE = 1.05


def read_cif(path: Path):
    """The first structure of a CIF file, conventional cell; PhaseError naming the file.

    pymatgen's ``CifParser`` copes with the quirks seen in the wild (duplicate atom-site labels,
    fractional oxidation-state labels such as 'Ti3.928+', 'Ti0+', P1 files listing every site).
    Its warnings (e.g. about the labels) are kept out of the log; a file it cannot turn into a
    structure is an error of the configuration, not of the analysis.
    """
    from pymatgen.io.cif import CifParser

    place, expected = "key 'xrd.expected_phases'", "a CIF file with one readable crystal structure"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parser = CifParser(str(path), occupancy_tolerance=CIF_OCCUPANCY_TOLERANCE)
            structures = parser.parse_structures(primitive=False)
    except Exception as error:  # pymatgen raises ValueError, KeyError, IndexError... for bad CIFs
        raise PhaseError(path, place, expected, f"{type(error).__name__}: {error}") from None
    if not structures:
        raise PhaseError(path, place, expected, "no structure")
    return structures[0]


def spec_structure(spec: PhaseSpec):
    """The pymatgen Structure of a built-in phase (space group + lattice + asymmetric unit)."""
    from pymatgen.core import Lattice, Structure

    lattice = Lattice.from_parameters(*spec.lattice)
    coords = [list(c) for c in spec.coords]
    return Structure.from_spacegroup(spec.spacegroup, lattice, list(spec.species), coords)


def structure(name_or_cif: str):
    """The pymatgen Structure of a built-in phase, or of the first structure in a CIF file."""
    if name_or_cif in LIBRARY:
        return spec_structure(LIBRARY[name_or_cif])
    path = Path(name_or_cif)
    if not path.is_file():
        raise PhaseError(
            None,
            "key 'xrd.expected_phases'",
            f"a built-in phase ({', '.join(LIBRARY)}) or the path of a CIF file",
            f"{name_or_cif!r}, which is neither a built-in phase nor a file",
        )
    return read_cif(path)


def computed_pattern(name_or_cif: str, wavelength: float, lo: float, hi: float) -> Pattern:
    """The pattern from pymatgen's XRDCalculator, intensities scaled to 100 in the range."""
    from pymatgen.analysis.diffraction.xrd import XRDCalculator

    struct = structure(name_or_cif)
    calc = XRDCalculator(wavelength=wavelength)
    pat = calc.get_pattern(struct, scaled=True, two_theta_range=(lo, hi))
    hkls = tuple(hkl_label(h[0]["hkl"]) for h in pat.hkls)
    builtin = name_or_cif in LIBRARY
    source = LIBRARY[name_or_cif].source if builtin else f"CIF file {name_or_cif}"
    name = name_or_cif if builtin else Path(name_or_cif).stem
    x = np.asarray(pat.x, dtype=float)
    y = np.asarray(pat.y, dtype=float)
    if y.size:
        y = 100.0 * y / y.max()
    return Pattern(name, x, y, hkls, wavelength, source)


def pymatgen_version() -> str:
    """The installed pymatgen version."""
    from importlib.metadata import version

    return version("pymatgen")
