"""The CV comparison figure: every sample drawn, weak ones magnified, files written."""

from __future__ import annotations

import pytest
from PIL import Image

from interphase import readers
from interphase.cv import analysis
from interphase.demo import cv as demo
from interphase.figures import cv as figure

SAMPLES = [
    {
        "sample": "NMC-900",
        "label": "NMC-900",
        "sintering_temperature_C": 900.0,
        "electrode_area_cm2": 0.196,
    },
    {
        "sample": "NMC-700",
        "label": "NMC-700",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": 0.196,
    },
]


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    """Fits of the two demo CVs, in the order NMC-900, NMC-700 (not temperature order)."""
    raw = tmp_path_factory.mktemp("raw")
    out = []
    for row in sorted(demo.generate(raw, SAMPLES, 0), key=lambda r: r["sample"], reverse=True):
        clean = readers.read(raw / row["file"], "cv")
        clean.attrs.update(next(s for s in SAMPLES if s["sample"] == row["sample"]))
        out.append(analysis.analyse(clean, {}))
    return out


def test_samples_are_ordered_by_temperature_and_the_flat_one_is_magnified(fits):
    good = figure.usable(fits)
    assert [f.attrs["sample"] for f in good] == ["NMC-700", "NMC-900"]
    assert [f.attrs["sample"] for f in figure.magnified(good)] == ["NMC-900"]
    # the 700 °C film's peaks are ~20 uA cm-2, the 900 °C film's current a few uA cm-2
    assert figure.span(good[0]) > 4 * figure.span(good[1])


def test_no_panel_is_magnified_when_all_samples_are_alike(fits):
    assert figure.magnified([fits[1], fits[1]]) == []


def test_figure_files_are_written_with_metadata(fits, tmp_path):
    paths = figure.cv_overlay(
        fits, tmp_path / "cv_overlay", {"Title": "CV", "interphase_version": "test"}
    )
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert paths[0].read_bytes().startswith(b"%PDF")
    with Image.open(paths[1]) as png:
        assert png.width > 900  # 85 mm at 300 dpi
        assert png.height > png.width  # two stacked panels
        assert png.text["interphase_version"] == "test"


def test_failed_fits_are_skipped_and_an_empty_list_still_draws(fits, tmp_path):
    failed = fits[0].copy()
    failed.attrs["status"] = "failed"
    paths = figure.cv_overlay([failed, fits[1]], tmp_path / "one", {})
    assert all(p.stat().st_size > 0 for p in paths)
    with Image.open(paths[1]) as png:
        assert png.height < png.width  # one panel only
    assert all(p.exists() for p in figure.cv_overlay([], tmp_path / "none", {}))


def test_the_magnified_panel_says_how_large_an_absent_peak_would_have_had_to_be(fits):
    text = figure.zoom_text([fits[0]], 12.0)
    assert text.startswith("NMC-900 magnified (×12)\nno redox peaks (detection limit 1.1 mC cm")


def test_unpaired_peaks_are_marked_open_and_couples_filled():
    from tests.cv import simulate as sim

    protocol = sim.Protocol(e_low=3.2, e_high=4.8)
    couple = sim.Couple(charge=3e-3, k_s=1e-8, k_chem_red=2e-3)
    lonely = analysis.analyse(sim.simulate(sim.Cell(protocol=protocol, couples=(couple,)), 3), {})
    [(name, potential, height, unpaired)] = figure.marked_peaks(lonely)
    assert name == "E_pa" and unpaired and height > 0
    assert potential == pytest.approx(float(lonely["peak_potential"][0]), abs=1e-9)
    paired = analysis.analyse(sim.simulate(sim.Cell(couples=(sim.Couple(k_s=0.02),)), 3), {})
    assert [(p[0], p[3]) for p in figure.marked_peaks(paired)] == [
        ("E_pa", False),
        ("E_pc", False),
    ]
