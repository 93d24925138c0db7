"""The EELS comparison figure: L3/L2 profiles of both demo samples."""

from __future__ import annotations

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.figures import eels as figure


def fake_fit(temperature: float, co_ratio: np.ndarray) -> xr.Dataset:
    """The parts of a white-line fit the figure reads."""
    x = np.arange(0.0, 90.0, 3.0)
    ratio = np.column_stack([co_ratio, np.full(x.size, 2.0)])
    ratio[x > 75] = np.nan
    de = ("distance", "element")
    return xr.Dataset(
        {
            "L3_L2": datasets.variable(de, ratio, "1", "L3/L2"),
            "L3_L2_stderr": datasets.variable(de, 0.05 * ratio, "1", "stderr"),
            "L3_L2_bulk": datasets.variable("element", [2.3, 2.0], "1", "bulk"),
            "interface_position_nm": datasets.variable((), 50.0, "nm", "interface"),
        },
        coords={
            "distance": datasets.variable("distance", x, "nm", "distance"),
            "element": datasets.variable(
                "element", np.array(["Mn", "Co"][::-1], dtype=object), "1", "element"
            ),
        },
        attrs={
            "sintering_temperature_C": temperature,
            "label": f"S{temperature:g}",
            "interface_window_nm": 5.0,
            "bulk_distance_nm": 20.0,
        },
    )


def test_profiles_figure_has_a_panel_per_element_and_is_saved(tmp_path):
    x = np.arange(0.0, 90.0, 3.0)
    fits = [
        fake_fit(900.0, 2.3 + 1.4 * np.exp(-0.5 * ((x - 50) / 5) ** 2)),
        fake_fit(700.0, np.full(x.size, 2.3)),
    ]
    assert figure.panel_elements(fits) == ["Co", "Mn"]
    paths = figure.l3l2_profiles(fits, tmp_path / "eels_l3l2_profiles", {"Title": "test"})
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert all(p.stat().st_size > 5000 for p in paths)


def test_y_limits_ignore_one_wild_point():
    values = [np.r_[np.full(40, 2.3), 3.7, 40.0]]
    errors = [np.r_[np.full(40, 0.1), 0.3, 30.0]]
    lo, hi = figure._y_limits(values, errors)
    assert lo < 2.3 and 3.7 < hi < 5.0


def test_fits_without_interface_still_give_a_figure(tmp_path):
    fit = fake_fit(700.0, np.full(30, 2.3))
    fit["interface_position_nm"] = datasets.variable((), np.nan, "nm", "interface")
    paths = figure.l3l2_profiles([fit], tmp_path / "f", {})
    assert paths[1].exists()


def test_valence_axis_maps_ratios_through_the_standards(tmp_path):
    fit = fake_fit(900.0, np.full(30, 2.3))
    fit["standard_ratio"] = datasets.variable(
        ("element", "standard"), [[4.8, 2.4, np.nan], [4.0, 2.7, 1.9]], "1", "ratio"
    )
    fit["standard_valence"] = datasets.variable(
        ("element", "standard"), [[2.0, 3.0, np.nan], [2.0, 3.0, 4.0]], "1", "valence"
    )
    ratios, valences = figure.standards([fit], "Mn")
    np.testing.assert_allclose(ratios, [1.9, 2.7, 4.0])
    np.testing.assert_allclose(valences, [4.0, 3.0, 2.0])
    # halfway between MnO2 and Mn2O3, and extrapolated below MnO2 along the same segment
    np.testing.assert_allclose(figure._piecewise([2.3, 1.5], ratios, valences), [3.5, 4.5])
    assert figure.standards([fake_fit(700.0, np.full(30, 2.3))], "Mn") is None
    paths = figure.l3l2_profiles([fit], tmp_path / "with_valence", {})
    assert paths[1].stat().st_size > 5000


def test_thickness_panel_and_open_circles_for_positions_left_out(tmp_path):
    x = np.arange(0.0, 90.0, 3.0)
    fit = fake_fit(900.0, np.full(x.size, 2.3))
    tau = np.where(x < 12.0, 0.7, 0.3)
    fit["t_over_lambda"] = datasets.variable("distance", tau, "1", "t/λ")
    fit["t_over_lambda_stderr"] = datasets.variable("distance", 0.01 * tau, "1", "stderr")
    fit["used_in_means"] = datasets.variable("distance", (tau <= 0.5).astype(np.int8), "1", "used")
    fit.attrs["max_t_over_lambda"] = 0.5
    assert figure.has_thickness([fit]) and not figure.has_thickness(
        [fake_fit(700.0, np.full(x.size, 2.3))]
    )
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    figure.draw_ratios(ax, fit, "Co", x - 50.0, "C0", 0.0)
    open_markers = [line for line in ax.lines if line.get_markerfacecolor() == "white"]
    assert len(open_markers) == 1 and len(open_markers[0].get_xdata()) == 4  # x = 0, 3, 6, 9
    plt.close(fig)
    paths = figure.l3l2_profiles([fit], tmp_path / "with_thickness", {})
    assert paths[1].stat().st_size > 5000
