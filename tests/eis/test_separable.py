"""The separable grid search: circuits as series terms, and starts near the true time constants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import separable
from interphase.eis.circuit import compile_circuit, terms_of, time_constant
from interphase.eis.optimise import sigma_for
from tests.eis.cases import SMALL_GB_TOP


def test_parameters_turn_time_constants_into_q_and_c():
    terms = terms_of("R0-p(R1,CPE1)-p(R2,C2)-CPE3")
    values = separable.parameters(
        terms, np.array([10.0, 100.0, 1e3, 5.0]), [1e-4, 1e-1], {"CPE1": 0.8, "CPE3": 0.5}, 1e3, 0.1
    )
    assert values["R1"] == 100.0 and values["CPE1_1"] == 0.8
    assert time_constant(values["R1"], values["CPE1_0"], 0.8) == pytest.approx(1e-4)
    assert values["R2"] * values["C2"] == pytest.approx(1e-1)
    assert values["CPE3_0"] == pytest.approx(1 / 5.0) and values["CPE3_1"] == 0.5


def test_tau_grid_spans_the_window_and_beyond():
    grid = separable.tau_grid(0.01, 1e6, n_pairs=2)
    assert grid[0] == pytest.approx(1 / (2 * math.pi * 1e6) / 10)
    assert grid[-1] == pytest.approx(1 / (2 * math.pi * 0.01) * 10**1.5)
    assert math.comb(grid.size, 2) <= separable.MAX_COMBINATIONS


@pytest.mark.parametrize("sample", ["NMC-700", "NMC-900"])
def test_best_grid_start_lies_near_the_true_arcs(sample):
    truth = demo.TRUTH[sample][4.0]
    f = demo.frequencies()
    z = demo.noisy(demo.model(truth, f), np.random.default_rng(5))
    names = list(demo.PARAM_NAMES)
    starts = separable.grid_starts(f, z, demo.CIRCUIT, names, sigma_for(z, "modulus"))
    assert 1 <= len(starts) <= 4
    best = dict(zip(names, starts[0]))
    for r, q, n in (("R1", "CPE1_0", "CPE1_1"), ("R2", "CPE2_0", "CPE2_1")):
        tau_true = time_constant(truth[r], truth[q], truth[n])
        tau_start = time_constant(best[r], best[q], best[n])
        assert abs(math.log10(tau_start / tau_true)) < 0.5  # within two grid steps
        assert best[r] == pytest.approx(truth[r], rel=0.35)  # n fixed at 0.85 on the grid


def test_grid_starts_are_distinct():
    truth = demo.TRUTH["NMC-700"][4.0]
    f = demo.frequencies()
    z = demo.noisy(demo.model(truth, f), np.random.default_rng(5))
    names = list(demo.PARAM_NAMES)
    starts = separable.grid_starts(f, z, demo.CIRCUIT, names, None)
    taus = [
        np.log10(
            [
                time_constant(s[names.index(r)], s[names.index(q)], s[names.index(n)])
                for r, q, n in (("R1", "CPE1_0", "CPE1_1"), ("R2", "CPE2_0", "CPE2_1"))
            ]
        )
        for s in starts
    ]
    for i in range(len(taus)):
        for j in range(i):
            assert np.max(np.abs(taus[i] - taus[j])) >= separable.GRID_DISTINCT_DECADES - 1e-9


def test_an_r_c_pair_is_searched_with_n_1():
    # R0-p(R1,C1)-CPE2: an ideal capacitor arc at 100 Hz (R1 C1 = 1/(2π 100)) and a diffusion tail
    circuit, names = "R0-p(R1,C1)-CPE2", ["R0", "R1", "C1", "CPE2_0", "CPE2_1"]
    truth = [50.0, 1000.0, 1 / (2 * math.pi * 100 * 1000.0), 1e-3, 0.5]
    f = np.logspace(5, -2, 71)
    z = compile_circuit(circuit)(f, truth)
    best = dict(zip(names, separable.grid_starts(f, z, circuit, names, sigma_for(z, "modulus"))[0]))
    assert best["R1"] == pytest.approx(1000.0, rel=0.1)
    assert best["R1"] * best["C1"] == pytest.approx(
        truth[1] * truth[2], rel=0.5
    )  # grid step 10^0.25


def test_reseeding_moves_a_spare_pair_from_the_big_arc_to_the_small_one():
    # NMC-900 at 4.0 V: a 610-ohm grain-boundary arc and a 580-kohm charge-transfer arc. A "fit"
    # that split the big arc in two (30 % + 70 %, no pair at the grain boundary) is reseeded.
    truth = demo.TRUTH["NMC-900"][4.0]
    f = demo.frequencies()
    z = demo.noisy(demo.model(truth, f), np.random.default_rng(5))
    names = list(demo.PARAM_NAMES)
    tau1 = time_constant(truth["R1"], truth["CPE1_0"], truth["CPE1_1"])
    tau2 = time_constant(truth["R2"], truth["CPE2_0"], truth["CPE2_1"])
    n2 = truth["CPE2_1"]
    split = dict(truth)
    split["R1"], split["CPE1_1"] = 0.3 * truth["R2"], n2
    split["CPE1_0"] = (2 * tau2) ** n2 / split["R1"]
    split["R2"] = 0.7 * truth["R2"]
    split["CPE2_0"] = tau2**n2 / split["R2"]
    starts = separable.reseed_starts(
        f, z, demo.CIRCUIT, names, np.array([split[n] for n in names]), sigma_for(z, "modulus")
    )
    moved = [dict(zip(names, s)) for s in starts]
    near_gb = [
        m
        for m in moved
        if abs(math.log10(time_constant(m["R1"], m["CPE1_0"], m["CPE1_1"]) / tau1)) < 0.5
    ]
    assert near_gb, "no start puts the spare pair at the grain-boundary arc"
    assert near_gb[0]["R1"] == pytest.approx(truth["R1"], rel=0.5)


def test_growing_a_reduced_fit_puts_the_missing_pair_at_the_small_arc():
    names = list(demo.PARAM_NAMES)
    f = np.logspace(5, -1, 61)
    z = compile_circuit(demo.CIRCUIT)(f, [SMALL_GB_TOP[n] for n in names])
    sigma = sigma_for(z, "modulus")
    # what a fit without the grain-boundary pair finds: its resistance merged into R0
    reduced = {k: v for k, v in SMALL_GB_TOP.items() if k not in ("R1", "CPE1_0", "CPE1_1")}
    reduced["R0"] = SMALL_GB_TOP["R0"] + SMALL_GB_TOP["R1"]
    [start] = separable.grow_starts(f, z, demo.CIRCUIT, names, reduced, sigma)
    grown = dict(zip(names, start))
    tau_gb = time_constant(SMALL_GB_TOP["R1"], SMALL_GB_TOP["CPE1_0"], SMALL_GB_TOP["CPE1_1"])
    assert (
        abs(math.log10(time_constant(grown["R1"], grown["CPE1_0"], grown["CPE1_1"]) / tau_gb)) < 0.5
    )
    assert grown["R1"] == pytest.approx(SMALL_GB_TOP["R1"], rel=0.5)
    assert grown["R2"] == pytest.approx(SMALL_GB_TOP["R2"], rel=0.01)  # the big arc's shape is kept


def test_growing_needs_a_missing_pair():
    names = list(demo.PARAM_NAMES)
    f = np.logspace(5, -1, 61)
    z = compile_circuit(demo.CIRCUIT)(f, [SMALL_GB_TOP[n] for n in names])
    assert (
        separable.grow_starts(
            f, z, demo.CIRCUIT, names, dict(SMALL_GB_TOP), sigma_for(z, "modulus")
        )
        == []
    )
