"""The referee's EIS corpus (benchmarks/eis_corpus.py) is right, independent and reproducible.

- its closed-form element impedances equal impedance.py's own circuit evaluation to 1e-10;
- a drifting spectrum fails the referee's Kramers–Kronig test, the same spectrum without drift
  passes it;
- a spectrum depends only on (class, index, seed);
- the parameter draws fill the ranges its docstring documents.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from benchmarks import eis_checks, eis_corpus
from benchmarks.eis_corpus import Term

F = np.logspace(6, -2, 81)


def impedance_py(terms: tuple[Term, ...], f: np.ndarray) -> np.ndarray:
    """The same model evaluated by impedance.py's CustomCircuit.predict."""
    from impedance.models.circuits import CustomCircuit

    circuit, values = eis_corpus.impedance_py_circuit(terms)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Simulating circuit based on initial parameters"
        return CustomCircuit(circuit, initial_guess=values).predict(f, use_initial=True)


def max_relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b| / |b|."""
    return float(np.max(np.abs(a - b) / np.abs(b)))


@pytest.mark.parametrize(
    "term",
    [
        Term("R", (123.4,)),
        Term("L", (2.2e-6,)),
        Term("CPE", (3.3e-5, 0.63)),
        Term("RQ", (1500.0, 2e-5, 0.82)),
        Term("RL", (7.5, 4.0e-6)),
        Term("Ws", (800.0, 2.5)),
        Term("Wo", (800.0, 2.5)),
    ],
    ids=lambda t: t.kind,
)
def test_each_element_equals_impedance_py(term):
    """Every element, alone, in series with a resistor (impedance.py needs a nonzero sum)."""
    terms = (Term("R", (10.0,)), term)
    assert max_relative_difference(eis_corpus.impedance(terms, F), impedance_py(terms, F)) < 1e-10


def test_closed_forms_by_hand():
    """Limits an electrochemist knows: CPE n=1 is a capacitor, Ws -> R_W, Wo -> R_W/3 + C."""
    w = eis_corpus.omega(np.array([1e-6]))
    assert eis_corpus.cpe(1e-6, 1.0, w)[0] == pytest.approx(
        eis_corpus.capacitor(1e-6, w)[0], rel=1e-12
    )
    z = eis_corpus.finite_length_warburg(300.0, 0.4, w)[0]
    assert z.real == pytest.approx(300.0, rel=1e-9) and z.imag == pytest.approx(
        -300.0 * w[0] * 0.4 / 3, rel=1e-6
    )
    z = eis_corpus.finite_space_warburg(300.0, 0.4, w)[0]
    assert z.real == pytest.approx(100.0, rel=1e-6)
    assert z.imag == pytest.approx(-300.0 / (w[0] * 0.4), rel=1e-9)  # Z -> R/(j w tau): C = tau / R
    r, q, n = 1000.0, 1e-5, 0.8
    apex = eis_corpus.apex_frequency(r, q, n)
    assert eis_corpus.q_for_apex(r, n, apex) == pytest.approx(q, rel=1e-12)
    z_apex = eis_corpus.term_impedance(Term("RQ", (r, q, n)), eis_corpus.omega(np.array([apex])))[0]
    assert z_apex.real == pytest.approx(r / 2, rel=1e-12)  # R Q (j w)^n = j^n at the apex


@pytest.mark.parametrize("kind", [k for k in eis_corpus.CLASSES if k != "drift"])
def test_every_class_model_equals_impedance_py(kind):
    """The composed model of several spectra of each class, as impedance.py evaluates it."""
    for i in range(4):
        spectrum = eis_corpus.make(kind, i, 2024)
        expected = impedance_py(spectrum.terms, spectrum.frequency)
        assert max_relative_difference(spectrum.z_true, expected) < 1e-10


def test_drift_model_is_the_stationary_model_point_by_point():
    """A drifting spectrum is, at each point, impedance.py's circuit with that moment's R_ct."""
    spectrum = eis_corpus.make("drift", 3, 2024)
    r_ct = spectrum.terms[2].values[0]
    assert np.ptp(r_ct) > 0.05 * spectrum.rct_true
    for k in (0, spectrum.frequency.size // 2, spectrum.frequency.size - 1):
        terms = tuple(
            Term(t.kind, tuple(float(np.atleast_1d(v)[k if np.ndim(v) else 0]) for v in t.values))
            for t in spectrum.terms
        )
        f = spectrum.frequency[k : k + 1]
        assert max_relative_difference(spectrum.z_true[k : k + 1], impedance_py(terms, f)) < 1e-10
    # truth: R_ct half-way through the sweep
    assert float(
        np.interp(spectrum.time.max() / 2, np.sort(spectrum.time), r_ct[np.argsort(spectrum.time)])
    ) == pytest.approx(spectrum.rct_true, rel=0.02)


def drifting_pair(change: float):
    """One well-specified spectrum with and without R_ct changing by `change` over the sweep."""
    rng = eis_corpus.rng_for(7, "well", 0)
    base = eis_corpus.draw_base(rng, closing=True)
    base = eis_corpus.Base(
        {**base.params, "R2": 5000.0, "Q2": eis_corpus.q_for_apex(5000.0, 0.85, 20.0), "n2": 0.85},
        0.2,
        True,
        eis_corpus.Sweep(1e5, 1e-2, 10),
        eis_corpus.Noise("modulus", {"s": 0.002}),
    )
    f = eis_corpus.sweep_frequencies(base.sweep)
    t = eis_corpus.point_times(f)
    r2 = 5000.0 * np.exp(math.log1p(change) * (t / t.max() - 0.5))
    out = []
    for terms in (eis_corpus.well_terms(base.params), eis_corpus.well_terms(base.params, r2=r2)):
        noise_rng = np.random.default_rng(11)
        out.append(eis_corpus.synthesize("x", 0, terms, base, f, t, {}, noise_rng))
    return out


def test_drift_fails_the_kramers_kronig_test_and_the_stationary_spectrum_passes():
    """R_ct growing 30 % in the sweep: the KK-valid ladder cannot follow, chi-square explodes."""
    steady, drifting = drifting_pair(0.3)
    valid = eis_checks.kk_test(steady.frequency, steady.z, steady.sigma)
    invalid = eis_checks.kk_test(drifting.frequency, drifting.z, drifting.sigma)
    assert valid.p_value > eis_checks.KK_P_VALUE and valid.chi2_reduced < 1.5
    assert invalid.p_value < 1e-12 and invalid.chi2_reduced > 3
    assert invalid.max_percent > 2 * valid.max_percent


def test_kk_test_passes_the_valid_classes_without_noise_knowledge():
    """The ladder fits noise-free spectra of every KK-valid class to far below 0.1 % of |Z|."""
    for kind in ("well", "extra_arc", "flw_tail", "fsw_tail", "inductive"):
        spectrum = eis_corpus.make(kind, 1, 2024)
        assert eis_checks.kk_test(spectrum.frequency, spectrum.z_true).max_percent < 0.1, kind


def test_a_spectrum_depends_only_on_class_index_and_seed():
    """Same (kind, i, seed): the same bytes; another seed or index: another spectrum."""
    for kind in eis_corpus.CLASSES:
        a, b = eis_corpus.make(kind, 5, 2024), eis_corpus.make(kind, 5, 2024)
        assert (
            np.array_equal(a.z, b.z)
            and np.array_equal(a.frequency, b.frequency)
            and a.info == b.info
        )
        assert not np.array_equal(a.z, eis_corpus.make(kind, 5, 31).z)
        assert not np.array_equal(a.z, eis_corpus.make(kind, 6, 2024).z)


def log_span(values, lo: float, hi: float) -> tuple[float, float]:
    """Where the smallest and largest value sit in [lo, hi], as fractions of the log range."""
    span = math.log10(hi / lo)
    return math.log10(min(values) / lo) / span, math.log10(max(values) / lo) / span


def covers(values, lo: float, hi: float, log: bool = True) -> bool:
    """All values inside [lo, hi] and reaching within 10 % of the range of both ends."""
    if log:
        low, high = log_span(values, lo, hi)
    else:
        low, high = (min(values) - lo) / (hi - lo), (max(values) - lo) / (hi - lo)
    return -1e-9 <= low <= 0.1 and 0.9 <= high <= 1 + 1e-9


def test_base_draws_cover_the_documented_ranges():
    """500 draws of the well-specified model: every documented range filled, nothing outside."""
    draws = [eis_corpus.draw_base(eis_corpus.rng_for(2024, "well", i)) for i in range(500)]
    p = [d.params for d in draws]
    assert covers([d.params["R2"] * d.area for d in draws], 10.0, 1e6)
    assert covers([d.area for d in draws], 0.1, 0.5)
    assert covers([x["R0"] for x in p], 20, 200) and covers([x["R1"] for x in p], 50, 1000)
    assert covers([x["n1"] for x in p], 0.85, 0.95, log=False)
    assert covers([x["n2"] for x in p], 0.75, 0.92, log=False)
    assert covers([x["n3"] for x in p], 0.45, 0.65, log=False)
    ratios = [
        1 / (x["Q3"] * x["R2"] * (2 * math.pi * d.sweep.f_min) ** x["n3"]) for x, d in zip(p, draws)
    ]
    assert covers(ratios, 0.05, 1.0)
    closing = [d.closing for d in draws]
    assert 0.75 < np.mean(closing) < 0.85
    for d in draws:
        apex1 = eis_corpus.apex_frequency(d.params["R1"], d.params["Q1"], d.params["n1"])
        apex2 = eis_corpus.apex_frequency(d.params["R2"], d.params["Q2"], d.params["n2"])
        assert 3e4 * 0.999 <= apex1 <= d.sweep.f_max * 1.001
        if d.closing:
            assert (
                d.sweep.f_min * 10**0.7 * 0.999
                <= apex2
                <= min(apex1 / 10**1.5, d.sweep.f_max / 10**0.7) * 1.001
            )
        else:
            assert d.sweep.f_min / 10**1.5 * 0.999 <= apex2 <= d.sweep.f_min * 1.001
    assert {d.sweep.f_max for d in draws} == set(eis_corpus.F_MAX_CHOICES_HZ)
    assert {d.sweep.f_min for d in draws} == set(eis_corpus.F_MIN_CHOICES_HZ)
    assert {d.sweep.per_decade for d in draws} == set(eis_corpus.PER_DECADE_CHOICES)
    assert 0.2 < np.mean([d.sweep.ascending for d in draws]) < 0.3
    models = [d.noise.model for d in draws]
    assert all(
        0.25 < models.count(m) / len(models) < 0.42 for m in eis_corpus.NOISE_MODELS
    )  # 1/3 +/- 3.7 SD
    s = [d.noise.values["s"] for d in draws if d.noise.model == "modulus"]
    assert covers(s, 1e-3, 5e-3)
    fra = [d.noise.values for d in draws if d.noise.model == "fra"]
    assert covers([v["a"] for v in fra], 1e-3, 4e-3) and covers([v["d"] for v in fra], 0.01, 0.1)


def test_misspecified_draws_cover_the_documented_ranges():
    """What each misspecified class adds stays in its documented range and spans it."""
    info = {
        kind: [eis_corpus.make(kind, i, 2024).info for i in range(150)]
        for kind in eis_corpus.MISSPECIFIED
    }
    assert all(x["closing"] for rows in info.values() for x in rows)
    assert covers([x["R_extra"] for x in info["extra_arc"]], 500, 2000)
    for x in info["extra_arc"]:
        assert x["f_min"] * 10**0.5 * 0.999 <= x["apex_extra_Hz"] <= x["f_max"] / 10**0.5 * 1.001
    for kind in ("flw_tail", "fsw_tail"):
        assert covers([x["R_W/R_ct"] for x in info[kind]], 0.05, 1.0)
        assert all(
            x["f_min"] * 0.999 <= x["f_W_Hz"] <= max(x["apex_ct_Hz"] / 10**0.5, x["f_min"]) * 1.001
            for x in info[kind]
        )
    assert covers([x["L_H"] for x in info["inductive"]], 1e-7, 3e-6)
    loops = [x for x in info["inductive"] if "R_loop" in x]
    assert 0.35 < len(loops) / 150 < 0.65 and covers(
        [x["R_loop"] for x in loops], 1.0, 20.0, log=True
    )
    changes = [x["drift_change"] for x in info["drift"]]
    assert (
        covers([abs(c) for c in changes], 0.1, 1.0)
        and 0.35 < np.mean([c > 0 for c in changes]) < 0.65
    )


def test_sweeps_are_recorded_as_instruments_step_them():
    """Per-decade logarithmic steps from f_max to f_min (or back), times growing along the sweep."""
    sweep = eis_corpus.Sweep(1e6, 0.1, 7, ascending=True)
    f = eis_corpus.sweep_frequencies(sweep)
    assert f.size == 7 * 7 + 1 and f[0] == pytest.approx(0.1) and f[-1] == pytest.approx(1e6)
    assert np.allclose(np.diff(np.log10(f)), 1 / 7)
    t = eis_corpus.point_times(f)
    assert np.all(np.diff(t) > 0)
    assert t[0] == pytest.approx((2 / 0.1 + eis_corpus.SETTLE_S) / 2)  # the slow points come first


def test_noise_models_have_their_documented_structure():
    """Modulus noise is proportional; a floor adds a constant; FRA noise jumps at range changes."""
    z = np.array([50.0 - 1j, 99.0 - 5j, 101.0 - 5j, 1e4 - 3e3j])
    mod = eis_corpus.noise_sigma(eis_corpus.Noise("modulus", {"s": 0.002}), z, 50.0)
    assert np.allclose(mod, 0.002 * np.abs(z))
    floor = eis_corpus.noise_sigma(eis_corpus.Noise("floor", {"s": 0.002, "c": 0.01}), z, 50.0)
    assert np.allclose(floor - mod, 0.5)
    fra = eis_corpus.noise_sigma(
        eis_corpus.Noise("fra", {"a": 0.0, "b": 0.0, "g": 0.01, "d": 0.0}), z, 50.0
    )
    assert fra[1] / abs(z[1]) == pytest.approx(0.01 * abs(z[1]) / 100, rel=1e-12)  # 100 ohm range
    assert fra[2] / abs(z[2]) == pytest.approx(0.01 * abs(z[2]) / 1000, rel=1e-12)  # 1 kohm range
