"""The EIS comparison figures: Nyquist panels per sample and R_ct × area against potential."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from PIL import Image

from interphase import datasets
from interphase.demo import eis as demo
from interphase.eis import analysis
from interphase.figures import eis as figure
from interphase.figures.style import SINGLE_COLUMN_IN, temperature_colors

SAMPLES = {
    "NMC-700": {
        "sample": "NMC-700",
        "label": "NMC-700",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": 0.196,
    },
    "NMC-900": {
        "sample": "NMC-900",
        "label": "NMC-900",
        "sintering_temperature_C": 900.0,
        "electrode_area_cm2": 0.196,
    },
}


def demo_fit(sample: str, potential: float, seed: int = 0) -> xr.Dataset:
    """The fit of one demo spectrum (generated in memory, as in the demo files)."""
    f = demo.frequencies()
    z = demo.noisy(demo.model(demo.TRUTH[sample][potential], f), np.random.default_rng(seed))
    clean = xr.Dataset(
        {
            "z_real": datasets.variable("frequency", z.real, "ohm", "re"),
            "z_imag": datasets.variable("frequency", z.imag, "ohm", "im"),
        },
        coords={"frequency": datasets.variable("frequency", f, "Hz", "frequency")},
        attrs={
            **SAMPLES[sample],
            "measurement": f"{sample}_eis_{potential}V",
            "dc_potential_V": potential,
        },
    )
    return analysis.analyse(clean, {})


@pytest.fixture(scope="module")
def fits() -> list[xr.Dataset]:
    """NMC-900 first (not temperature order), two potentials each, and one failed fit."""
    out = [
        demo_fit("NMC-900", 4.0),
        demo_fit("NMC-900", 3.6),
        demo_fit("NMC-700", 4.0),
        demo_fit("NMC-700", 3.6),
    ]
    failed = out[0].copy()
    failed.attrs = {**failed.attrs, "status": "failed", "status_note": "test"}
    return out + [failed.drop_vars(["z_real_model", "z_imag_model"])]


def test_fits_grouped_by_sample_in_temperature_and_potential_order(fits):
    groups = figure.by_sample(figure.usable(fits))
    assert [[f.attrs["measurement"] for f in g] for g in groups] == [
        ["NMC-700_eis_3.6V", "NMC-700_eis_4.0V"],
        ["NMC-900_eis_3.6V", "NMC-900_eis_4.0V"],
    ]
    assert figure.common_potential(groups) == 4.0


def test_potential_shades_run_from_light_to_the_temperature_colour():
    color = temperature_colors([700.0])[700.0]
    tones = figure.shades(color, 4)
    assert np.allclose(tones[-1], color[:3])
    assert sum(tones[0]) > sum(tones[-1])  # lighter first


def test_panels_have_equal_aspect_boxes_of_sensible_height(fits):
    for group in figure.by_sample(figure.usable(fits)):
        assert 0.2 < figure.aspect(group) < 0.8


def test_nyquist_overlay_writes_pdf_and_single_column_png(fits, tmp_path):
    paths = figure.nyquist_overlay(fits, tmp_path / "eis_nyquist", {"Title": "test"})
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    assert all(p.stat().st_size > 1000 for p in paths)
    width, height = Image.open(tmp_path / "eis_nyquist.png").size
    assert width == pytest.approx(SINGLE_COLUMN_IN * 300, abs=3)
    assert 1.0 < height / width < 2.5  # three stacked panels


def test_rct_vs_potential_writes_files_and_skips_failed_fits(fits, tmp_path):
    flagged = fits[2].copy()
    flagged.attrs = {**flagged.attrs, "status": "flagged", "dc_potential_V": 4.2}
    paths = figure.rct_vs_potential([*fits, flagged], tmp_path / "eis_rct", {})
    assert (tmp_path / "eis_rct.png").is_file() and len(paths) == 2


def test_no_fits_still_gives_a_figure(tmp_path):
    assert len(figure.nyquist_overlay([], tmp_path / "empty_nyquist", {})) == 2
    assert len(figure.rct_vs_potential([], tmp_path / "empty_rct", {})) == 2


def test_potential_labels():
    assert figure.volts(4.0) == "4.0" and figure.volts(3.65) == "3.65"
    assert not math.isnan(float(figure.volts(3.6)))
