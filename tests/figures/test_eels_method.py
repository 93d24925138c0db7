"""The EELS method figure: example spectra with background, Pearson steps and windows."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("MPLCONFIGDIR", "/tmp/mpl")

from interphase.demo import eels as demo  # noqa: E402
from interphase.eels import analysis  # noqa: E402
from interphase.figures import eels_method  # noqa: E402
from interphase.readers import read  # noqa: E402

SAMPLES = [
    {
        "sample": "NMC-700",
        "label": "NMC-700",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": 0.196,
    },
    {
        "sample": "NMC-900",
        "label": "NMC-900",
        "sintering_temperature_C": 900.0,
        "electrode_area_cm2": 0.196,
    },
]


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    """White-line fits of the two demo lines."""
    raw = tmp_path_factory.mktemp("raw")
    out = []
    for sample, row in zip(SAMPLES, demo.generate(raw, SAMPLES, seed=0)):
        clean = read(raw / row["file"], "eels_line")
        clean.attrs.update(sample)
        out.append(analysis.analyse(clean, {}))
    return out


def test_one_example_per_element_the_strongest(fits):
    examples = eels_method.best_examples(fits)
    assert list(examples) == ["Co", "Mn"]
    for el, (fit, j) in examples.items():
        best = max(float(np.nanmax(f["edge_snr"].sel(element=el).values)) for f in fits)
        assert float(np.nanmax(fit["edge_snr"].values[:, j])) == best
        # the example sits in the film, where the edge is strongest
        assert float(fit["example_distance"].values[j]) < float(fit["interface_position_nm"])


def test_the_continuum_drawn_is_background_plus_a_2_to_1_double_step(fits):
    fit, j = eels_method.best_examples(fits)["Co"]
    energy = fit["energy_loss"].values
    step = fit["example_continuum"].values[j] - fit["example_background"].values[j]
    l3, l2 = float(fit["l3_max"].values[j]), float(fit["l2_max"].values[j])
    below = step[(energy < l3) & np.isfinite(step)]
    middle = step[(energy >= l3) & (energy < l2)]
    above = step[(energy >= l2) & np.isfinite(step)]
    assert np.allclose(below, 0.0) and middle[0] > 0
    assert above[0] / middle[0] == pytest.approx(1.5)  # 2/3 after L3, 2/3 + 1/3 after L2


def test_figure_is_written(fits, tmp_path):
    paths = eels_method.method_figure(fits, tmp_path / "eels_method", {"Title": "method"})
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_no_edge_gives_an_empty_figure_not_an_error(tmp_path):
    assert eels_method.best_examples([]) == {}
    assert eels_method.method_figure([], tmp_path / "empty", {})[1].exists()
