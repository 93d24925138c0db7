"""Erf profile fits of one line: the two-sided step and the F-test that chooses it."""

from __future__ import annotations

import numpy as np
import pytest

from interphase.edx import profile


def test_two_sided_step_has_its_10_90_points_on_each_flank():
    x = np.array([60.0 - 1.2816 * 4.0, 60.0, 60.0 + 1.2816 * 12.0])
    np.testing.assert_allclose(
        profile.erf_step_asym(x, 0.0, 1.0, 60.0, 4.0, 12.0), [0.1, 0.5, 0.9], atol=1e-4
    )


def test_f_test_p_value():
    # F = (110 - 100) / (100 / 95) = 9.5 with (1, 95) dof: p = 0.0027 (scipy.stats.f.sf,
    # checked by hand against tables)
    assert profile.f_test_p(110.0, 100.0, 100) == pytest.approx(0.0027, abs=3e-4)
    assert profile.f_test_p(100.0, 100.0, 100) == pytest.approx(1.0)
