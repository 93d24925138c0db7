"""Circuit elements: impedance and its derivatives with respect to each parameter.

The elements, their parameters, units and formulas are impedance.py's (Murbach et al.,
JOSS 5 (2020) 2349; ``impedance/models/circuits/elements.py``, version 1.7.1), written
again here for two things impedance.py does not give: derivatives (the fit's analytic
Jacobian) and evaluation over a batch of parameter sets at once. ``tests/eis/
test_elements.py`` checks every element against impedance.py's own function and every
derivative against central differences.

An element function takes the parameters as arrays that broadcast against the frequencies
(shape (..., 1) against (N,)) and the :class:`Frequencies` (ω and its logarithms, computed
once a spectrum) and returns (Z, [dZ/dp_0, dZ/dp_1, ...]).
Elements without a derivative here (Wo, Ws, Gs, TLMQ, T: transmission lines and finite
diffusion, not in the default circuit) are evaluated by impedance.py's own function and
differentiated numerically (:func:`numeric`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Derivatives = tuple[np.ndarray, list[np.ndarray]]
# Relative central-difference step for elements without analytic derivatives (about the
# cube root of the double-precision epsilon, the optimum for central differences).
NUMERIC_STEP = 6e-6


@dataclass(frozen=True)
class Frequencies:
    """Angular frequencies ω = 2π f and what the elements need of them, computed once."""

    w: np.ndarray
    jw: np.ndarray  # jω
    log_w: np.ndarray  # ln ω
    log_jw: np.ndarray  # ln jω = ln ω + jπ/2

    @classmethod
    def of(cls, f) -> Frequencies:
        """The Frequencies of f in Hz (ω computed as impedance.py does), or f if it is one."""
        if isinstance(f, Frequencies):
            return f
        w = 2 * np.pi * np.asarray(f, dtype=float)
        log_w = np.log(w)
        return cls(w, 1j * w, log_w, log_w + 0.5j * np.pi)


@dataclass(frozen=True)
class Kind:
    """An element type: parameter units (impedance.py's strings) and its function, if any."""

    units: tuple[str, ...]
    function: Callable[[list[np.ndarray], Frequencies], Derivatives] | None

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return len(self.units)


def resistor(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """R: Z = R."""
    ones = np.ones(np.broadcast_shapes(p[0].shape, fr.w.shape), dtype=complex)
    return p[0] * ones, [ones]


def capacitor(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """C: Z = 1 / (jωC)."""
    z = 1.0 / (p[0] * fr.jw)
    return z, [-z / p[0]]


def inductor(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """L: Z = jωL."""
    z = p[0] * fr.jw
    return z, [np.broadcast_to(fr.jw, z.shape)]


def warburg(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """W (semi-infinite Warburg): Z = A_W (1 - j) / sqrt(ω)."""
    unit = (1 - 1j) / np.sqrt(fr.w)
    z = p[0] * unit
    return z, [np.broadcast_to(unit, z.shape)]


def cpe(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """CPE: Z = 1 / (Q (jω)^α) = ω^-α e^(-jαπ/2) / Q (real powers: a third of the time)."""
    q, alpha = p
    z = (np.exp(-alpha * fr.log_w) / q) * np.exp(-0.5j * np.pi * alpha)
    return z, [-z / q, -z * fr.log_jw]


def modified_inductance(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """La, as impedance.py 1.7.1 computes it: Z = (L jω)^α."""
    inductance, alpha = p
    base = inductance * fr.jw
    z = base**alpha
    return z, [alpha * z / inductance, z * np.log(base)]


def gerischer(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """G: Z = R_G / sqrt(1 + jω t_G)."""
    r, t = p
    root = np.sqrt(1 + fr.jw * t)
    z = r / root
    return z, [z / r, -0.5 * z * fr.jw / root**2]


def rc(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """K (RC element of lin-KK): Z = R / (1 + jωτ)."""
    r, tau = p
    denominator = 1 + fr.jw * tau
    z = r / denominator
    return z, [z / r, -z * fr.jw / denominator]


def zarc(p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """Zarc: Z = R / (1 + (jωτ)^γ)."""
    r, tau, gamma = p
    power = (fr.jw * tau) ** gamma
    denominator = 1 + power
    z = r / denominator
    common = -z * power / denominator
    return z, [z / r, common * gamma / tau, common * (fr.log_jw + np.log(tau))]


# impedance.py 1.7.1's element table (names, parameter units), with the functions above.
KINDS = {
    "R": Kind(("Ohm",), resistor),
    "C": Kind(("F",), capacitor),
    "L": Kind(("H",), inductor),
    "W": Kind(("Ohm sec^-1/2",), warburg),
    "CPE": Kind(("Ohm^-1 sec^a", ""), cpe),
    "La": Kind(("H sec", ""), modified_inductance),
    "G": Kind(("Ohm", "sec"), gerischer),
    "K": Kind(("Ohm", "sec"), rc),
    "Zarc": Kind(("Ohm", "sec", ""), zarc),
    "Wo": Kind(("Ohm", "sec"), None),
    "Ws": Kind(("Ohm", "sec"), None),
    "Gs": Kind(("Ohm", "sec", ""), None),
    "TLMQ": Kind(("Ohm", "F sec^(gamma - 1)", ""), None),
    "T": Kind(("Ohm-m^2", "Ohm-m^2", "", "sec"), None),
}


def evaluate(kind: str, p: list[np.ndarray], fr: Frequencies) -> Derivatives:
    """Impedance and derivatives of an element of ``kind`` (analytic or numeric)."""
    function = KINDS[kind].function
    if function is not None:
        return function(p, fr)
    return numeric(kind, p, fr.w)


def numeric(kind: str, p: list[np.ndarray], w: np.ndarray) -> Derivatives:
    """impedance.py's element function, differentiated by central differences."""
    shape = np.broadcast_shapes(*(x.shape for x in p), w.shape)
    flat = [np.broadcast_to(x, shape[:-1] + (1,)).reshape(-1) for x in p]

    def z_of(params: list[np.ndarray]) -> np.ndarray:
        return np.array(
            [_impedance_py(kind, [float(v[i]) for v in params], w) for i in range(len(params[0]))]
        )

    z = z_of(flat)
    derivatives = []
    for k in range(len(flat)):
        h = NUMERIC_STEP * np.maximum(np.abs(flat[k]), 1e-12)
        up = [x + h if j == k else x for j, x in enumerate(flat)]
        down = [x - h if j == k else x for j, x in enumerate(flat)]
        derivatives.append(((z_of(up) - z_of(down)) / (2 * h[:, None])).reshape(shape))
    return z.reshape(shape), derivatives


def _impedance_py(kind: str, params: list[float], w: np.ndarray) -> np.ndarray:
    """impedance.py's element function at angular frequencies w."""
    from impedance.models.circuits.elements import circuit_elements

    return np.asarray(circuit_elements[kind](params, w / (2 * np.pi)), dtype=complex)
