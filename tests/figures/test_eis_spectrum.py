"""The per-spectrum EIS figure: four panels, readable at column width, failed fits drawn too."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from interphase.figures import eis_spectrum as figure
from interphase.figures.style import SINGLE_COLUMN_IN
from tests.figures.test_eis import demo_fit


@pytest.fixture(scope="module")
def fit_900():
    """The NMC-900 spectrum at 4.0 V, fitted."""
    return demo_fit("NMC-900", 4.0)


def test_writes_pdf_and_png_at_single_column_width(fit_900, tmp_path):
    paths = figure.spectrum_figure(fit_900, tmp_path / "NMC-900_eis_4.0V", {"Title": "t"})
    assert sorted(p.suffix for p in paths) == [".pdf", ".png"]
    with Image.open(tmp_path / "NMC-900_eis_4.0V.png") as png:
        width_in = png.size[0] / png.info["dpi"][0]
    assert width_in == pytest.approx(SINGLE_COLUMN_IN, rel=0.02)


def test_four_labelled_panels_with_the_drt_under_the_nyquist_plot(fit_900, tmp_path, monkeypatch):
    captured = {}
    monkeypatch.setattr(
        figure, "save_figure", lambda fig, stem, metadata: captured.setdefault("fig", fig) and []
    )
    figure.spectrum_figure(fit_900, tmp_path / "x", {})
    fig = captured["fig"]
    main = [ax for ax in fig.axes if ax.get_xlabel()]  # the phase twin axis has no x label
    labels = [ax.get_xlabel() for ax in main]
    assert labels == ["Z′ × A (kΩ cm²)", "τ (s)", "f (Hz)", "f (Hz)"]
    nyquist, drt = main[0], main[1]
    assert nyquist.get_position().y0 > drt.get_position().y1  # DRT under the Nyquist plot
    assert nyquist.get_aspect() == 1.0  # equal axes
    texts = [t.get_text() for t in drt.texts]
    assert any(t.endswith("ms") for t in texts)  # the R_ct peak (~0.13 s) labelled with its τ
    legend_title = nyquist.get_legend().get_title().get_text()
    assert "114" in legend_title and "Ω cm²" in legend_title


def test_failed_fit_gives_a_figure_with_the_reason(tmp_path):
    import xarray as xr

    ds = xr.Dataset(
        attrs={"status": "failed", "status_note": "only 5 points", "sintering_temperature_C": 700.0}
    )
    paths = figure.spectrum_figure(ds, tmp_path / "failed", {})
    assert all(p.exists() for p in paths)


@pytest.mark.parametrize(
    "tau, text", [(1.1e-6, "1.1 µs"), (3.5e-4, "350 µs"), (0.131, "131 ms"), (11.0, "11 s")]
)
def test_time_constants_read_without_exponents(tau, text):
    assert figure.seconds(tau) == text.replace(" ", " ")


def test_numbers_with_thin_space_thousands():
    assert figure.number(114200.0, 3) == "114\u2009200"
    assert np.isclose(float(figure.number(0.62)), 0.62)
