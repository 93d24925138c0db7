"""Peak finding: the same peaks and prominences as scipy.signal.find_peaks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks as scipy_find_peaks

from interphase.eis import peaks


def curves():
    """Noisy sums of bumps, integer-valued curves with flat tops, and edge cases."""
    rng = np.random.default_rng(42)
    t = np.linspace(0, 1, 101)
    for _ in range(30):
        bumps = sum(
            rng.uniform(0.1, 3) * np.exp(-(((t - rng.uniform()) / rng.uniform(0.02, 0.2)) ** 2))
            for _ in range(3)
        )
        yield bumps + rng.normal(0, 0.02, t.size)
    for _ in range(30):
        yield rng.integers(0, 4, 40).astype(float)  # many plateaus and ties
    yield np.array([0.0, 1.0, 1.0, 1.0, 0.0, 2.0, 2.0, 3.0, 3.0, 1.0])
    yield np.array([1.0, 1.0, 1.0])
    yield np.array([3.0, 2.0, 1.0, 2.0, 3.0])
    yield np.array([], dtype=float)


@pytest.mark.parametrize("threshold", [0.0, 0.05, 1.0])
def test_the_same_peaks_and_prominences_as_scipy(threshold):
    for x in curves():
        expected, properties = scipy_find_peaks(x, prominence=threshold)
        found, prominences = peaks.find_peaks(x, prominence=threshold)
        assert found.tolist() == expected.tolist(), x
        assert np.array_equal(prominences, properties["prominences"]), x
