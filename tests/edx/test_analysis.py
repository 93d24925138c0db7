"""EDX line analysis: erf fits recover known widths and interfaces; flat profiles give no width."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase.edx import analysis
from interphase.ncio import read_netcdf, write_netcdf
from tests.edx.lines import TEN_NINETY, X, asym_step, clean_dataset, step, step_sigma

PARAMS = {"film_elements": ["Ni", "Co", "Mn"], "elements": []}


def test_synthetic_profile_with_noise_recovers_sigma_and_centre():
    rng = np.random.default_rng(7)
    sigma_true, x0_true, noise = 9.0, 52.3, 0.4
    y = step_sigma(0.2, 17.5, x0_true, sigma_true) + rng.normal(0.0, noise, X.size)
    fit = analysis.analyse(clean_dataset({"P": y, "Ni": step(11.1, 0.0, 52.3, 23.0)}), PARAMS)
    sigma = float(fit["sigma"].sel(element="P"))
    sigma_err = float(fit["sigma_stderr"].sel(element="P"))
    assert abs(sigma - sigma_true) < 3 * sigma_err
    assert abs(sigma - sigma_true) / sigma_true < 0.08
    assert abs(float(fit["x0"].sel(element="P")) - x0_true) < 3 * float(
        fit["x0_stderr"].sel(element="P")
    )
    width = float(fit["interdiffusion_width"].sel(element="P"))
    assert width == pytest.approx(TEN_NINETY * sigma)
    assert float(fit["interdiffusion_width_stderr"].sel(element="P")) == pytest.approx(
        TEN_NINETY * sigma_err
    )
    assert float(fit["noise"].sel(element="P")) == pytest.approx(noise, rel=0.25)
    assert str(fit["element_status"].sel(element="P").values) == "ok"


def test_interface_is_where_the_film_metal_sum_falls_to_half():
    rng = np.random.default_rng(11)
    cols = {
        el: step(11.1, 0.0, 47.0, w) + rng.normal(0, 0.3, X.size)
        for el, w in (("Ni", 28.0), ("Co", 32.0), ("Mn", 30.0))
    }
    cols["Ti"] = step(0.0, 10.0, 47.0, 30.0) + rng.normal(0, 0.3, X.size)
    fit = analysis.analyse(clean_dataset(cols), PARAMS)
    x_if = float(fit["interface_position_nm"])
    err = float(fit["interface_position_nm_stderr"])
    assert 0 < err < 0.5
    assert abs(x_if - 47.0) < 3 * err
    half = 0.5 * float(fit["film_signal"].values[:10].mean())
    assert np.interp(-half, -fit["film_signal_fit"].values, X) == pytest.approx(x_if, abs=0.2)
    assert fit.attrs["status"] == "ok" and fit.attrs["interface_status"] == "ok"


def test_interface_is_half_the_film_plateau_when_co_stays_on_the_latp_side():
    """Co keeps 3 at% on the LATP side: the interface is where Ni+Co+Mn falls to half its film
    plateau (33.3/2), ~1.2 nm beyond the erf midpoint the first EDX analysis reported."""
    rng = np.random.default_rng(12)
    centre, width = 60.0, 30.0
    cols = {el: step(11.1, 0.0, centre, width) + rng.normal(0, 0.2, X.size) for el in ("Ni", "Mn")}
    cols["Co"] = step(11.1, 3.0, centre, width) + rng.normal(0, 0.2, X.size)
    fit = analysis.analyse(clean_dataset(cols), PARAMS)
    total = step(33.3, 3.0, centre, width)
    truth = float(np.interp(-33.3 / 2, -total, X))  # where the noise-free sum is 16.65
    assert truth - centre > 1.0
    x_if, err = float(fit["interface_position_nm"]), float(fit["interface_position_nm_stderr"])
    assert abs(x_if - truth) < 3 * err + 0.05
    assert abs(x_if - centre) > 3 * err
    assert float(fit["film_signal_far_level"]) == pytest.approx(3.0, abs=0.3)


def reverse(ds):
    """The same line recorded from the other end: spectra reversed, positions as recorded."""
    out = ds.isel(distance=slice(None, None, -1))
    return out.assign_coords(distance=("distance", ds["distance"].values, ds["distance"].attrs))


def test_a_reversed_line_gives_the_numbers_of_the_line_read_forwards():
    rng = np.random.default_rng(13)
    cols = {
        el: step(11.1, 0.0, 52.0, w) + rng.normal(0, 0.3, X.size)
        for el, w in (("Ni", 28.0), ("Co", 33.0), ("Mn", 30.0))
    }
    cols["Ti"] = step(0.0, 10.0, 52.0, 30.0) + rng.normal(0, 0.3, X.size)
    cols["P"] = step(0.0, 17.6, 52.0, 26.0) + rng.normal(0, 0.3, X.size)
    forward = clean_dataset(cols)
    backward = reverse(forward)
    assert float(backward["composition"].sel(element="Ni").values[-1]) > 5  # film at the end
    a, b = analysis.analyse(forward, PARAMS), analysis.analyse(backward, PARAMS)
    assert b.attrs["line_reversed"] == 1 and a.attrs["line_reversed"] == 0
    rows_a, rows_b = analysis.rows(a), analysis.rows(b)
    assert [(r["quantity"], r["element"], r["status"]) for r in rows_a] == [
        (r["quantity"], r["element"], r["status"]) for r in rows_b
    ]
    for ra, rb in zip(rows_a, rows_b):
        assert rb["value"] == pytest.approx(ra["value"], rel=1e-9)
        assert rb["stderr"] == pytest.approx(ra["stderr"], rel=1e-6)
    assert "film end" in [r for r in rows_b if r["quantity"] == "interface_position"][0]["note"]
    np.testing.assert_allclose(b["distance_in_file"].values, X[::-1])


def test_flat_element_gets_no_width_and_a_note():
    rng = np.random.default_rng(3)
    flat = 66.7 + rng.normal(0.0, 2.5, X.size)
    fit = analysis.analyse(
        clean_dataset(
            {"O": flat, "Ni": step(11.1, 0.0, 60.0, 30.0), "Co": step(11.1, 0.0, 60.0, 30.0)}
        ),
        PARAMS,
    )
    assert str(fit["element_status"].sel(element="O").values) == "failed"
    assert "no step" in str(fit["element_note"].sel(element="O").values)
    assert math.isnan(float(fit["interdiffusion_width"].sel(element="O")))
    assert np.all(np.isnan(fit["composition_fit"].sel(element="O").values))
    o_row = [r for r in analysis.rows(fit) if r["element"] == "O"][0]
    assert o_row["status"] == "failed" and math.isnan(o_row["value"]) and "no step" in o_row["note"]
    # a data property, not a failed measurement: the other widths keep the fit 'ok'
    assert fit.attrs["status"] == "ok"


def test_small_step_buried_in_noise_is_not_fitted_wildly():
    rng = np.random.default_rng(5)
    y = step(66.7, 70.6, 60.0, 30.0) + rng.normal(0.0, 2.6, X.size)  # O across NMC | LATP
    fit = analysis.analyse(clean_dataset({"O": y, "Ni": step(11.1, 0.0, 60.0, 30.0)}), PARAMS)
    assert str(fit["element_status"].sel(element="O").values) == "failed"


def test_rows_give_a_width_per_element_and_the_interface():
    rng = np.random.default_rng(2)
    cols = {
        "Ni": step(11.1, 0.0, 60.0, 30.0) + rng.normal(0, 0.3, X.size),
        "Ti": step(0.0, 10.0, 60.0, 30.0) + rng.normal(0, 0.3, X.size),
    }
    out = analysis.rows(analysis.analyse(clean_dataset(cols), PARAMS))
    widths = {r["element"]: r for r in out if r["quantity"] == "interdiffusion_width"}
    assert set(widths) == {"Ni", "Ti"}
    for r in widths.values():
        assert r["unit"] == "nm" and r["status"] == "ok"
        assert abs(r["value"] - 30.0) < 3 * r["stderr"]
    (iface,) = [r for r in out if r["quantity"] == "interface_position"]
    assert iface["unit"] == "nm" and iface["element"] == "" and abs(iface["value"] - 60.0) < 1.0


def test_element_selection_and_counts():
    rng = np.random.default_rng(4)
    cols = {
        "Co": rng.poisson(step(1500.0, 20.0, 40.0, 25.0)).astype(float),
        "Ti": rng.poisson(step(5.0, 900.0, 40.0, 25.0)).astype(float),
        "P": rng.poisson(step(5.0, 1200.0, 40.0, 25.0)).astype(float),
    }
    fit = analysis.analyse(
        clean_dataset(cols, units="count"),
        {"film_elements": ["Ni", "Co", "Mn"], "elements": ["Co", "Ti", "Zr"]},
    )
    assert list(fit["element"].values) == ["Co", "Ti"]
    assert fit["c_a"].attrs["units"] == "count"
    assert "Zr" in fit.attrs["status_note"]
    assert abs(float(fit["interface_position_nm"]) - 40.0) < 1.0
    w = fit["interdiffusion_width"].sel(element="Co")
    assert abs(float(w) - 25.0) < 3 * float(fit["interdiffusion_width_stderr"].sel(element="Co"))


def test_no_film_element_means_no_interface_but_widths_remain():
    cols = {"Ti": step(0.0, 10.0, 60.0, 30.0), "P": step(0.0, 17.6, 60.0, 28.0)}
    fit = analysis.analyse(clean_dataset(cols), PARAMS)
    assert fit.attrs["interface_status"] == "failed" and fit.attrs["status"] == "flagged"
    (iface,) = [r for r in analysis.rows(fit) if r["quantity"] == "interface_position"]
    assert iface["status"] == "failed" and "no film element" in iface["note"]
    assert float(fit["interdiffusion_width"].sel(element="P")) == pytest.approx(28.0, rel=1e-3)


def test_flat_everything_fails_without_raising():
    rng = np.random.default_rng(8)
    fit = analysis.analyse(
        clean_dataset({"Ni": 11 + rng.normal(0, 0.5, X.size), "Ti": rng.normal(0, 0.5, X.size)}),
        PARAMS,
    )
    assert fit.attrs["status"] == "failed"
    assert all(r["status"] == "failed" for r in analysis.rows(fit))


def test_invalid_params_raise():
    ds = clean_dataset({"Ni": step(11.1, 0.0, 60.0, 30.0), "Ti": step(0.0, 10.0, 60.0, 30.0)})
    with pytest.raises(ValueError, match="film_elements"):
        analysis.analyse(ds, {"film_elements": "Ni", "elements": []})


def test_fit_dataset_is_self_describing_and_writes_to_netcdf(tmp_path):
    rng = np.random.default_rng(9)
    cols = {
        "Ni": step(11.1, 0.0, 60.0, 30.0) + rng.normal(0, 0.2, X.size),
        "O": 66.7 + rng.normal(0, 2.0, X.size),
    }
    fit = analysis.analyse(clean_dataset(cols), PARAMS)
    for name, var in fit.variables.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    for key in ("sample", "sintering_temperature_C", "status", "status_note", "measurement"):
        assert key in fit.attrs
    for name in ("c_a", "c_b", "x0", "sigma", "interdiffusion_width", "interface_position_nm"):
        assert f"{name}_stderr" in fit
    write_netcdf(fit, tmp_path / "fit.nc")
    back = read_netcdf(tmp_path / "fit.nc")
    assert list(back["element"].values) == ["Ni", "O"]
    assert float(back["interdiffusion_width"].sel(element="Ni")) == pytest.approx(30.0, rel=0.05)
    for a, b in zip(analysis.rows(back), analysis.rows(fit), strict=True):
        assert {k: v for k, v in a.items() if k not in ("value", "stderr")} == {
            k: v for k, v in b.items() if k not in ("value", "stderr")
        }
        np.testing.assert_equal([a["value"], a["stderr"]], [b["value"], b["stderr"]])


def test_asymmetric_profile_is_fitted_two_sided_and_its_width_is_the_10_90_width():
    rng = np.random.default_rng(21)
    ni = asym_step(11.1, 0.0, 55.0, 5.0, 15.0) + rng.normal(0.0, 0.2, X.size)
    fit = analysis.analyse(clean_dataset({"Ni": ni}), PARAMS)
    assert str(fit["profile_model"].sel(element="Ni").values) == "two-sided erf"
    assert float(fit["p_asymmetric"].sel(element="Ni")) < 1e-6
    for side, truth in (("sigma_left", 5.0), ("sigma_right", 15.0)):
        value, err = (
            float(fit[side].sel(element="Ni")),
            float(fit[f"{side}_stderr"].sel(element="Ni")),
        )
        assert abs(value - truth) < 3 * err and abs(value - truth) < 0.1 * truth
    width = float(fit["interdiffusion_width"].sel(element="Ni"))
    assert width == pytest.approx(
        1.2816 * 20.0, rel=0.05
    )  # 10 % at x0 - 1.2816*5, 90 % at x0 + 1.2816*15
    (row,) = [r for r in analysis.rows(fit) if r["quantity"] == "interdiffusion_width"]
    assert "two-sided erf" in row["note"] and row["status"] == "ok"
    # the fitted curve follows the two-sided model
    assert (
        np.max(
            np.abs(
                fit["composition_fit"].sel(element="Ni").values
                - asym_step(11.1, 0.0, 55.0, 5.0, 15.0)
            )
        )
        < 0.3
    )


def test_symmetric_profile_keeps_the_erf_and_the_model_can_be_forced():
    rng = np.random.default_rng(26)
    ti = step(0.0, 10.0, 60.0, 30.0) + rng.normal(0.0, 0.3, X.size)
    auto = analysis.analyse(clean_dataset({"Ti": ti}), PARAMS)
    assert str(auto["profile_model"].sel(element="Ti").values) == "erf"
    assert (
        float(auto["p_asymmetric"].sel(element="Ti")) > 0.01
    )  # false positives: ~1 % of noise draws (p threshold 0.01)
    assert float(auto["sigma_left"].sel(element="Ti")) == float(
        auto["sigma_right"].sel(element="Ti")
    )
    forced = analysis.analyse(clean_dataset({"Ti": ti}), {**PARAMS, "profile_model": "asymmetric"})
    assert str(forced["profile_model"].sel(element="Ti").values) == "two-sided erf"
    w, e = (
        float(forced["interdiffusion_width"].sel(element="Ti")),
        float(forced["interdiffusion_width_stderr"].sel(element="Ti")),
    )
    assert abs(w - 30.0) < 3 * e
    rng = np.random.default_rng(23)
    skewed = asym_step(11.1, 0.0, 55.0, 5.0, 15.0) + rng.normal(0.0, 0.2, X.size)
    never = analysis.analyse(
        clean_dataset({"Ni": skewed}), {**PARAMS, "profile_model": "symmetric"}
    )
    assert str(never["profile_model"].sel(element="Ni").values) == "erf"


def test_invalid_model_and_broadening_params_raise():
    ds = clean_dataset({"Ni": step(11.1, 0.0, 60.0, 30.0)})
    with pytest.raises(ValueError, match="profile_model"):
        analysis.analyse(ds, {**PARAMS, "profile_model": "skewed"})
    with pytest.raises(ValueError, match="probe_fwhm_nm"):
        analysis.analyse(ds, {**PARAMS, "probe_fwhm_nm": -1.0})
    with pytest.raises(ValueError, match="specimen_material"):
        analysis.analyse(ds, {**PARAMS, "specimen_thickness_nm": 50.0, "specimen_material": "Cu"})
