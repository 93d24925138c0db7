"""Redox couples: anodic and cathodic peaks paired, gated, flagged; the decision in words.

Pairing: anodic and cathodic peaks are matched one to one so that as many couples as possible
form and, among those, the summed squared peak separation is smallest (``scipy.optimize.
linear_sum_assignment``, the Hungarian method). A pair is allowed when E_pa - E_pc lies between
:data:`MIN_DELTA_EP_V` (E_pa >= E_pc for a redox couple, up to noise) and
``max_couple_separation_V``. With all separations positive, the squared sum is smallest when
the couples keep their potential order (the k-th anodic peak with the k-th cathodic peak): the
several couples of an insertion host, whose kinetics are alike, shift together, and
nearest-first pairing would cross two such couples once they are wider than their spacing. The
price: a wide couple enclosing a narrow one at about the same E0' is paired crosswise (both
"couples" are then wide and usually unbalanced, so flagged); a scan-rate series settles it.

Gates: a couple passes when both peaks hold at least ``min_peak_charge_C_cm2``;
``redox_peaks_detected`` is 1 when at least one couple passes. A passing couple is flagged

- wide, when delta_Ep > ``wide_delta_Ep_V``: beyond 0.2 V (for n = 1) a surface couple is in
  Laviron's kinetically irreversible regime (Laviron 1979, J. Electroanal. Chem. 101, 19), where
  E_half equals E0' only for a transfer coefficient of 0.5, and a wide pair is likelier to join
  two unrelated processes;
- weak, when its smaller peak's prominence is below ``weak_peak_factor`` (1.5) times the
  threshold: near the detection limit (tests/cv/test_detection.py: the 50 % point of detection
  lies near 0.8 x the limit), so its position and charge are less certain;
- unbalanced, when one peak holds more than ``max_charge_ratio`` times the other's charge: the
  two peaks may not be one couple.

A peak above the threshold and the charge gate that is in no couple is reported on its own
("no cathodic partner"): an irreversible process, or a partner outside the window or below
the detection limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from interphase.cv.peaks import Peak

# E_pa - E_pc of a couple is >= 0 (0 for an ideal surface couple); a little below 0 is noise.
MIN_DELTA_EP_V = -0.02
# Cost of a forbidden pair in the assignment: larger than any sum of allowed squared
# separations (volts, a few at most), so the most couples form first.
FORBIDDEN = 1.0e6


@dataclass(frozen=True)
class Couple:
    """An anodic and a cathodic peak taken as one redox couple, its gate and its flags."""

    anodic: Peak
    cathodic: Peak
    passes: bool
    flags: tuple[str, ...] = ()

    @property
    def delta_ep(self) -> float:
        """Peak separation E_pa - E_pc (V)."""
        return self.anodic.potential - self.cathodic.potential


def allowed(a: Peak, c: Peak, max_separation: float) -> bool:
    """Whether an anodic and a cathodic peak may form a couple."""
    return MIN_DELTA_EP_V <= a.potential - c.potential <= max_separation


def pair_couples(
    anodic: list[Peak], cathodic: list[Peak], max_separation: float
) -> list[tuple[Peak, Peak]]:
    """The most couples with the smallest summed squared separation, in order of E_half."""
    if not anodic or not cathodic:
        return []
    cost = np.array(
        [
            [
                (a.potential - c.potential) ** 2 if allowed(a, c, max_separation) else FORBIDDEN
                for c in cathodic
            ]
            for a in anodic
        ]
    )
    rows, cols = linear_sum_assignment(cost)
    pairs = [(anodic[r], cathodic[k]) for r, k in zip(rows, cols) if cost[r, k] < FORBIDDEN]
    return sorted(pairs, key=lambda ac: ac[0].potential + ac[1].potential)


def couple_flags(a: Peak, c: Peak, p: dict, threshold: float) -> tuple[str, ...]:
    """Why a passing couple is flagged (wide, weak, unbalanced charges); empty when ok."""
    flags = []
    delta = a.potential - c.potential
    if delta > p["wide_delta_Ep_V"]:
        flags.append(
            f"wide: delta_Ep {delta:.2f} V > {p['wide_delta_Ep_V']:g} V (slow kinetics or iR "
            "drop; E_half is E0' only for a transfer coefficient of 0.5)"
        )
    weakest = min(a.prominence, c.prominence)
    if threshold > 0 and weakest < p["weak_peak_factor"] * threshold:
        snr = weakest / threshold * p["min_peak_snr"]
        flags.append(
            f"weak: smaller peak {snr:.1f}× noise, under {p['weak_peak_factor']:g}× the "
            f"{p['min_peak_snr']:g}× threshold (position and charge less certain)"
        )
    small, large = sorted((a.charge, c.charge))
    if small > 0 and large / small > p["max_charge_ratio"]:
        flags.append(
            f"unbalanced: peak charges differ {large / small:.1f}-fold "
            f"(> {p['max_charge_ratio']:g}): the two peaks may not be one couple"
        )
    return tuple(flags)


def gate_couples(pairs: list[tuple[Peak, Peak]], p: dict, threshold: float) -> list[Couple]:
    """The couples with their charge gate and, for those that pass, their flags."""
    q_min = p["min_peak_charge_C_cm2"]
    out = []
    for a, c in pairs:
        passes = a.charge >= q_min and c.charge >= q_min
        flags = couple_flags(a, c, p, threshold) if passes else ()
        out.append(Couple(a, c, passes, flags))
    return out


def unpaired(peaks: list[Peak], couples: list[Couple], min_charge: float) -> list[Peak]:
    """The peaks in no couple that hold at least ``min_charge`` (C cm-2), by potential."""
    paired = [c.anodic for c in couples] + [c.cathodic for c in couples]
    lonely = [pk for pk in peaks if pk not in paired and pk.charge >= min_charge]
    return sorted(lonely, key=lambda pk: pk.potential)


def unpaired_note(direction: int, max_separation: float) -> str:
    """The note of a peak (direction 1 anodic, -1 cathodic) reported without a partner."""
    if direction > 0:
        return f"unpaired anodic peak: no cathodic partner within {max_separation:g} V below it"
    return f"unpaired cathodic peak: no anodic partner within {max_separation:g} V above it"


def decision(
    anodic: list[Peak],
    cathodic: list[Peak],
    couples: list[Couple],
    lonely: list[Peak],
    p: dict,
    noise: float,
) -> tuple[str, str]:
    """Status and note of redox_peaks_detected: which criterion decided it, in words."""
    note = decision_note(anodic, cathodic, couples, p, noise)
    passing = [c for c in couples if c.passes]
    if lonely:
        n = len(lonely)
        note += (
            f"; {n} peak{'s' if n > 1 else ''} without a partner reported on "
            f"{'their' if n > 1 else 'its'} own rows"
        )
    if passing and all(any(f.startswith("weak") for f in c.flags) for c in passing):
        return "flagged", note + "; every couple found is weak (see its rows)"
    if not passing and lonely:
        return "flagged", note + (
            ": a couple whose partner peak lies outside the window or below the detection "
            "limit cannot be excluded"
        )
    return "ok", note


def decision_note(
    anodic: list[Peak], cathodic: list[Peak], couples: list[Couple], p: dict, noise: float
) -> str:
    """Which criterion decided redox_peaks_detected, in words."""
    thr = f"{p['min_peak_snr']:g}× noise ({noise:.2g} A cm-2)"
    q_min = p["min_peak_charge_C_cm2"]
    if not anodic and not cathodic:
        return f"no anodic or cathodic peak above {thr}"
    if not anodic:
        return f"no anodic peak above {thr}"
    if not cathodic:
        return f"no cathodic peak above {thr}"
    if not couples:
        return (
            f"anodic and cathodic peaks above {thr} but none within "
            f"{p['max_couple_separation_V']:g} V of each other with E_pa >= E_pc"
        )
    n = sum(c.passes for c in couples)
    if not n:
        smallest = min(min(c.anodic.charge, c.cathodic.charge) for c in couples)
        return (
            f"peak couples above {thr} but the smaller peak charge {smallest:.2g} C cm-2 "
            f"< min_peak_charge_C_cm2 {q_min:g}"
        )
    plural = "s" if n > 1 else ""
    return f"{n} couple{plural} with both peaks above {thr} and charge >= {q_min:g} C cm-2"
