"""Built-in reference patterns against powder diffraction cards and Bragg's law."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.errors import ConfigError
from interphase.xrd import crystal, references
from tests.conftest import real_file

CU = 1.540598


def strongest(name: str) -> float:
    """2θ of the strongest reflection of a phase, Cu Kα1, 10-80°."""
    pat = references.pattern(name, CU, (10, 80))
    return float(pat.two_theta[np.argmax(pat.intensity)])


@pytest.mark.parametrize(
    ("name", "two_theta"),
    [
        ("Co3O4", 36.845),  # (311), ICDD PDF 42-1467
        ("TiO2-rutile", 27.446),  # (110), ICDD PDF 21-1276
        ("TiO2-anatase", 25.281),  # (101), ICDD PDF 21-1272
        (
            "LATP",
            24.45,
        ),  # (113), Li1.3Al0.3Ti1.7(PO4)3 (Aono et al. 1990; PDF 35-0754 for LiTi2(PO4)3: 24.40)
        ("LiCoPO4", 35.93),  # (311), ICDD PDF 32-0552 (35.96)
        ("CoTiO3", 32.83),  # (104), ICDD PDF 15-0866 (32.84)
        ("Li3PO4", 22.33),  # (210) in Pnma = (120) in Pmnb, d = 3.98 Å, γ-Li3PO4 ICDD PDF 15-0760
        ("AlPO4", 26.41),  # (102), d = 3.37 Å, berlinite ICDD PDF 10-0423
        ("Li2TiO3", 18.47),  # (002), d = 4.80 Å, ICDD PDF 33-0831
    ],
)
def test_strongest_reflection_matches_the_powder_card(name, two_theta):
    assert strongest(name) == pytest.approx(two_theta, abs=0.1)


@pytest.mark.parametrize(
    ("name", "hkl", "two_theta"),
    [
        ("Li3PO4", "210", 22.33),  # the strongest line of γ-Li3PO4, d = 3.98 Å (PDF 15-0760)
        ("AlPO4", "102", 26.41),  # the strongest line of berlinite, d = 3.37 Å (PDF 10-0423)
        ("Li2TiO3", "002", 18.47),  # the strongest line of Li2TiO3, d = 4.80 Å (PDF 33-0831)
        ("Li3PO4", "011", 23.19),  # second line of γ-Li3PO4, d = 3.83 Å (PDF 15-0760)
        ("Li3PO4", "220", 33.95),  # d = 2.64 Å
        ("AlPO4", "100", 20.73),  # berlinite d = 4.28 Å (PDF 10-0423)
        ("Li2TiO3", "1 3 -3", 43.59),  # d = 2.075 Å, the second-strongest line (PDF 33-0831)
        ("Li2TiO3", "110", 20.48),  # the superstructure line of the Li/Ti order, d = 4.33 Å
    ],
)
def test_new_phases_strong_lines_sit_at_the_card_positions(name, hkl, two_theta):
    pat = references.pattern(name, CU, (10, 80))
    assert pat.two_theta[pat.hkl.index(hkl)] == pytest.approx(two_theta, abs=0.05)
    assert pat.intensity[pat.hkl.index(hkl)] >= 20.0


@pytest.mark.parametrize("name", ["Li3PO4", "AlPO4", "Li2TiO3"])
def test_new_phases_have_the_formula_of_their_name(name):
    from pymatgen.core import Composition

    struct = crystal.structure(name)
    assert struct.composition.reduced_composition == Composition(name).reduced_composition


def cation_oxygen_distances(name: str, cation: str) -> list[float]:
    """All cation-O distances (Å) below 2.4 Å in the built structure of a library phase."""
    struct = crystal.structure(name)
    return [
        n.nn_distance
        for site in struct
        if site.specie.symbol == cation
        for n in struct.get_neighbors(site, 2.4)
        if n.specie.symbol == "O"
    ]


@pytest.mark.parametrize(
    ("name", "cation", "count", "lo", "hi"),
    [
        # berlinite: 4 O around each of 3 Al and 3 P; Al-O 1.73-1.74, P-O 1.52 Å
        # (Thong & Schwarzenbach 1979)
        ("AlPO4", "Al", 12, 1.72, 1.75),
        ("AlPO4", "P", 12, 1.51, 1.53),
        # Li2TiO3: 8 TiO6 octahedra, Ti-O 1.95-1.98 Å (Kataoka et al. 2009, CIF of XRD-AutoAnalyzer)
        ("Li2TiO3", "Ti", 48, 1.94, 1.99),
    ],
)
def test_new_phases_have_their_published_bond_lengths(name, cation, count, lo, hi):
    distances = cation_oxygen_distances(name, cation)
    assert len(distances) == count
    assert lo <= min(distances) and max(distances) <= hi


def test_li2tio3_positions_are_those_of_the_checked_cif():
    # Ti 4e y and an O 8f site as read from XRD-AutoAnalyzer Example/References/Li2TiO3_15.cif
    # (P1 listing: Ti17 0 0.41749 0.25, O27 0.14116 0.26356 0.13720), expanded here from C2/c
    struct = crystal.structure("Li2TiO3")
    frac = np.array([site.frac_coords for site in struct]) % 1.0
    for expected in ((0.0, 0.41749, 0.25), (0.14116, 0.26356, 0.13720), (0.5, 0.08251, 0.75)):
        assert np.min(np.abs(frac - np.array(expected)).max(axis=1)) < 1e-4


def test_every_library_phase_cites_its_source():
    for spec in references.LIBRARY.values():
        assert spec.source and any(ch.isdigit() for ch in spec.source), spec.name


def test_nmc111_003_and_104_at_their_bragg_angles():
    pat = references.pattern("NMC111", CU, (10, 80))
    c, a = 14.26, 2.866
    d003 = c / 3
    d104 = 1 / math.sqrt(4 / 3 * 1 / a**2 + 16 / c**2)
    for hkl, d in (("003", d003), ("104", d104)):
        expected = 2 * math.degrees(math.asin(CU / (2 * d)))
        assert pat.two_theta[pat.hkl.index(hkl)] == pytest.approx(expected, abs=1e-3)
    # the layered oxide: (104) and (003) are the two strongest, I(003)/I(104) near 1
    top2 = {pat.hkl[i] for i in np.argsort(-pat.intensity)[:2]}
    assert top2 == {"003", "104"}


def test_wavelength_moves_reflections_by_bragg():
    mo = references.pattern("NMC111", 0.70930, (5, 40))
    expected = 2 * math.degrees(math.asin(0.70930 / (2 * 14.26 / 3)))
    assert mo.two_theta[mo.hkl.index("003")] == pytest.approx(expected, abs=1e-3)


def test_min_relative_intensity_drops_weak_reflections():
    full = references.pattern("LATP", CU, (10, 80))
    strong = references.pattern("LATP", CU, (10, 80), min_relative_intensity=10.0)
    assert 0 < strong.two_theta.size < full.two_theta.size
    assert strong.intensity.min() >= 10.0


def bragg(d: float) -> float:
    """2θ (degrees) of a d-spacing (Å) at Cu Kα1."""
    return 2 * math.degrees(math.asin(CU / (2 * d)))


# Each real CIF with its expected strongest reflection: the Bragg angle of that reflection from
# the lattice parameters written in the file (read by hand), and the textbook value it is near.
CIFS = [
    # rutile (110), d = a/√2; the AMCSD file: a = 4.5922 Å (Swope et al. 1995)
    ("cif/danporter_TiO2_Rutile_AMCSD.cif", "110", bragg(4.5922 / math.sqrt(2)), 27.45),
    # CrystalDiffract export with both site labels 'Label': a = 4.587 Å
    ("cif/danporter_Rutile_CrystalDiffract.cif", "110", bragg(4.587 / math.sqrt(2)), 27.45),
    # pymatgen P1 export with 'Ti3.928+': a = 4.6092 Å (a DFT cell, 0.3 % larger)
    ("cif/xrdautoanalyzer_TiO2_136_rutile_P1.cif", "110", bragg(4.6092 / math.sqrt(2)), 27.45),
    # anatase (101), P1 with 'Ti0+'/'O0+': a = 3.783, c = 9.590 Å
    (
        "cif/xrdautoanalyzer_TiO2_141_anatase_P1.cif",
        "101",
        bragg(1 / math.sqrt(1 / 3.783**2 + 1 / 9.590**2)),
        25.3,
    ),
    # LiCoO2 (003), d = c/3, c = 13.888 Å in this VESTA file (19.16°; 18.9-19.0° for c = 14.05 Å)
    ("cif/danporter_LiCoO2_VESTA.cif", "003", bragg(13.888 / 3), 18.95),
]


@pytest.mark.parametrize(("relative", "hkl", "expected", "textbook"), CIFS)
def test_real_cif_gives_its_strongest_reflection(relative, hkl, expected, textbook):
    path = real_file(relative)
    pat = references.pattern(str(path), CU, (10, 80))
    top = int(np.argmax(pat.intensity))
    assert pat.two_theta[top] == pytest.approx(expected, abs=0.01)
    assert pat.two_theta[top] == pytest.approx(textbook, abs=0.25)
    # hkl labels of a P1 cell are those of the cell in the file: same planes, same indices here
    assert pat.hkl[top] == hkl
    assert references.phase_name(str(path)) == path.stem


def test_unreadable_cif_is_a_config_error_naming_the_file(tmp_path):
    bad = tmp_path / "broken.cif"
    bad.write_text("data_broken\n_cell_length_a 4.0\nloop_\n_atom_site_label\nX1\n")
    with pytest.raises(references.PhaseError) as info:
        references.pattern(str(bad), CU, (10, 80))
    assert str(bad) in str(info.value) and "CIF" in str(info.value)
    assert isinstance(info.value, ConfigError) and isinstance(info.value, ValueError)


def test_unknown_phase_is_refused():
    with pytest.raises(ConfigError, match="neither a built-in phase nor a file"):
        references.pattern("NoSuchPhase", CU)


def test_hkl_labels():
    assert references.hkl_label((1, 0, -1, 4)) == "104"
    assert references.hkl_label((0, 2, -2, 10)) == "0 2 10"
    assert references.hkl_label((2, -1, -1, 3)) == "2 -1 3"
    assert references.hkl_label((3, 1, 1)) == "311"
