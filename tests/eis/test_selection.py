"""Which circuit is kept: arcs the data do not resolve are dropped, R_ct never, by BIC and CIs."""

from __future__ import annotations

import math

import pytest

from interphase.demo import eis as demo
from interphase.eis import analysis, selection
from tests.eis.cases import (
    HIDDEN_GB,
    SMALL_GB_TOP,
    SMALL_GB_TOP_NOISE,
    UNCERTAIN_RCT,
    UNCERTAIN_RCT_NOISE,
)
from tests.eis.spectra import DEFAULTS, clean, corpus_spectrum


@pytest.mark.parametrize("seed", range(4))
def test_a_hidden_grain_boundary_arc_does_not_take_r_ct_with_it(seed):
    f, z = corpus_spectrum(HIDDEN_GB, 0.1, 1e5, 0.0044, seed)
    result = analysis.analyse(clean(f, z, area=1.0), DEFAULTS)
    assert float(result["R_ct"]) == pytest.approx(HIDDEN_GB["R2"], rel=0.05)
    assert result.attrs["status"] == "ok", result.attrs["status_note"]
    if result.attrs["unresolved_elements"]:
        # reported as not fitted, with the reason in the summary row
        assert result.attrs["unresolved_elements"] == "R1, CPE1" and math.isnan(float(result["R1"]))
        assert result.attrs["fitted_circuit"] == "R0-p(R2,CPE2)-CPE3"
        assert "R1 arc not resolved" in analysis.rows(result)[0]["note"]


@pytest.mark.parametrize("seed", [[7, 209, 1], 0, 1])  # [7, 209, 1]: the benchmark's noise draw
def test_a_small_arc_at_the_window_top_is_found_beside_a_large_one(seed):
    f, z = corpus_spectrum(SMALL_GB_TOP, 0.1, 1e5, SMALL_GB_TOP_NOISE, seed)
    result = analysis.analyse(clean(f, z, area=1.0), DEFAULTS)
    assert float(result["R_ct"]) == pytest.approx(SMALL_GB_TOP["R2"], rel=0.02)
    assert float(result["R1"]) == pytest.approx(SMALL_GB_TOP["R1"], rel=0.2)
    assert result.attrs["status"] == "ok", result.attrs["status_note"]


@pytest.mark.parametrize("seed", [[7, 236, 1], 0, 1])  # [7, 236, 1]: the benchmark's noise draw
def test_an_uncertain_r_ct_does_not_drop_a_resolved_arc(seed):
    f, z = corpus_spectrum(UNCERTAIN_RCT, 0.03, 3e5, UNCERTAIN_RCT_NOISE, seed)
    result = analysis.analyse(clean(f, z, area=1.0), DEFAULTS)
    assert result.attrs["unresolved_elements"] == ""
    assert float(result["R1"]) == pytest.approx(UNCERTAIN_RCT["R1"], rel=0.02)
    # R_ct is the small arc (not the ten times larger grain boundary), as well as the noise allows
    assert 0.5 < float(result["R_ct"]) / UNCERTAIN_RCT["R2"] < 2.0


def test_the_r_ct_element_is_never_dropped():
    f, z = corpus_spectrum(HIDDEN_GB, 0.1, 1e5, 0.0044, 0)
    result = selection.fit_spectrum(f, z, demo.CIRCUIT, "modulus", keep="R1")
    assert result.circuit == demo.CIRCUIT and result.dropped == []


def test_bic_prefers_fewer_parameters_at_equal_chi_square():
    assert selection.bic(1.0, 100, 6) < selection.bic(1.0, 100, 9)
    # three more parameters must lower chi-square by more than 3 ln(N) / N (~13 % at N = 100)
    assert selection.bic(0.9, 100, 9) > selection.bic(1.0, 100, 6) > selection.bic(0.85, 100, 9)


def test_multistart_reports_its_starts():
    from interphase.eis import optimise

    f, z = corpus_spectrum(SMALL_GB_TOP, 0.1, 1e5, SMALL_GB_TOP_NOISE, 0)
    optimum = selection.multistart(optimise.problem(f, z, demo.CIRCUIT, "modulus"))
    assert optimum.n_starts > optimum.n_drt == 0  # no DRT peaks given
    fitted = dict(zip(demo.PARAM_NAMES, optimum.values))
    assert fitted["R2"] == pytest.approx(SMALL_GB_TOP["R2"], rel=0.02)
