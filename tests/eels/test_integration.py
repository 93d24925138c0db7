"""White-line integration of one spectrum: known ratios back, stderr that matches the scatter."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.eels import integration
from interphase.eels.edges import EDGES
from tests.eels import synthetic as syn

FLAT = syn.Line(decay=0.0)  # a continuum that stays flat past L2, as Pearson's step assumes


def film_spectrum(line: syn.Line, co_ratio: float = 2.3) -> np.ndarray:
    """The noise-free film spectrum of the line with the given Co ratio."""
    line = syn.Line(**{**line.__dict__, "ratios": {"Mn": 2.0, "Co": co_ratio}})
    return syn.single(line, 0.0, line.energy)


@pytest.mark.parametrize("ratio", [2.0, 3.0, 4.5])
def test_noise_free_spectrum_gives_its_ratio(ratio):
    result = integration.integrate_edge(FLAT.energy, film_spectrum(FLAT, ratio), EDGES["Co"])
    assert result.l3 / result.l2 == pytest.approx(ratio, rel=0.02)


def test_a_continuum_falling_past_l2_biases_the_flat_step_by_a_few_percent():
    """Pearson's flat step on a continuum falling as (E/E_L2)^-1.5: the ratio comes out low."""
    decaying = syn.Line()
    flat = integration.integrate_edge(FLAT.energy, film_spectrum(FLAT), EDGES["Co"])
    fall = integration.integrate_edge(decaying.energy, film_spectrum(decaying), EDGES["Co"])
    bias = (fall.l3 / fall.l2) / (flat.l3 / flat.l2) - 1.0
    assert -0.06 < bias < -0.005


def test_ratio_stderr_matches_the_scatter_of_poisson_repeats():
    rng = np.random.default_rng(7)
    expected = film_spectrum(FLAT)
    ratios, errors = [], []
    for _ in range(200):
        r = integration.integrate_edge(
            FLAT.energy, rng.poisson(expected).astype(float), EDGES["Co"]
        )
        value, err = integration.ratio_with_stderr(r)
        ratios.append(value)
        errors.append(err)
    assert np.std(ratios) == pytest.approx(np.mean(errors), rel=0.2)
    assert np.mean(ratios) == pytest.approx(2.3, abs=3 * np.std(ratios) / math.sqrt(200) + 0.04)
