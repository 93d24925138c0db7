"""Windows from the data: a spectrum recorded over another range still gives its ratios."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.eels import analysis
from interphase.eels.edges import EDGES
from interphase.eels.windows import POST_MIN_GAP_EV, fit_windows
from tests.eels import synthetic as syn

PARAMS = {"interface_window_nm": 5.0, "bulk_distance_nm": 20.0, "elements": ["Mn", "Co", "Ni"]}
GIF = 600.0 + 0.25 * np.arange(881)  # 600-820 eV at 0.25 eV/channel, a common Mn+Co setting


def test_default_windows_are_kept_when_they_fit():
    w = fit_windows(EDGES["Co"], 600.0, 850.0)
    assert w.edge == EDGES["Co"] and w.note == "" and w.reason == ""


def test_post_edge_window_moves_into_a_short_spectrum():
    w = fit_windows(EDGES["Co"], 600.0, 820.0)
    assert w.edge.post == (810.0, 820.0)  # 10 eV, ending at the last channel
    assert w.edge.post[0] >= EDGES["Co"].l2_max + POST_MIN_GAP_EV
    assert w.edge.l3 == EDGES["Co"].l3 and w.edge.pre == EDGES["Co"].pre
    assert "post-edge window 810-820 eV instead of 815-840 eV" in w.note


def test_pre_edge_window_is_cut_at_the_first_channel():
    w = fit_windows(EDGES["Mn"], 620.0, 850.0)
    assert w.edge.pre == (620.0, 635.0) and "pre-edge window 620-635 eV" in w.note
    too_late = fit_windows(EDGES["Mn"], 628.0, 850.0)
    assert too_late.edge is None and "pre-edge background window would be 7 eV" in too_late.reason


def test_an_edge_too_close_to_the_end_is_refused_with_the_reason():
    w = fit_windows(EDGES["Co"], 600.0, 808.0)
    assert w.edge is None
    assert "ends at 808 eV" in w.reason and "810.5 eV" in w.reason
    assert "above the recorded range" in fit_windows(EDGES["Ni"], 600.0, 820.0).reason


@pytest.fixture(scope="module")
def gif_fit():
    """A line recorded from 600 to 820 eV at 0.25 eV/channel, Co 3.8 at the interface."""
    line = syn.Line(energy=GIF, co_interface_ratio=3.8)
    return line, analysis.analyse(syn.dataset(line, np.random.default_rng(21)), PARAMS)


def test_a_600_to_820_ev_line_gives_co_and_mn_ratios(gif_fit):
    line, fit = gif_fit
    rows = {(r["quantity"], r["element"]): r for r in analysis.rows(fit)}
    for el, truth in (("Mn", 2.0), ("Co", 2.3)):
        bulk = rows[("L3_L2_bulk", el)]
        assert bulk["status"] == "ok" and abs(bulk["value"] - truth) < 0.05 * truth
        assert rows[("L3_L2_interface", el)]["status"] == "ok"
    assert rows[("L3_L2_interface", "Co")]["value"] == pytest.approx(3.8, rel=0.1)
    assert "post-edge window 810-820 eV" in rows[("L3_L2_bulk", "Co")]["note"]
    ni = rows[("L3_L2_bulk", "Ni")]
    assert ni["status"] == "failed" and math.isnan(ni["value"]) and "600-820 eV" in ni["note"]


def test_the_windows_used_are_in_the_fit_dataset(gif_fit):
    _, fit = gif_fit
    shift = float(fit["energy_shift"].sel(element="Co"))
    assert float(fit["window_post_end"].sel(element="Co")) == pytest.approx(820.0)
    assert float(fit["window_post_start"].sel(element="Co")) == pytest.approx(810.0)
    assert float(fit["window_l3_start"].sel(element="Co")) == pytest.approx(774.0 + shift)
    assert float(fit["window_post_start"].sel(element="Mn")) == pytest.approx(
        670.0 + float(fit["energy_shift"].sel(element="Mn"))
    )
    assert "Co: post-edge window" in fit.attrs["windows_note"]
    assert math.isnan(float(fit["window_pre_start"].sel(element="Ni")))


def test_a_shorter_continuum_window_agrees_with_the_default_within_two_percent():
    """Same line recorded to 850 and to 820 eV: the Co ratio moves by the window change only."""
    wide = syn.Line(energy=600.0 + 0.25 * np.arange(1001))
    short = syn.Line(energy=GIF)
    values = []
    for line in (wide, short):
        clean = syn.dataset(
            syn.Line(**{**line.__dict__, "x": np.arange(0.0, 15.0, 3.0), "interface": 1e3})
        )
        values.append(float(analysis.analyse(clean, PARAMS)["L3_L2"].sel(element="Co").values[0]))
    assert values[1] == pytest.approx(values[0], rel=0.02)
