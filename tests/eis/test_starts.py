"""Start values: what the spectrum's shape and the DRT peaks say about the arcs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import optimise, starts


def demo_spectrum(sample: str = "NMC-700"):
    """A noisy demo spectrum at 4.0 V and its truth."""
    p = demo.TRUTH[sample][4.0]
    f = demo.frequencies()
    return f, demo.noisy(demo.model(p, f), np.random.default_rng(2)), p


def test_geometry_reads_the_intercept_the_apexes_and_the_tail():
    f, z, p = demo_spectrum()
    g = starts.geometry(f, z)
    assert g.r_hf == pytest.approx(p["R0"], rel=0.2)
    assert (g.f_min, g.f_max) == (f.min(), f.max())
    apex_ct = 1 / (2 * math.pi * (p["R2"] * p["CPE2_0"]) ** (1 / p["CPE2_1"]))
    assert any(abs(math.log10(fa / apex_ct)) < 0.3 for fa, _ in g.peaks)
    assert g.tail_n == pytest.approx(p["CPE3_1"], abs=0.15)


def test_drt_peaks_become_one_hypothesis_with_a_small_filler_arc():
    f, z, _ = demo_spectrum()
    g = starts.geometry(f, z)
    [arcs] = starts.drt_arcs(np.array([1e-3]), np.array([1500.0]), g, 2)
    assert arcs[1] == pytest.approx((1 / (2 * math.pi * 1e-3), 1500.0))
    assert arcs[0][0] > arcs[1][0] and arcs[0][1] < 1500.0  # the missing arc: above, small
    assert starts.drt_arcs(np.array([]), np.array([]), g, 2) == []


def test_initial_guess_puts_each_arc_at_its_apex():
    f, z, _ = demo_spectrum()
    g = starts.geometry(f, z)
    names = list(demo.PARAM_NAMES)
    guess = dict(
        zip(names, starts.initial_guess(names, demo.CIRCUIT, g, [(1e4, 100.0), (10.0, 2000.0)]))
    )
    assert guess["R2"] == 2000.0 and guess["CPE2_1"] == starts.N_ARC_START
    tau = (guess["R2"] * guess["CPE2_0"]) ** (1 / guess["CPE2_1"])
    assert 1 / (2 * math.pi * tau) == pytest.approx(10.0)


def test_start_values_count_the_drt_ones():
    f, z, _ = demo_spectrum("NMC-900")
    pr = optimise.problem(f, z, demo.CIRCUIT, "modulus")
    without = starts.start_values(pr)
    with_drt = starts.start_values(pr, (np.array([1e-5, 1e-2]), np.array([600.0, 5e5])))
    assert without.n_drt == 0 and with_drt.n_drt == 1
    assert all(len(guess) == len(pr.names) for guess in with_drt.guesses)
    assert len(without.guesses) > starts.N_GRID_STARTS  # grid plus geometric hypotheses
