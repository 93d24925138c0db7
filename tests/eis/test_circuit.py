"""Circuit strings: series terms, pairs, reductions, parameter names and the compiled evaluator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.demo import eis as demo
from interphase.eis import circuit


def test_series_terms_of_the_project_circuit():
    assert circuit.split_series("R0-p(R1,CPE1)-p(R2,CPE2)-CPE3") == [
        "R0",
        "p(R1,CPE1)",
        "p(R2,CPE2)",
        "CPE3",
    ]
    terms = circuit.terms_of("R0-p(CPE1,R1)-p(R2,C2)-W3-L4")
    assert [t.kind for t in terms] == ["R", "pair", "pair", "W", "L"]
    assert (terms[1].r, terms[1].c) == ("R1", "CPE1")  # either order inside p()
    assert (terms[2].r, terms[2].c) == ("R2", "C2")


@pytest.mark.parametrize(
    "text", ["R0-p(R1-p(R2,CPE2),CPE1)", "R0-p(R1,CPE1,C1)", "R0-Wo1", "R0-p(C1,CPE1)"]
)
def test_circuits_that_are_not_simple_series_terms_give_no_terms(text):
    assert circuit.terms_of(text) is None


def test_pairs_in_circuit_order_either_way_round():
    pairs = circuit.pairs_of("R0-p(CPE1,R1)-p(R2,C2)-CPE3")
    assert [(p.r, p.c) for p in pairs] == [("R1", "CPE1"), ("R2", "C2")]


def test_the_reduced_circuit_is_the_full_one_without_its_first_pairs():
    assert circuit.reduced_circuits(demo.CIRCUIT) == [("R0-p(R2,CPE2)-CPE3", ["R1", "CPE1"])]
    three = "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,C3)-W4"
    assert [c for c, _ in circuit.reduced_circuits(three)] == [
        "R0-p(R2,CPE2)-p(R3,C3)-W4",
        "R0-p(R3,C3)-W4",
    ]
    assert circuit.reduced_circuits("R0-p(R1-p(R2,CPE2),CPE1)") == []


def test_parameter_names_and_units_are_impedance_py_s():
    names, units = circuit.parameter_names(demo.CIRCUIT)
    assert names == list(demo.PARAM_NAMES)
    assert units[:4] == ["Ohm", "Ohm", "Ohm^-1 sec^a", ""]


def test_exponents_are_not_log_parameters():
    assert [circuit.is_log_parameter(n) for n in ("R0", "CPE1_0", "CPE1_1", "C2", "L3")] == [
        True,
        True,
        False,
        True,
        True,
    ]


def test_time_constant_of_r_cpe_and_r_c():
    assert circuit.time_constant(100.0, 1e-6, 1.0) == pytest.approx(1e-4)
    assert circuit.time_constant(1e4, 1e-8, 0.8) == pytest.approx((1e4 * 1e-8) ** 1.25)
    assert math.isnan(circuit.time_constant(0.0, 1e-6, 1.0))


def test_pairs_are_put_in_order_of_time_constant():
    names = list(demo.PARAM_NAMES)
    p = demo.TRUTH["NMC-700"][4.0]
    swapped = dict(p)
    for a, b in (("R1", "R2"), ("CPE1_0", "CPE2_0"), ("CPE1_1", "CPE2_1")):
        swapped[a], swapped[b] = p[b], p[a]
    values = np.array([swapped[n] for n in names])
    ordered, errors = circuit.order_pairs(demo.CIRCUIT, names, values, np.arange(9.0))
    assert list(ordered) == [p[n] for n in names]
    assert list(errors[[1, 4]]) == [4.0, 1.0]  # errors move with their values


def test_compiled_circuit_matches_impedance_py():
    from impedance.models.circuits import CustomCircuit

    f = demo.frequencies()
    p = demo.TRUTH["NMC-900"][3.6]
    values = [p[n] for n in demo.PARAM_NAMES]
    expected = CustomCircuit(demo.CIRCUIT, initial_guess=values).predict(f, use_initial=True)
    assert np.allclose(circuit.compile_circuit(demo.CIRCUIT)(f, values), expected, rtol=1e-12)
    assert np.allclose(demo.model(p, f), expected, rtol=1e-12)


def test_the_circuit_problem_names_what_is_wrong():
    assert circuit.circuit_problem(demo.CIRCUIT, "R2") == ""
    assert "unknown element 'X1'" in circuit.circuit_problem("R0-p(R1,X1", "R1")
    assert "is not a resistor" in circuit.circuit_problem(demo.CIRCUIT, "CPE2")


def impedance_py_accepts(text: str) -> tuple[list[str], list[str]] | None:
    """impedance.py's parameter names and units of a circuit, or None when it refuses it."""
    import warnings

    from impedance.models.circuits import CustomCircuit
    from impedance.models.circuits.fitting import calculateCircuitLength

    try:
        model = CustomCircuit(text, initial_guess=[1.0] * calculateCircuitLength(text))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.predict(np.array([1.0, 10.0]), use_initial=True)
    except Exception:  # noqa: BLE001 - ValueError, RecursionError...: impedance.py refuses it
        return None
    names, units = model.get_param_names()
    return list(names), list(units)


ALL_ELEMENTS = "R0-p(R1,C1)-La2-Zarc3-T4-TLMQ5-Gs6-G7-K8-Ws9-W10-L11-p(R12-Wo12,CPE12)"
STRINGS = [
    demo.CIRCUIT, "R0-p(R1-Wo1,C1)", "R_0-CPE_1", "R0-p(R1,p(R2,C2))", ALL_ELEMENTS,  # accepted
    "R0-p(R1,X1", "R0-p(R1,CPE1", "R0-p(R1,CPE1))", "R0--R1", "R0-", "R0-R1a", "R0+R1",  # refused
    "R0-p(R1)", "r0", "R0-1", "R0-(R1)", "R0-p(,R1)",
]  # fmt: skip


@pytest.mark.parametrize("text", STRINGS)
def test_circuit_strings_are_accepted_and_named_as_impedance_py_does(text):
    expected = impedance_py_accepts(text)
    problem = circuit.circuit_problem(
        text, circuit.compile_circuit(text).elements[0] if expected else "R0"
    )
    if expected is None:
        assert "is not an impedance.py circuit string" in problem
    else:
        assert "not an impedance.py circuit string" not in problem
        assert circuit.parameter_names(text) == expected


@pytest.mark.parametrize(
    "text, values",
    [
        (demo.CIRCUIT, [20.0, 500.0, 1e-8, 0.9, 1e5, 1e-9, 0.8, 1e-5, 0.5]),
        ("R0-p(R1,p(R2-W2,CPE2))-La3", [10.0, 300.0, 200.0, 30.0, 1e-6, 0.85, 1e-6, 0.9]),
    ],
)
def test_the_circuit_jacobian_is_central_differences_and_batches_agree(text, values):
    f = np.logspace(6, -2, 41)
    values = np.array(values)
    compiled = circuit.compile_circuit(text)
    z, jac = compiled.jacobian(f, values)
    assert np.allclose(z, compiled(f, values), rtol=1e-13)
    for k in range(values.size):
        h = 1e-5 * values[k]
        up, down = values.copy(), values.copy()
        up[k] += h
        down[k] -= h
        numeric = (compiled(f, up) - compiled(f, down)) / (2 * h)
        assert np.allclose(jac[:, k], numeric, rtol=1e-5, atol=1e-6 * np.max(np.abs(numeric))), k
    batch = np.array([values, values * 1.5, values * 0.7])
    z_batch, jac_batch = compiled.jacobian(f, batch)
    for row in range(3):
        z_row, jac_row = compiled.jacobian(f, batch[row])
        assert np.allclose(z_batch[row], z_row, rtol=1e-13)
        assert np.allclose(jac_batch[row], jac_row, rtol=1e-13)
