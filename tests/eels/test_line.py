"""Bulk and interface means along a line."""

from __future__ import annotations

import numpy as np
import pytest

from interphase.eels import line

P = {"interface_window_nm": 5.0, "bulk_distance_nm": 20.0, "min_edge_snr": 5.0}


def test_weighted_mean_is_not_pulled_low_by_ratio_dependent_errors():
    values = np.array([2.0 * 0.9, 2.0 * 1.1])
    errors = 0.1 * values  # the same relative error
    mean, se, n = line.weighted_mean(values, errors)
    assert mean == pytest.approx(2.0 * (0.9 + 1.1) / 2) and n == 2 and se > 0


def test_positions_not_usable_enter_neither_mean():
    x = np.arange(0.0, 60.0, 3.0)
    ratio = np.where(x < 15, 3.0, 2.0)[:, None]
    stderr = np.full(ratio.shape, 0.05)
    usable = x >= 15  # the first five positions too thick
    stats = line.summarise_elements(x, ["Co"], ratio, stderr, 40.0, P, usable)
    assert stats.bulk[0] == pytest.approx(2.0) and stats.n_bulk[0] == 2  # x = 15, 18
    everything = line.summarise_elements(x, ["Co"], ratio, stderr, 40.0, P)
    assert everything.n_bulk[0] == 7 and everything.bulk[0] > 2.5
