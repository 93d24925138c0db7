"""Wide, weak and unpaired redox peaks: simulated surface couples (tests/cv/simulate.py, a
Butler-Volmer / Laviron current model that shares nothing with the peak finder) and the
pairing rules on hand-made peaks."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from interphase.cv import analysis, couples
from interphase.cv.peaks import Peak
from tests.cv import simulate as sim

E0 = 3.75  # V, formal potential of the simulated couples
Q = 3.0e-3  # C cm-2: the sluggish couple, ~2.5x the detection limit of this noise
PROTOCOL = sim.Protocol()  # 2.6-4.8 V at 1 mV s-1, 2 mV a point, two cycles
# E_half of a symmetric (alpha = 0.5) couple is E0'; allowed error of the recovered value.
E_HALF_TOLERANCE_V = 0.010
# Error allowed on delta_Ep against the noise-free simulated peaks.
DELTA_EP_TOLERANCE_V = 0.015


@cache
def rate(delta_ep: float, alpha: float = 0.5) -> float:
    """k_s (s-1) of the couple whose noise-free delta_Ep is ``delta_ep`` under PROTOCOL."""
    return sim.rate_for_separation(delta_ep, PROTOCOL, sim.Couple(e0=E0, alpha=alpha))


def rows_by_quantity(fit) -> dict[str, list[dict]]:
    """The fit's summary rows grouped by quantity."""
    out: dict[str, list[dict]] = {}
    for r in analysis.rows(fit):
        out.setdefault(r["quantity"], []).append(r)
    return out


@pytest.mark.parametrize("delta_ep", [0.06, 0.15, 0.4, 0.6, 0.9, 1.2])
def test_couples_from_reversible_to_very_sluggish_are_found(delta_ep):
    couple = sim.Couple(e0=E0, charge=Q, k_s=rate(delta_ep))
    true_pa, true_pc = sim.true_peaks(PROTOCOL, couple)
    fit = analysis.analyse(sim.simulate(sim.Cell(couples=(couple,)), seed=11), {})
    assert int(fit["redox_peaks_detected"]) == 1 and fit.sizes["couple"] == 1
    assert float(fit["E_half"][0]) == pytest.approx(E0, abs=E_HALF_TOLERANCE_V)
    assert float(fit["delta_Ep"][0]) == pytest.approx(true_pa - true_pc, abs=DELTA_EP_TOLERANCE_V)
    assert float(fit["Q_pa"][0]) == pytest.approx(Q, rel=0.1)
    rows = rows_by_quantity(fit)
    assert rows["redox_peaks_detected"][0]["status"] == "ok"
    wide = delta_ep > 0.2
    for q in ("E_pa", "E_pc", "E_half", "delta_Ep"):
        assert rows[q][0]["status"] == ("flagged" if wide else "ok")
        assert rows[q][0]["note"].startswith("wide: delta_Ep") == wide
    assert "peak_charge_detection_limit" not in rows


@pytest.mark.parametrize(
    "protocol",
    [
        sim.Protocol(down_first=True),  # cathodic sweep first
        sim.Protocol(e_low=2.9, e_high=4.6, scan_rate=10e-3, step=1e-3, cycles=3),
        sim.Protocol(e_low=2.4, e_high=5.0, scan_rate=2e-3, step=4e-3),
    ],
    ids=["down-first", "10mV-s-fine-steps", "2mV-s-coarse-steps"],
)
def test_wide_couples_recorded_differently_are_found(protocol):
    couple = sim.Couple(e0=E0, charge=Q, k_s=rate(0.6) * protocol.scan_rate / 1e-3)
    true_pa, true_pc = sim.true_peaks(protocol, couple)
    assert 0.5 < true_pa - true_pc < 0.7  # the same couple: delta_Ep follows ln(v / k_s)
    fit = analysis.analyse(sim.simulate(sim.Cell(protocol=protocol, couples=(couple,)), 5), {})
    assert int(fit["redox_peaks_detected"]) == 1
    assert float(fit["E_pa"][0]) == pytest.approx(true_pa, abs=DELTA_EP_TOLERANCE_V)
    assert float(fit["E_pc"][0]) == pytest.approx(true_pc, abs=DELTA_EP_TOLERANCE_V)
    assert float(fit["E_half"][0]) == pytest.approx(E0, abs=E_HALF_TOLERANCE_V)


def test_the_seed_900C_film_kinetics_give_a_wide_couple_not_none():
    # R_ct x A = 114 000 ohm cm2 (the seed's 900 °C film) with 3 mC cm-2 of active charge:
    # k_s = 2 / (R_ct A Q f) = 1.5e-4 s-1, delta_Ep ~0.5 V at 1 mV s-1 (Laviron 1979).
    couple = sim.Couple(e0=E0, charge=Q, k_s=2.0 / (1.14e5 * Q * sim.F_RT))
    assert sim.rct_area(couple) == pytest.approx(1.14e5)
    true_pa, true_pc = sim.true_peaks(PROTOCOL, couple)
    assert true_pa - true_pc == pytest.approx(0.50, abs=0.02)
    fit = analysis.analyse(sim.simulate(sim.Cell(couples=(couple,)), seed=2), {})
    assert int(fit["redox_peaks_detected"]) == 1
    assert float(fit["delta_Ep"][0]) == pytest.approx(true_pa - true_pc, abs=DELTA_EP_TOLERANCE_V)
    assert "wide" in str(fit["couple_note"].values[0])


def test_an_asymmetric_wide_couple_reports_the_peak_midpoint_and_says_why_it_is_not_e0():
    # alpha = 0.3: E_half lies (RT/F) ln(...)-terms away from E0'; the analysis must report the
    # midpoint of the peaks it sees, and its flag must say why that is not E0'.
    couple = sim.Couple(e0=E0, charge=Q, alpha=0.3, k_s=rate(0.6, alpha=0.3))
    true_pa, true_pc = sim.true_peaks(PROTOCOL, couple)
    assert abs((true_pa + true_pc) / 2 - E0) > 0.05
    fit = analysis.analyse(sim.simulate(sim.Cell(couples=(couple,)), seed=4), {})
    assert float(fit["E_half"][0]) == pytest.approx((true_pa + true_pc) / 2, abs=0.01)
    assert "transfer coefficient of 0.5" in str(fit["couple_note"].values[0])


def test_two_wide_couples_keep_their_potential_order():
    # E0' 3.5 and 3.9 V, delta_Ep 0.6 V each: the anodic peak of the first (3.8 V) is nearer to
    # the cathodic peak of the second (3.6 V) than to its own (3.2 V).
    k = rate(0.6)
    pair = (sim.Couple(e0=3.5, charge=Q, k_s=k), sim.Couple(e0=3.9, charge=Q, k_s=k))
    fit = analysis.analyse(sim.simulate(sim.Cell(couples=pair), seed=8), {})
    assert int(fit["redox_peaks_detected"]) == 1 and fit.sizes["couple"] == 2
    assert list(fit["E_half"].values) == pytest.approx([3.5, 3.9], abs=0.015)
    assert list(fit["delta_Ep"].values) == pytest.approx([0.6, 0.6], abs=0.03)
    notes = [r["note"] for r in analysis.rows(fit) if r["quantity"] == "E_half"]
    assert [n.split(";")[0] for n in notes] == ["couple 1 of 2", "couple 2 of 2"]


@pytest.mark.parametrize("direction", ["anodic", "cathodic"])
def test_a_peak_without_partner_is_reported_on_its_own(direction):
    # An irreversible surface reaction (k_s = 1e-8 s-1) whose partner peak lies outside the
    # window; a chemical step regenerates the reactant between cycles, so it recurs.
    if direction == "anodic":
        protocol = sim.Protocol(e_low=3.2, e_high=4.8)
        couple = sim.Couple(e0=E0, charge=Q, k_s=1e-8, k_chem_red=2e-3)
    else:
        protocol = sim.Protocol(e_low=2.6, e_high=4.3, down_first=True)
        couple = sim.Couple(e0=E0, charge=Q, k_s=1e-8, k_chem_ox=2e-3)
    true_pa, true_pc = sim.true_peaks(protocol, couple)
    truth = true_pa if direction == "anodic" else true_pc
    fit = analysis.analyse(sim.simulate(sim.Cell(protocol=protocol, couples=(couple,)), 3), {})
    rows = rows_by_quantity(fit)
    assert rows["redox_peaks_detected"][0]["value"] == 0.0
    assert rows["redox_peaks_detected"][0]["status"] == "flagged"
    assert "without a partner" in rows["redox_peaks_detected"][0]["note"]
    name, partner = ("E_pa", "cathodic") if direction == "anodic" else ("E_pc", "anodic")
    [lone] = rows[name]
    assert lone["value"] == pytest.approx(truth, abs=0.01)
    assert lone["status"] == "flagged" and f"no {partner} partner" in lone["note"]
    assert "E_half" not in rows and "delta_Ep" not in rows
    assert "peak_charge_detection_limit" in rows


def peak(potential: float, direction: int, charge: float = 1e-3, prominence: float = 5e-5):
    """A hand-made peak for the pairing rules."""
    return Peak(0, potential, 0.001, 0.0, prominence, prominence, charge, direction, (0.0, 0.0))


PARAMS = {
    "min_peak_snr": 8.0,
    "min_peak_charge_C_cm2": 1e-6,
    "wide_delta_Ep_V": 0.2,
    "weak_peak_factor": 1.5,
    "max_charge_ratio": 2.0,
    "max_couple_separation_V": 1.5,
}


def test_pairing_keeps_parallel_couples_in_order_and_respects_the_window():
    anodic = [peak(3.8, 1), peak(4.2, 1)]
    cathodic = [peak(3.6, -1), peak(3.2, -1)]
    pairs = couples.pair_couples(anodic, cathodic, 1.5)
    assert [(a.potential, c.potential) for a, c in pairs] == [(3.8, 3.2), (4.2, 3.6)]
    assert couples.pair_couples([peak(4.8, 1)], [peak(3.2, -1)], 1.5) == []  # 1.6 V apart
    assert couples.pair_couples([peak(3.5, 1)], [peak(3.6, -1)], 1.5) == []  # E_pa < E_pc


def test_weak_and_unbalanced_couples_are_flagged_with_the_reason():
    threshold = 8e-6
    ok = couples.couple_flags(peak(3.8, 1), peak(3.7, -1, prominence=2e-5), PARAMS, threshold)
    assert ok == ()
    weak = couples.couple_flags(peak(3.8, 1, prominence=1.1e-5), peak(3.7, -1), PARAMS, threshold)
    assert len(weak) == 1 and weak[0].startswith("weak: smaller peak 11.0× noise")
    unbalanced = couples.couple_flags(peak(3.8, 1, charge=3e-3), peak(3.7, -1), PARAMS, threshold)
    assert len(unbalanced) == 1 and "differ 3.0-fold" in unbalanced[0]


def test_a_weak_only_couple_flags_the_detection_itself():
    params = {**PARAMS}
    weak = couples.gate_couples([(peak(3.8, 1, prominence=1e-5), peak(3.7, -1))], params, 8e-6)
    status, note = couples.decision([weak[0].anodic], [weak[0].cathodic], weak, [], params, 1e-6)
    assert status == "flagged" and "every couple found is weak" in note
    strong = [replace(weak[0], flags=())]
    args = ([strong[0].anodic], [strong[0].cathodic], strong, [], params, 1e-6)
    assert couples.decision(*args)[0] == "ok"
