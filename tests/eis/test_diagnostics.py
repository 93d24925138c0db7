"""Checks on a fit: arcs that do not close are flagged, lin-KK catches drift."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import analysis, diagnostics
from tests.eis.cases import UNCLOSED_UNDER_TAIL
from tests.eis.spectra import DEFAULTS, clean, corpus_spectrum, spectrum


@pytest.mark.parametrize(
    "base, rct_area, apex_Hz", [("NMC-700", 1e5, 0.004), ("NMC-900", 1e6, 0.003)]
)
def test_arc_that_does_not_close_is_flagged(base, rct_area, apex_Hz):
    f, z = spectrum(rct_area, apex_Hz, seed=3, base=base)
    result = analysis.analyse(clean(f, z), DEFAULTS)
    assert result.attrs["status"] == "flagged"
    assert "arc does not close inside the measured window" in result.attrs["status_note"]
    assert all(r["status"] == "flagged" for r in analysis.rows(result))


def test_closing_arc_near_the_margin_is_not_flagged():
    f, z = spectrum(1e5, 0.1, seed=3)  # apex 1 decade above f_min = 0.01 Hz, margin 0.3 decade
    assert analysis.analyse(clean(f, z), DEFAULTS).attrs["status"] == "ok"


@pytest.mark.parametrize("seed", range(3))
def test_an_unclosed_arc_absorbed_by_the_tail_is_flagged(seed):
    f, z = corpus_spectrum(UNCLOSED_UNDER_TAIL, 0.03, 1e6, 0.003, seed)
    result = analysis.analyse(clean(f, z, area=1.0), DEFAULTS)
    assert result.attrs["status"] == "flagged"
    assert "close inside the measured window" in result.attrs["status_note"]


def test_the_window_shrinks_by_the_margin_at_both_ends():
    window = diagnostics.Window(0.01, 1e5, 0.3)
    assert window.contains(0.01 * 10**0.3) and window.contains(1e5 / 10**0.3)
    assert not window.contains(0.015) and not window.contains(8e4)


def test_apex_and_tail_of_the_demo_circuit():
    p = demo.TRUTH["NMC-700"][4.0]
    tau = (p["R2"] * p["CPE2_0"]) ** (1 / p["CPE2_1"])
    assert diagnostics.apex_frequency(p, "R2", demo.CIRCUIT) == pytest.approx(
        1 / (2 * math.pi * tau)
    )
    assert math.isnan(diagnostics.apex_frequency(p, "R0", demo.CIRCUIT))  # not in a pair
    w = 2 * math.pi * 0.1
    expected = 1 / (p["CPE3_0"] * w ** p["CPE3_1"])
    assert diagnostics.tail_impedance(p, demo.CIRCUIT, 0.1) == pytest.approx(expected)


# Full-circuit fits of benchmark spectra (values as fitted): is the arc named R_ct in the data?
@pytest.mark.parametrize(
    "fitted, f_min, f_max, seen",
    [
        # held-out 236: a 52-ohm arc at 0.2 Hz, four decades below the grain boundary: in the data
        ([67.0, 552.0, 1.26e-8, 0.949, 51.5, 0.0162, 0.758, 0.438, 0.611], 0.03, 3e5, True),
        # held-out 23: an R||C "arc" at 0.37 Hz that the tail outweighs: a split of the tail
        ([2.2e-5, 6.26e6, 1.36e-11, 0.808, 6.85e4, 6.26e-6, 1.0, 2.52e-6, 0.612], 0.03, 3e5, False),
        # development 88: apex at 0.058 Hz, within the 0.3-decade margin of f_min = 0.03 Hz
        ([45.5, 3.48e5, 3.47e-10, 0.84, 1.57e4, 1.73e-4, 1.0, 3.38e-5, 0.618], 0.03, 3e5, False),
        # development 244: two pairs on top of each other (apexes 12 and 11 kHz): a split arc
        ([1.9e-5, 8.72e5, 2.4e-10, 0.758, 2.84e4, 1.19e-9, 0.927, 2.06e-6, 0.491], 0.1, 1e5, False),
    ],
)
def test_an_r_ct_arc_counts_as_in_the_data_only_when_it_closes_apart_from_the_others(
    fitted, f_min, f_max, seen
):
    values = dict(zip(demo.PARAM_NAMES, fitted))
    f = np.logspace(math.log10(f_max), math.log10(f_min), 50)
    window = diagnostics.window_of(f, DEFAULTS["closure_margin_decades"])
    assert diagnostics.rct_arc_in_data(demo.CIRCUIT, values, "R2", window) is seen


def test_arcs_determined_needs_every_arc_clear_of_zero_but_the_skipped_one():
    names = list(demo.PARAM_NAMES)
    values = np.array([demo.TRUTH["NMC-700"][4.0][n] for n in names])
    errors = 0.1 * values
    assert diagnostics.arcs_determined(demo.CIRCUIT, names, values, errors)
    errors[names.index("R1")] = 0.6 * values[names.index("R1")]  # R1 within 2 stderr of zero
    assert not diagnostics.arcs_determined(demo.CIRCUIT, names, values, errors)
    assert diagnostics.arcs_determined(demo.CIRCUIT, names, values, errors, skip="R1")


class TestLinKK:
    def test_noise_free_spectrum_is_kramers_kronig_consistent(self):
        f = demo.frequencies()
        result = analysis.analyse(clean(f, demo.model(demo.TRUTH["NMC-700"][4.0], f)), DEFAULTS)
        assert float(result["kk_residual_max"]) < 0.3

    def test_drift_during_the_measurement_is_caught(self):
        f = demo.frequencies()
        p = demo.TRUTH["NMC-700"][4.0]
        t = demo.point_times(f)
        # R_ct grows by 30 % while the spectrum is recorded (e.g. an interphase still forming)
        z = np.array(
            [
                demo.model({**p, "R2": p["R2"] * (1 + 0.3 * tk / t[-1])}, np.array([fk]))[0]
                for fk, tk in zip(f, t)
            ]
        )
        result = analysis.analyse(clean(f, z), DEFAULTS)
        assert float(result["kk_residual_max"]) > 2.0
        assert result.attrs["status"] == "flagged"
        assert "lin-KK residual" in result.attrs["status_note"]
