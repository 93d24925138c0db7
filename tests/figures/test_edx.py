"""The EDX comparison figure: one panel per temperature, profiles aligned at the interface."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("MPLCONFIGDIR", "/tmp/mpl")

from interphase.demo import edx as demo  # noqa: E402
from interphase.edx import analysis as edx_analysis  # noqa: E402
from interphase.figures import edx  # noqa: E402
from interphase.readers import edx_table  # noqa: E402

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
    """Fit datasets of the demo line scans (listed hottest first, to check the ordering)."""
    raw = tmp_path_factory.mktemp("raw")
    out = []
    for sample, row in zip(SAMPLES, demo.generate(raw, SAMPLES, seed=0)):
        clean = edx_table.read(raw / row["file"], "edx_line")
        clean.attrs.update({k: sample[k] for k in ("sample", "label", "sintering_temperature_C")})
        out.append(
            edx_analysis.analyse(clean, {"film_elements": ["Ni", "Co", "Mn"], "elements": []})
        )
    return out


def test_writes_pdf_and_png(fits, tmp_path):
    paths = edx.edx_profiles(fits, tmp_path / "edx_profiles", {"Title": "EDX"})
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    assert all(p.stat().st_size > 10_000 for p in paths)
    assert paths[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_oxygen_gets_its_own_row(fits):
    assert edx.major_elements(fits, edx.ordered_elements(fits)) == ["O"]


def test_element_colours_are_fixed_and_distinct():
    colors = edx.element_colors(["Ni", "Co", "Mn", "O", "Ti", "P", "Al", "Zr"])
    assert colors["Co"] == edx.ELEMENT_COLORS["Co"]
    assert len(set(colors.values())) == 8


def test_band_is_the_mean_transition_metal_width(fits):
    for fit in fits:
        width, err = edx.mean_film_width(fit)
        expected = np.mean(
            [float(fit["interdiffusion_width"].sel(element=e)) for e in ("Ni", "Co", "Mn")]
        )
        assert width == pytest.approx(expected)
        assert 0 < err < 2.0 and abs(width - 30.0) < 3.0


def test_band_text_includes_the_corrected_width_when_configured(fits):
    assert all(
        np.isnan(edx.mean_film_width(fit, "interdiffusion_width_corrected")[0]) for fit in fits
    )
    fit = fits[0].copy()
    fit["interdiffusion_width_corrected"] = fit["interdiffusion_width"] - 1.0
    fit["interdiffusion_width_corrected_stderr"] = fit["interdiffusion_width_stderr"]
    assert edx.mean_film_width(fit, "interdiffusion_width_corrected")[0] == pytest.approx(
        edx.mean_film_width(fit)[0] - 1.0
    )
