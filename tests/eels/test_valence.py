"""Valence calibration: linear interpolation between L3/L2 standards, with propagated errors."""

from __future__ import annotations

import math

import pytest

from interphase.eels import valence

MN = valence.STANDARDS["Mn"]


def test_builtin_standards_cover_mn_and_co_and_cite_their_sources():
    assert [s.valence for s in MN] == [2.0, 3.0, 4.0] and [s.compound for s in MN] == [
        "MnO",
        "Mn2O3",
        "MnO2",
    ]
    assert {s.compound for s in valence.STANDARDS["Co"]} == {"CoO", "LiCoO2"}
    assert all("Wang" in s.source for el in ("Mn", "Co") for s in valence.STANDARDS[el])
    # white-line ratios fall as the 3d band empties from d5/d7 towards d3/d6
    assert MN[0].ratio > MN[1].ratio > MN[2].ratio


def test_standards_give_back_their_own_valence_with_their_own_spread():
    assert all(s.ratio_stderr == valence.LITERATURE_RATIO_STDERR == 0.2 for s in MN)
    for s in MN:
        v, se, inside = valence.estimate(s.ratio, 0.0, MN)
        # at a standard, its own spread alone: slope x 0.2 (1.25 or 0.77 valence per unit ratio)
        slopes = (
            [1 / 0.8, 1 / 1.3] if s.compound == "Mn2O3" else [1 / 0.8 if s.ratio < 2 else 1 / 1.3]
        )
        assert v == pytest.approx(s.valence) and inside
        assert any(se == pytest.approx(k * 0.2) for k in slopes)


def test_interpolation_and_its_stderr():
    # halfway between MnO2 (1.9, 4+) and Mn2O3 (2.7, 3+): 3.5+, slope -1/0.8 per unit ratio
    v, se, inside = valence.estimate(2.3, 0.08, MN)
    expected = math.sqrt(0.08**2 + (0.5 * 0.2) ** 2 + (0.5 * 0.2) ** 2) / 0.8
    assert v == pytest.approx(3.5) and se == pytest.approx(expected) and inside
    v, _, _ = valence.estimate(3.35, 0.1, MN)  # halfway between Mn2O3 and MnO (4.0)
    assert v == pytest.approx(2.5)


def test_standard_uncertainties_are_propagated():
    lab = (valence.Standard(2.0, 4.0, 0.2), valence.Standard(3.0, 2.0, 0.1))
    v, se, _ = valence.estimate(
        3.5, 0.05, lab
    )  # u = 0.75 of the way from ratio 2.0 (3+) to 4.0 (2+)
    assert v == pytest.approx(2.25)
    assert se == pytest.approx(
        0.5 * math.sqrt(0.05**2 + (0.25 * 0.1) ** 2 + (0.75 * 0.2) ** 2)
    )  # = 0.080


def test_extrapolation_is_marked_and_nan_stays_nan():
    v, se, inside = valence.estimate(1.5, 0.05, MN)
    assert v == pytest.approx(4.0 + 0.4 / 0.8) and not inside
    assert valence.within(1.85, 0.05, MN) and not valence.within(1.5, 0.05, MN)
    assert all(math.isnan(x) for x in valence.estimate(math.nan, 0.1, MN)[:2])


def test_lab_standards_from_config_replace_one_element():
    table = valence.standards_from_config(
        {"Co": [{"valence": 2, "ratio": 4.5, "source": "our CoO"}, {"valence": 3, "ratio": 2.2}]}
    )
    assert [s.ratio for s in table["Co"]] == [4.5, 2.2] and table["Co"][0].source == "our CoO"
    assert table["Mn"] == valence.STANDARDS["Mn"]
    with pytest.raises(ValueError, match="ratio"):
        valence.standards_from_config({"Co": [{"valence": 2}, {"valence": 3, "ratio": 2.2}]})
    with pytest.raises(ValueError, match="differ"):
        valence.standards_from_config(
            {"Co": [{"valence": 2, "ratio": 2.2}, {"valence": 3, "ratio": 2.2}]}
        )
