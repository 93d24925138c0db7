"""The EIS analysis entry: R_ct and R_ct × area recovered from spectra with known parameters.

Spectra come from interphase.demo.eis (its circuit written out independently of
impedance.py) with 0.3 % Gaussian noise; the demo files are read back through the readers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase import techniques
from interphase.demo import eis as demo
from interphase.eis import analysis
from tests.eis.spectra import AREA, DEFAULTS, clean, spectrum


def test_the_technique_table_points_here():
    assert techniques.analysis_module("eis") is analysis


class TestDemoRecovery:
    def test_every_demo_spectrum_recovers_rct_area_within_5_percent(self, demo_fits):
        for row, result in demo_fits:
            truth = demo.TRUTH[row["sample"]][row["potential_V"]]["R_ct_area"]
            assert float(result["R_ct_area"]) == pytest.approx(truth, rel=0.05), row["measurement"]
            assert result.attrs["status"] == "ok", (row["measurement"], result.attrs["status_note"])

    def test_headline_numbers_at_4_0_V(self, demo_fits):
        at_4 = {row["sample"]: result for row, result in demo_fits if row["potential_V"] == 4.0}
        assert float(at_4["NMC-700"]["R_ct_area"]) == pytest.approx(315.0, rel=0.05)
        assert float(at_4["NMC-900"]["R_ct_area"]) == pytest.approx(114000.0, rel=0.05)
        assert float(at_4["NMC-700"]["R_ct"]) == pytest.approx(315.0 / AREA, rel=0.05)

    def test_other_circuit_elements_are_recovered(self, demo_fits):
        for row, result in demo_fits:
            truth = demo.TRUTH[row["sample"]][row["potential_V"]]
            assert float(result["R0"]) == pytest.approx(truth["R0"], rel=0.05)
            assert float(result["R1"]) == pytest.approx(
                truth["R1"], rel=0.1
            )  # grain boundary, not R_ct
            assert float(result["CPE2_1"]) == pytest.approx(truth["CPE2_1"], abs=0.03)

    def test_lin_kk_is_small_on_demo_spectra(self, demo_fits):
        for _row, result in demo_fits:
            assert 0 < float(result["kk_residual_max"]) < 2.0

    def test_fit_dataset_layout(self, demo_fits):
        _row, result = demo_fits[0]
        for name in (
            "z_real",
            "z_imag",
            "z_real_fit",
            "z_imag_fit",
            "residual_real",
            "residual_imag",
            "z_real_model",
            "z_imag_model",
            "R_ct",
            "R_ct_stderr",
            "R_ct_area",
            "R_ct_area_stderr",
            "kk_residual_max",
            "kk_residual_real",
            "chi_square",
            "R2",
            "R2_stderr",
            "CPE3_1_stderr",
        ):
            assert name in result.variables, name
        for name, var in result.variables.items():
            assert "units" in var.attrs and "long_name" in var.attrs, name
        assert result["R_ct_area"].attrs["units"] == "ohm cm2"
        for key in (
            "circuit",
            "rct_element",
            "dc_potential_V",
            "status",
            "status_note",
            "sample",
            "measurement",
        ):
            assert key in result.attrs, key
        assert result.attrs["dc_potential_V"] == pytest.approx(3.6)
        # residuals of a good fit are of the size of the noise (0.3 % of |Z|)
        assert np.std(result["residual_real"].values) < 0.6

    def test_rows(self, demo_fits):
        result = next(f for r, f in demo_fits if r["measurement"] == "NMC-900_eis_4.0V")
        rows = analysis.rows(result)
        assert [r["quantity"] for r in rows] == ["R_ct", "R_ct_area", "kk_residual_max"]
        assert [r["unit"] for r in rows] == ["ohm", "ohm cm2", "percent"]
        assert all(r["potential_V"] == 4.0 and r["status"] == "ok" for r in rows)
        assert rows[1]["value"] == pytest.approx(114000.0, rel=0.05)
        assert rows[1]["stderr"] > 0 and math.isnan(rows[2]["stderr"])


@pytest.mark.parametrize(
    "rct_area, apex_Hz",
    [(10.0, 1e3), (100.0, 100.0), (1e3, 10.0), (1e4, 10.0), (1e5, 1.0), (1e6, 0.3)],
)
def test_local_fit_is_robust_over_six_decades_of_rct(rct_area, apex_Hz):
    f, z = spectrum(rct_area, apex_Hz, seed=11)
    result = analysis.analyse(clean(f, z), DEFAULTS)
    assert result.attrs["status"] == "ok", result.attrs["status_note"]
    assert float(result["R_ct_area"]) == pytest.approx(rct_area, rel=0.05)


class TestFailures:
    """Readable data that cannot give a number: a failed fit and failed rows, never an exception."""

    def check_failed(self, result, reason: str):
        assert result.attrs["status"] == "failed"
        assert reason in result.attrs["status_note"]
        rows = analysis.rows(result)
        assert [r["status"] for r in rows] == ["failed"] * 3
        assert all(math.isnan(r["value"]) for r in rows)
        assert all(reason in r["note"] for r in rows)

    def test_too_few_points(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        self.check_failed(analysis.analyse(clean(f[::10], z[::10]), DEFAULTS), "only 9 points")

    def test_nan_values(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        z[5] = np.nan
        self.check_failed(analysis.analyse(clean(f, z), DEFAULTS), "NaN")

    def test_non_positive_frequencies(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        f = f - f[-3]  # the last three points at 0 Hz or below
        self.check_failed(analysis.analyse(clean(f, z), DEFAULTS), "non-positive frequencies")

    def test_circuit_impedance_py_rejects(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        params = {**DEFAULTS, "circuit": "R0-p(R1,X1"}
        self.check_failed(
            analysis.analyse(clean(f, z), params), "not an impedance.py circuit string"
        )

    def test_rct_element_not_in_circuit(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        params = {**DEFAULTS, "rct_element": "R7"}
        self.check_failed(analysis.analyse(clean(f, z), params), "rct_element 'R7'")

    def test_duplicate_frequencies(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        f[10] = f[11]
        self.check_failed(analysis.analyse(clean(f, z), DEFAULTS), "duplicate frequencies")

    def test_window_leaving_too_few_points(self):
        f, z = spectrum(315.0, 10.0, seed=1)
        params = {**DEFAULTS, "frequency_min_Hz": 2e5}
        self.check_failed(analysis.analyse(clean(f, z), params), "only")


def test_frequency_window_keeps_only_points_inside():
    f, z = spectrum(315.0, 10.0, seed=2)
    params = {**DEFAULTS, "frequency_min_Hz": 0.05, "frequency_max_Hz": 5e5}
    result = analysis.analyse(clean(f, z), params)
    assert result["frequency"].values.min() >= 0.05 and result["frequency"].values.max() <= 5e5
    assert float(result["R_ct_area"]) == pytest.approx(315.0, rel=0.05)


@pytest.mark.parametrize("weighting", ["proportional", "unit"])
def test_other_weightings_recover_rct(weighting):
    f, z = spectrum(315.0, 10.0, seed=4)
    result = analysis.analyse(clean(f, z), {**DEFAULTS, "weighting": weighting})
    assert float(result["R_ct_area"]) == pytest.approx(315.0, rel=0.05)
    assert result.attrs["weighting"] == weighting


@pytest.mark.parametrize(
    "key, value",
    [
        ("weighting", "sqrt"),
        ("drt_lambda", "aic"),
        ("drt_lambda", -1.0),
        ("bootstrap", -1),
        ("bootstrap", 2.5),
    ],
)
def test_invalid_settings_are_programming_errors(key, value):
    f, z = spectrum(315.0, 10.0, seed=1)
    with pytest.raises(ValueError, match=key):
        analysis.analyse(clean(f, z), {**DEFAULTS, key: value})


def test_unknown_area_gives_nan_area_resistance_and_a_flag():
    f, z = spectrum(315.0, 10.0, seed=2)
    result = analysis.analyse(clean(f, z, area=float("nan")), DEFAULTS)
    assert math.isnan(float(result["R_ct_area"]))
    assert float(result["R_ct"]) == pytest.approx(315.0 / AREA, rel=0.05)
    assert result.attrs["status"] == "flagged"
    assert "electrode area unknown" in result.attrs["status_note"]


def test_arc_order_does_not_depend_on_the_circuit_string_order():
    """p(R1,CPE1) and p(R2,CPE2) are interchangeable; R2 is always the lower-frequency arc."""
    f, z = spectrum(315.0, 10.0, seed=5)
    result = analysis.analyse(clean(f, z), {**DEFAULTS, "circuit": "R0-p(CPE1,R1)-p(R2,CPE2)-CPE3"})
    assert float(result["R_ct_area"]) == pytest.approx(315.0, rel=0.05)
    assert float(result["R1"]) == pytest.approx(demo.TRUTH["NMC-700"][4.0]["R1"], rel=0.1)


def test_increasing_frequency_order_gives_the_same_fit():
    f, z = spectrum(315.0, 10.0, seed=6)
    forward = analysis.analyse(clean(f, z), DEFAULTS)
    backward = analysis.analyse(clean(f[::-1], z[::-1]), DEFAULTS)
    assert float(backward["R_ct_area"]) == pytest.approx(float(forward["R_ct_area"]), rel=1e-6)
    assert np.all(np.diff(backward["frequency"].values) < 0)


class TestDRTInTheFit:
    def test_drt_variables_and_the_rct_peak(self, demo_fits):
        result = next(f for r, f in demo_fits if r["measurement"] == "NMC-700_eis_4.0V")
        truth = demo.TRUTH["NMC-700"][4.0]
        tau_ct = (truth["R2"] * truth["CPE2_0"]) ** (1 / truth["CPE2_1"])
        assert result["drt_gamma"].dims == ("tau",) and result["drt_gamma"].attrs["units"] == "ohm"
        assert result["drt_peak_tau"].dims == ("drt_peak",)
        assert result.attrs["drt_lambda_method"] == "gcv" and float(result["drt_lambda"]) > 0
        k = int(np.argmin(np.abs(np.log(result["drt_peak_tau"].values / tau_ct))))
        assert 1 / 1.3 < float(result["drt_peak_tau"][k]) / tau_ct < 1.3
        # a CPE arc's DRT peak holds most of its resistance (the rest is in its heavy tails)
        assert 0.7 * truth["R2"] < float(result["drt_peak_resistance"][k]) < 1.1 * truth["R2"]
        assert float(result["drt_residual_rms"]) < 2 * 100 * demo.NOISE_FRACTION

    def test_drt_peaks_are_used_as_a_start(self, demo_fits):
        assert all(result.attrs["drt_starts"] == 1 for _row, result in demo_fits)

    def test_lcurve_and_a_fixed_lambda(self):
        f, z = spectrum(315.0, 10.0, seed=7)
        lcurve = analysis.analyse(clean(f, z), {**DEFAULTS, "drt_lambda": "lcurve"})
        assert lcurve.attrs["drt_lambda_method"] == "lcurve"
        fixed = analysis.analyse(clean(f, z), {**DEFAULTS, "drt_lambda": 1e-3})
        assert float(fixed["drt_lambda"]) == 1e-3 and fixed.attrs["drt_lambda_method"] == "fixed"
