"""The overview figure plots exactly the summary's numbers."""

from __future__ import annotations

import matplotlib.collections as mcoll
import numpy as np
import pandas as pd
import pytest

from interphase import summary
from interphase.figures.overview import build_overview, overview


def summary_frame() -> pd.DataFrame:
    """A small summary with known numbers for two temperatures."""
    rows = []

    def add(
        sample,
        temperature,
        technique,
        quantity,
        value,
        stderr=None,
        element="",
        potential=None,
        status="ok",
    ):
        rows.append(
            {
                "sample": sample,
                "sintering_temperature_C": temperature,
                "technique": technique,
                "measurement": f"{sample}_{technique}",
                **summary.row(
                    quantity,
                    value,
                    "1",
                    stderr=stderr,
                    element=element,
                    potential_V=potential,
                    status=status,
                ),
            }
        )

    for sample, t, rct, width, co_bulk, co_if, n_imp in (
        ("A", 700.0, 315.0, 29.0, 2.3, 2.25, 0),
        ("B", 900.0, 114000.0, 31.0, 2.3, 3.3, 4),
    ):
        add(sample, t, "eis", "R_ct_area", rct, rct * 0.01, potential=4.0)
        add(sample, t, "eis", "R_ct_area", rct * 2, rct * 0.02, potential=3.6)
        for element, offset in (("Ni", -1.0), ("Co", 0.0), ("Mn", 1.0)):
            add(sample, t, "edx_line", "interdiffusion_width", width + offset, 0.5, element=element)
        add(sample, t, "edx_line", "interdiffusion_width", None, element="O", status="failed")
        add(sample, t, "eels_line", "L3_L2_bulk", co_bulk, 0.02, element="Co")
        add(sample, t, "eels_line", "L3_L2_interface", co_if, 0.1, element="Co")
        add(sample, t, "xrd", "n_impurity_peaks", n_imp)
    return summary.to_frame(rows)


def scatter_points(ax) -> np.ndarray:
    """All scatter offsets of an axes, as (x, y) rows."""
    points = [c.get_offsets() for c in ax.collections if isinstance(c, mcoll.PathCollection)]
    return np.vstack(points) if points else np.empty((0, 2))


def test_the_overview_plots_the_summary_values():
    fig = build_overview(summary_frame())
    ax_rct, ax_width, ax_ratio, ax_xrd = fig.axes
    rct = {tuple(p) for p in np.round(scatter_points(ax_rct), 6)}
    assert rct == {(700.0, 315.0), (900.0, 114000.0), (700.0, 630.0), (900.0, 228000.0)}
    assert ax_rct.get_yscale() == "log"
    width = scatter_points(ax_width)
    assert list(width[:, 1]) == pytest.approx([29.0, 31.0])  # mean of Ni, Co, Mn; failed O ignored
    ratio = scatter_points(ax_ratio)
    assert list(ratio[:, 1]) == pytest.approx([-0.05, 1.0])
    heights = [patch.get_height() for patch in ax_xrd.patches]
    assert heights == [0.0, 4.0]
    assert ax_xrd.get_xlabel() == "sintering temperature (°C)"


def test_the_overview_is_written_as_pdf_and_png(tmp_path):
    written = overview(summary_frame(), tmp_path / "overview", {"git_commit": "abc"})
    assert [p.suffix for p in written] == [".pdf", ".png"]
    assert all(p.stat().st_size > 5000 for p in written)
