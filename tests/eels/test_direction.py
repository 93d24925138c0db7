"""Line direction from the data: a line recorded from the electrolyte into the film gives the
numbers of the same line recorded the other way, and EELS and EDX place the interface alike."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy.special import erf

from interphase.edx import analysis as edx_analysis
from interphase.eels import analysis, registration
from tests.eels import synthetic as syn

PARAMS = {"interface_window_nm": 5.0, "bulk_distance_nm": 20.0, "elements": ["Mn", "Co", "Ni"]}


def reverse(ds: xr.Dataset) -> xr.Dataset:
    """The same spectra in the opposite order, positions as a reversed recording gives them."""
    out = ds.isel(distance=slice(None, None, -1))
    return out.assign_coords(distance=("distance", ds["distance"].values, ds["distance"].attrs))


@pytest.fixture(scope="module")
def both_ways():
    line = syn.Line(co_interface_ratio=3.6, energy=600.0 + 0.25 * np.arange(881))
    forward = syn.dataset(line, np.random.default_rng(17))
    return analysis.analyse(forward, PARAMS), analysis.analyse(reverse(forward), PARAMS)


def test_a_reversed_line_gives_the_same_rows(both_ways):
    forward, backward = both_ways
    assert forward.attrs["line_reversed"] == 0 and backward.attrs["line_reversed"] == 1
    a, b = analysis.rows(forward), analysis.rows(backward)
    assert [(r["quantity"], r["element"], r["status"]) for r in a] == [
        (r["quantity"], r["element"], r["status"]) for r in b
    ]
    for ra, rb in zip(a, b):
        np.testing.assert_allclose(
            [rb["value"], rb["stderr"]], [ra["value"], ra["stderr"]], rtol=1e-9
        )
    np.testing.assert_allclose(backward["L3_L2"].values, forward["L3_L2"].values, rtol=1e-12)
    assert "film end" in [r for r in b if r["quantity"] == "interface_position"][0]["note"]


def test_a_line_from_the_electrolyte_still_finds_bulk_and_interface_ratios(both_ways):
    _, backward = both_ways
    rows = {(r["quantity"], r["element"]): r for r in analysis.rows(backward)}
    for el in ("Mn", "Co"):
        for quantity in ("L3_L2_bulk", "L3_L2_interface"):
            assert rows[(quantity, el)]["status"] == "ok", (quantity, el)
    assert float(backward["interface_position_nm"]) == pytest.approx(47.0, abs=1.0)
    assert rows[("L3_L2_interface", "Co")]["value"] > rows[("L3_L2_bulk", "Co")]["value"] + 1.0


def edx_line(line: syn.Line, rng: np.random.Generator) -> xr.Dataset:
    """The EDX composition line (at%) of the same geometry, written out with erf."""
    x = np.arange(0.0, 100.0, 1.0)
    c = 0.5 * (1 - erf((x - line.interface) / (math.sqrt(2) * line.width / syn.TEN_NINETY)))
    columns = {}
    for el in ("Ni", "Co", "Mn"):
        level = line.far.get(el, 0.0)
        columns[el] = 11.1 * (level + (1 - level) * c) + rng.normal(0, 0.25, x.size)
    columns["Ti"] = 10.0 * (1 - c) + rng.normal(0, 0.25, x.size)
    data = np.column_stack(list(columns.values()))
    return xr.Dataset(
        {"composition": (("distance", "element"), data, {"units": "percent", "long_name": "at%"})},
        coords={
            "distance": ("distance", x, {"units": "nm", "long_name": "distance"}),
            "element": (
                "element",
                np.array(list(columns), dtype=object),
                {"units": "1", "long_name": "el"},
            ),
        },
        attrs={"sample": "S", "composition_kind": "atomic_percent"},
    )


def test_eels_and_edx_place_the_interface_alike_when_co_stays_on_the_latp_side():
    """Co keeps 30 % of its film level in the electrolyte: half of the film plateau lies beyond
    the erf midpoint (~1.5-2 nm here); EDX and EELS both find it, so they register within
    their errors (the EDX midpoint alone would be ~2 nm off)."""
    line = syn.Line(far={"Co": 0.3}, ratios={"Mn": 2.0, "Co": 2.3})
    rng = np.random.default_rng(23)
    eels_fit = analysis.analyse(syn.dataset(line, rng), PARAMS)
    edx_fit = edx_analysis.analyse(edx_line(line, rng), {})
    offset = registration.register(eels_fit, edx_fit)
    assert abs(offset.value) < 3 * offset.stderr + 0.6
    midpoint = float(edx_fit["x0"].sel(element="Ni"))  # the old EDX interface: an erf centre
    assert float(edx_fit["interface_position_nm"]) - midpoint > 1.0
    assert float(eels_fit["interface_position_nm"]) - midpoint > 1.0
