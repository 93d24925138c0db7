"""Built-in reference patterns against powder diffraction cards and Bragg's law."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.xrd import references
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
        ("LATP", 24.45),  # (113), Li1.3Al0.3Ti1.7(PO4)3 (Aono et al. 1990; PDF 35-0754 for LiTi2(PO4)3: 24.40)
        ("LiCoPO4", 35.93),  # (311), ICDD PDF 32-0552 (35.96)
        ("CoTiO3", 32.83),  # (104), ICDD PDF 15-0866 (32.84)
    ],
)
def test_strongest_reflection_matches_the_powder_card(name, two_theta):
    assert strongest(name) == pytest.approx(two_theta, abs=0.1)


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


def test_cif_file_is_read_with_pymatgen():
    path = real_file("cif/xrdautoanalyzer_TiO2_136_rutile_P1.cif")  # a = 4.6092 Å
    expected = 2 * math.degrees(math.asin(CU / (2 * 4.6092 / math.sqrt(2))))
    pat = references.pattern(str(path), CU, (10, 80))
    assert float(pat.two_theta[np.argmax(pat.intensity)]) == pytest.approx(expected, abs=0.01)
    assert references.phase_name(str(path)) == "xrdautoanalyzer_TiO2_136_rutile_P1"


def test_unknown_phase_is_refused():
    with pytest.raises(ValueError, match="neither a built-in phase"):
        references.pattern("NoSuchPhase", CU)


def test_hkl_labels():
    assert references.hkl_label((1, 0, -1, 4)) == "104"
    assert references.hkl_label((0, 2, -2, 10)) == "0 2 10"
    assert references.hkl_label((2, -1, -1, 3)) == "2 -1 3"
    assert references.hkl_label((3, 1, 1)) == "311"
