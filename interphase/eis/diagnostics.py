"""Checks on a fit: does the R_ct arc close in the window, are the arcs determined, lin-KK.

- :func:`closure_note`: the R_ct arc's apex inside the window (shrunk by a margin), not
  outweighed by the series tail; a reason when it is not.
- :func:`arcs_determined`: every arc resistance more than CI_FACTOR standard errors from zero.
- :func:`rct_arc_in_data`: the R_ct arc closes and lies apart from the other arcs.
- :func:`kk_check`: the lin-KK test (:mod:`interphase.eis.lin_kk`), a NaN result and a note
  when it cannot run.

impedance.py keeps its lin-KK in ``validation.py``, apart from the circuits; here the
validity checks of a fit sit together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from interphase.eis.circuit import kind_of, pairs_of, terms_of, time_constant
from interphase.eis.lin_kk import KKResult, lin_kk

# An arc is seen only where R_ct outweighs the series capacitive tail (a diffusion CPE, a
# Warburg); and an R||CPE arc that has not closed, absorbed by the tail, looks like a tail
# (an unclosed n ~ 0.8 arc plus a 0.5 tail fits as one n ~ 0.6 tail). See closure_note.
TAIL_TO_RCT = 1.0
# A circuit whose arc resistance lies within this many standard errors of zero (its ~95 %
# confidence interval includes zero) is not supported by the data (Orazem & Tribollet,
# Electrochemical Impedance Spectroscopy, 2nd ed., 2017, ch. 19: drop such parameters).
CI_FACTOR = 2.0
# Arcs closer than this in time constant are not told apart: two R||CPE arcs with n ~ 0.8
# less than a decade apart show as one distorted arc (a rule of thumb, see docs/eis.md,
# Known limits).
ARC_SEPARATION_DECADES = 1.0


@dataclass(frozen=True)
class Window:
    """The measured frequency range (Hz) and the closure margin (decades)."""

    f_min: float
    f_max: float
    margin: float

    def contains(self, f_apex: float) -> bool:
        """True when f_apex lies inside [f_min, f_max] shrunk by ``margin`` decades each end."""
        return self.f_min * 10**self.margin <= f_apex <= self.f_max / 10**self.margin


def window_of(f: np.ndarray, margin: float) -> Window:
    """The Window of a frequency array."""
    return Window(float(np.min(f)), float(np.max(f)), margin)


def closure_note(
    values: dict, rct: str, circuit: str, window: Window, full: tuple[dict, str] | None = None
) -> tuple[float, str]:
    """Apex frequency of the Rct arc and a note when the data do not show it closing.

    Flagged when the apex lies outside the window shrunk by its margin, or when the series
    tail outweighs R_ct at the apex (the arc is not seen). For a fit without an unresolved
    arc (``full`` = the configured circuit's own fit: values, circuit), also when the tail
    outweighs R_ct at the lowest frequency or the full fit put the R_ct apex outside the
    window: then the one arc left may be another one and the Rct arc the 'tail'.
    """
    if not any(p.r == rct for p in pairs_of(circuit)):
        return math.nan, ""
    f_apex = apex_frequency(values, rct, circuit)
    if not math.isfinite(f_apex):
        return math.nan, f"{rct} arc time constant undefined"
    if not window.contains(f_apex):
        lo, hi = window.f_min * 10**window.margin, window.f_max / 10**window.margin
        return f_apex, (
            f"arc does not close inside the measured window: {rct} apex at {f_apex:.3g} Hz, "
            f"outside [{lo:.3g}, {hi:.3g}] Hz"
        )
    tail_at_apex = tail_impedance(values, circuit, f_apex)
    if tail_at_apex > TAIL_TO_RCT * values[rct]:
        return f_apex, (
            f"arc does not close inside the measured window: at its apex ({f_apex:.3g} Hz) the "
            f"low-frequency tail (|Z| = {tail_at_apex:.3g} ohm) outweighs {rct} "
            f"({values[rct]:.3g} ohm)"
        )
    if full is None:
        return f_apex, ""
    return f_apex, reduced_closure_note(values, rct, circuit, window, full, f_apex)


def reduced_closure_note(
    values: dict, rct: str, circuit: str, window: Window, full: tuple[dict, str], f_apex: float
) -> str:
    """The closure checks of a fit without an unresolved arc ('' when they pass)."""
    tail_at_end = tail_impedance(values, circuit, window.f_min)
    if tail_at_end > TAIL_TO_RCT * values[rct]:
        return (
            f"arc may not close inside the measured window: an arc of the circuit is not "
            f"resolved and at the lowest frequency the tail (|Z| = {tail_at_end:.3g} ohm) "
            f"outweighs {rct} ({values[rct]:.3g} ohm); the {rct} arc may be below the window, "
            f"absorbed by the tail"
        )
    full_values, full_circuit = full
    full_apex = apex_frequency(full_values, rct, full_circuit) if full_values else f_apex
    if not window.contains(full_apex):
        return (
            f"arc may not close inside the measured window: fitted with all its arcs, the "
            f"circuit puts the {rct} arc apex at {full_apex:.3g} Hz, at or beyond the window's "
            f"end; the arc taken as {rct} without the unresolved one may be another"
        )
    return ""


def apex_frequency(values: dict, r: str, circuit: str) -> float:
    """Apex frequency 1/(2π τ) of the arc of resistor r (NaN when r is in no pair)."""
    pair = next((p for p in pairs_of(circuit) if p.r == r), None)
    if pair is None:
        return math.nan
    if kind_of(pair.c) == "CPE":
        tau = time_constant(values[r], values[pair.c + "_0"], values[pair.c + "_1"])
    else:
        tau = time_constant(values[r], values[pair.c], 1.0)
    return 1.0 / (2 * math.pi * tau) if math.isfinite(tau) and tau > 0 else math.nan


def tail_impedance(values: dict, circuit: str, f: float) -> float:
    """|Z| at frequency f of the circuit's series capacitive elements (CPE, C, W not in a pair)."""
    paired = {p.c for p in pairs_of(circuit)}
    w = 2 * math.pi * f
    total = 0.0
    for term in terms_of(circuit) or []:
        if term.kind == "CPE" and term.r not in paired:
            q, n = values[term.r + "_0"], values[term.r + "_1"]
            total += 1.0 / (q * w**n) if q > 0 else math.inf
        elif term.kind == "C" and term.r not in paired:
            total += 1.0 / (values[term.r] * w) if values[term.r] > 0 else math.inf
        elif term.kind == "W":
            total += values[term.r] * math.sqrt(2.0 / w)
    return total


def rct_arc_in_data(circuit: str, values: dict, rct: str, window: Window) -> bool:
    """True when the R_ct arc passes the closure checks and lies apart from every other arc.

    Apart: ARC_SEPARATION_DECADES or more in time constant. Such an arc is a feature of the
    data: if its resistance is uncertain, R_ct is uncertain (and flagged so), which is no
    reason to drop another arc. An R_ct 'arc' beyond the window, under the tail or on top of
    another arc is a spare pair splitting the tail or a large arc.
    """
    apex, note = closure_note(values, rct, circuit, window)
    if note or not math.isfinite(apex):  # NaN also when rct is in no pair
        return False
    others = [apex_frequency(values, p.r, circuit) for p in pairs_of(circuit) if p.r != rct]
    return all(
        math.isfinite(o) and abs(math.log10(apex / o)) >= ARC_SEPARATION_DECADES for o in others
    )


def arcs_determined(
    circuit: str, names: list[str], values: np.ndarray, errors: np.ndarray, skip: str = ""
) -> bool:
    """True when every arc resistance but ``skip`` is more than CI_FACTOR stderr from zero."""
    for pair in pairs_of(circuit):
        if pair.r == skip:
            continue
        k = names.index(pair.r)
        if not (math.isfinite(errors[k]) and values[k] > CI_FACTOR * errors[k]):
            return False
    return True


def kk_check(f: np.ndarray, z: np.ndarray) -> tuple[KKResult, str]:
    """The lin-KK result, or a NaN result and the reason when the test cannot run."""
    try:
        return lin_kk(f, z), ""
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:  # degenerate spectrum
        nan = np.full(f.size, np.nan)
        return KKResult(nan, nan.copy(), 0, math.nan), f"lin-KK failed: {type(exc).__name__}: {exc}"
