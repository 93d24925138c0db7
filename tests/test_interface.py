"""The shared interface module: the erf step, its 10-90 % width, the film side, the definition."""

from __future__ import annotations

import numpy as np

from interphase import interface


def test_ten_ninety_width_of_the_erf_step_is_2563_sigma():
    y = interface.erf_step(np.array([-1.2816, 1.2816]), 0.0, 1.0, 0.0, 1.0)
    np.testing.assert_allclose(y, [0.1, 0.9], atol=1e-4)
    half = interface.WIDTH_10_90_PER_SIGMA / 2
    np.testing.assert_allclose(
        interface.erf_step(np.array([-half, half]), 1.0, 0.0, 0.0, 1.0), [0.9, 0.1], atol=1e-4
    )


def test_film_metals_are_those_of_nmc111():
    assert set(interface.FILM_METALS) == {"Ni", "Co", "Mn"}
