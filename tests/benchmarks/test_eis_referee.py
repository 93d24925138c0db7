"""The referee harness (benchmarks/eis_referee.py): its bound is right and it uses interphase's public path."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks import eis_checks, eis_corpus, eis_probes, eis_referee, eis_referee_report
from benchmarks.eis_corpus import Term


def test_cramer_rao_bound_of_a_resistor_is_sigma_over_r_root_n():
    """Z = R with noise sigma on both parts: only the real parts inform R, SD(R)/R = sigma / (R sqrt(n))."""
    f = np.logspace(5, -1, 61)
    sigma = np.full(f.size, 2.0)
    bound = eis_checks.cramer_rao_relative((Term("R", (100.0,)),), f, sigma, term=0)
    assert bound == pytest.approx(2.0 / (100.0 * math.sqrt(f.size)), rel=1e-8)


def test_finite_difference_jacobian_matches_the_analytic_one():
    """For a CPE, dZ/d(ln Q) = -Z and dZ/dn = -ln(j w) Z."""
    f = np.logspace(4, -1, 21)
    terms = (Term("CPE", (1e-4, 0.6)),)
    sigma = np.ones(f.size)
    jac = eis_checks.weighted_jacobian(terms, f, sigma)
    z = eis_corpus.impedance(terms, f)
    dn = -np.log(1j * 2 * math.pi * f) * z
    assert np.allclose(jac[:, 0], np.concatenate([-z.real, -z.imag]), rtol=1e-7)
    assert np.allclose(jac[:, 1], np.concatenate([dn.real, dn.imag]), rtol=1e-6)


def test_clean_dataset_has_the_eis_layout_in_decreasing_frequency():
    """An upward sweep is handed over highest frequency first, its times kept with their points."""
    from interphase import datasets

    spectrum = next(
        s for s in (eis_corpus.make("drift", i, 2024) for i in range(40)) if s.info["ascending"]
    )
    ds = eis_referee.clean_dataset(spectrum)
    datasets.validate(ds, "eis")
    f = ds["frequency"].values
    assert np.all(np.diff(f) < 0)
    k = int(np.argmax(spectrum.frequency))
    assert ds["time"].values[0] == spectrum.time[k] and ds["z_real"].values[0] == spectrum.z.real[k]
    assert ds.attrs["electrode_area_cm2"] == spectrum.area


def test_rct_row_is_found_by_its_quantity():
    """The judged row is the one named R_ct, wherever it is; none is an error."""
    rows = [{"quantity": "R_ct_area", "value": 2.0}, {"quantity": "R_ct", "value": 1.0}]
    assert eis_referee.rct_row(rows)["value"] == 1.0
    with pytest.raises(KeyError):
        eis_referee.rct_row(rows[:1])


def test_cases_spread_the_misspecified_spectra_over_the_classes():
    """--n 7 and 12 misspecified: 7 well, 3 + 3 + 2 + 2 + 2 over the five other classes."""
    todo = eis_referee.cases(7, 12, 2024)
    counts = {kind: sum(1 for k, _, _ in todo if k == kind) for kind in eis_corpus.CLASSES}
    assert counts == {
        "well": 7,
        "extra_arc": 3,
        "flw_tail": 3,
        "fsw_tail": 2,
        "inductive": 2,
        "drift": 2,
    }


def test_reasons_are_note_clauses_without_numbers():
    """Clauses up to their colon, numbers as #, so that notes of different spectra count together."""
    note = "lin-KK residual 2.4 % exceeds 2 %; R_ct not determined by the data: relative standard error 6 %"
    assert eis_referee_report.reasons(note) == [
        "lin-KK residual # % exceeds # %",
        "R_ct not determined by the data",
    ]


def test_probes_are_the_demo_spectrum_with_the_issue_changes():
    """Truth 315 ohm cm2; a third arc goes before R_ct's (so R2 stays term 2+1), a Warburg replaces the tail."""
    truth, area = eis_probes.demo_truth()
    assert truth["R_ct_area"] == pytest.approx(315.0) and truth["R2"] * area == pytest.approx(315.0)
    arc = eis_probes.probe_terms(truth, Term("RQ", (500.0, 1e-6, 0.9)))
    assert [t.kind for t in arc] == ["R", "RQ", "RQ", "RQ", "CPE"] and arc[3].values[0] == truth[
        "R2"
    ]
    tail = eis_probes.probe_terms(truth, Term("Ws", (300.0, 0.4)))
    assert [t.kind for t in tail] == ["R", "RQ", "RQ", "Ws"]


def test_judge_recovers_rct_of_a_plain_spectrum_through_the_public_path():
    """One well-specified, well-determined spectrum end to end: R_ct within 2 %, 'ok', CPU time measured."""
    spectrum = eis_corpus.make("well", 5, 2024)  # 12 kohm cm2, bound 0.06 %
    assert spectrum.info["closing"]
    bound = eis_checks.cramer_rao_relative(
        spectrum.terms, spectrum.frequency, spectrum.sigma, eis_referee.RCT_TERM
    )
    assert bound < 0.01
    result = eis_referee.judge(spectrum)
    assert abs(result["error"]) < 0.02 and result["status"] == "ok"
    assert result["cpu"] > 0 and not result["kk_invalid"]


def record(
    kind: str, i: int, error: float, status: str, crb: float = 0.001, closing: bool = True
) -> dict:
    """A judged spectrum as judge() returns it, without a fit."""
    info = {
        "closing": closing,
        "noise": "modulus",
        "ascending": False,
        "rct_area": 100.0,
        "f_min": 0.01,
        "apex_ct_Hz": 10.0,
    }
    return {
        "kind": kind,
        "i": i,
        "truth": 500.0,
        "value": 500.0 * (1 + error),
        "stderr": 5.0,
        "status": status,
        "note": "" if status == "ok" else "lin-KK residual 3 % exceeds 2 %",
        "error": error,
        "cpu": 1.0,
        "crb": crb,
        "kk_chi2": 1.0,
        "kk_invalid": False,
        "info": info,
    }


def test_report_counts_against_the_goals():
    """Flagged share of the >10 %-off misspecified spectra, false flags, recovery among determined."""
    results = [
        record("well", 0, 0.01, "ok"),
        record("well", 1, 0.08, "ok"),
        record("well", 2, 0.0, "flagged"),
        record("well", 3, 0.2, "flagged", crb=0.1),
        record("extra_arc", 0, 0.5, "ok"),
        record("extra_arc", 1, 0.3, "flagged"),
        record("drift", 0, -0.2, "flagged"),
        record("drift", 1, 0.02, "ok"),
    ]
    meta = {
        "command": "x",
        "interphase": "y",
        "platform": "z",
        "processes": 1,
        "wall": 1.0,
        "params": eis_referee.PARAMS,
    }
    text = eis_referee_report.report(meta, results, ([], "not run"), 10)
    lines = text.splitlines()

    def row(start: str) -> str:
        return next(line for line in lines if line.startswith(start))

    assert "| 2 / 3 (66.7 %) |" in row("| well-specified, closing, data determine R_ct")
    assert "| 1 / 3 (33.3 %) |" in row("| well-specified, closing, determined: flagged")
    assert "| 2 / 3 (66.7 %) |" in row("| misspecified, R_ct more than 10 % off: flagged")
    assert "| extra_arc | 0 | 100 | +50.0 % |" in text  # the unflagged miss is listed


def test_comparison_counts_status_changes_per_spectrum():
    """An earlier run: which spectra went from ok to flagged and back."""
    before = [record("extra_arc", 0, 0.5, "ok"), record("extra_arc", 1, 0.3, "flagged")]
    after = [record("extra_arc", 0, 0.5, "flagged"), record("extra_arc", 1, 0.3, "flagged")]
    line = next(
        x for x in eis_referee_report.comparison(before, after) if x.startswith("| extra_arc")
    )
    assert line.startswith("| extra_arc | 2 | 1 | 0 | 0 | 1 / 2 (50.0 %) | 2 / 2 (100.0 %) |")
