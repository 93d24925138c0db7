"""Circuit elements: impedance.py's values, and derivatives that are the numerical ones."""

from __future__ import annotations

import numpy as np
import pytest

from interphase.eis import elements

F = np.logspace(6, -2, 41)
# A parameter set a kind, of the size these elements have in solid-state spectra.
PARAMS = {
    "R": [120.0],
    "C": [2e-9],
    "L": [3e-7],
    "W": [40.0],
    "CPE": [3e-8, 0.82],
    "La": [2e-6, 0.9],
    "G": [300.0, 1e-3],
    "K": [500.0, 1e-4],
    "Zarc": [800.0, 1e-3, 0.75],
    "Wo": [50.0, 2.0],
    "Ws": [60.0, 0.5],
    "Gs": [200.0, 1e-3, 2.0],
    "TLMQ": [100.0, 1e-5, 0.9],
    "T": [10.0, 20.0, 0.5, 1e-3],
}


def impedance_py(kind: str, p: list[float]) -> np.ndarray:
    """impedance.py's own element function."""
    from impedance.models.circuits.elements import circuit_elements

    return np.asarray(circuit_elements[kind](p, F), dtype=complex)


def test_the_table_is_impedance_py_s():
    from impedance.models.circuits.elements import circuit_elements

    # impedance.py evals circuit strings with this dict as globals, which adds __builtins__
    kinds = {name for name in circuit_elements if name not in ("s", "p", "__builtins__")}
    assert kinds == set(elements.KINDS) == set(PARAMS)
    for name, kind in elements.KINDS.items():
        assert list(kind.units) == list(circuit_elements[name].units), name


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_impedance_is_impedance_py_s(kind):
    p = [np.array([v]) for v in PARAMS[kind]]
    z, _ = elements.evaluate(kind, p, elements.Frequencies.of(F))
    assert np.allclose(z, impedance_py(kind, PARAMS[kind]), rtol=1e-12, atol=0)


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_derivatives_are_central_differences(kind):
    fr = elements.Frequencies.of(F)
    values = np.array(PARAMS[kind])
    _, derivatives = elements.evaluate(kind, [np.array([v]) for v in values], fr)
    for k, analytic in enumerate(derivatives):
        h = 1e-5 * abs(values[k])
        up, down = values.copy(), values.copy()
        up[k] += h
        down[k] -= h
        numeric = (impedance_py(kind, list(up)) - impedance_py(kind, list(down))) / (2 * h)
        scale = np.max(np.abs(numeric))
        assert np.allclose(analytic, numeric, rtol=1e-5, atol=1e-6 * scale), (kind, k)


def test_a_batch_of_parameter_sets_at_once():
    fr = elements.Frequencies.of(F)
    batch = np.array([[3e-8, 0.82], [1e-6, 0.5], [2e-9, 0.95]])
    z, (dq, dn) = elements.evaluate("CPE", [batch[:, :1], batch[:, 1:]], fr)
    assert z.shape == dq.shape == dn.shape == (3, F.size)
    for row, params in enumerate(batch):
        assert np.allclose(z[row], impedance_py("CPE", list(params)), rtol=1e-12)
