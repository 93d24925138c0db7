"""Redox couples: anodic and cathodic peaks paired, gated by charge, the decision in words.

Anodic peaks, most prominent first, each take the nearest unused cathodic peak within
:data:`MAX_COUPLE_SEPARATION_V` whose E_pa - E_pc is at least :data:`MIN_DELTA_EP_V` (E_pa >=
E_pc for a redox couple, up to noise). A couple passes when both peaks' charges reach
``min_peak_charge_C_cm2``; ``redox_peaks_detected`` is 1 when at least one couple passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from interphase.cv.peaks import Peak

# Anodic and cathodic peaks further apart than this are not one couple (quasi-reversible
# insertion couples of thin-film cathodes stay well below 0.5 V; Bard & Faulkner 2001, §6.5).
MAX_COUPLE_SEPARATION_V = 0.5
# E_pa - E_pc of a couple is >= 0 (0 for an ideal surface couple); a little below 0 is noise.
MIN_DELTA_EP_V = -0.02


@dataclass(frozen=True)
class Couple:
    """An anodic and a cathodic peak taken as one redox couple, and whether it passes."""

    anodic: Peak
    cathodic: Peak
    passes: bool


def pair_couples(anodic: list[Peak], cathodic: list[Peak]) -> list[tuple[Peak, Peak]]:
    """Couples: each anodic peak (most prominent first) with the nearest unused cathodic peak."""
    used: set[int] = set()
    couples = []
    for a in sorted(anodic, key=lambda p: -p.prominence):
        options = [
            (abs(a.potential - c.potential), k)
            for k, c in enumerate(cathodic)
            if k not in used
            and abs(a.potential - c.potential) <= MAX_COUPLE_SEPARATION_V
            and a.potential - c.potential >= MIN_DELTA_EP_V
        ]
        if options:
            _, k = min(options)
            used.add(k)
            couples.append((a, cathodic[k]))
    return sorted(couples, key=lambda ac: ac[0].potential + ac[1].potential)


def gate_couples(pairs: list[tuple[Peak, Peak]], min_charge: float) -> list[Couple]:
    """The couples with their charge gate: both peaks hold at least ``min_charge`` (C cm-2)."""
    return [Couple(a, c, a.charge >= min_charge and c.charge >= min_charge) for a, c in pairs]


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
            f"{MAX_COUPLE_SEPARATION_V} V of each other with E_pa >= E_pc"
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
