"""The dataset builders of interphase.datasets: what a reader gets back is the documented layout."""

from __future__ import annotations

import math

import numpy as np
import pytest

from interphase import datasets
from interphase.errors import LayoutError

# A resistor R0 in series with R || C: Z = R0 + R / (1 + j w R C); its arc has Im(Z) < 0.
R0, R, C = 10.0, 100.0, 1e-6
FREQ = np.logspace(5, -1, 13)  # 100 kHz -> 0.1 Hz, high to low as measured
Z = R0 + R / (1 + 1j * 2 * np.pi * FREQ * R * C)


def spectrum(**kwargs):
    """The RC spectrum built with eis_dataset and minimal reader attributes."""
    attrs = {"reader": "test", "reader_version": "1", **kwargs.pop("attrs", {})}
    return datasets.eis_dataset(FREQ, Z.real, Z.imag, attrs, **kwargs)


def test_eis_dataset_is_the_documented_layout_with_values_as_given():
    ds = spectrum(attrs={"dc_potential_V": 4.0})
    datasets.validate(ds, "eis")
    assert list(ds.data_vars) == ["z_real", "z_imag"]
    assert ds["frequency"].values.tolist() == FREQ.tolist()
    assert ds["z_real"].values[0] == pytest.approx(R0 + R / (1 + (2 * np.pi * 1e5 * R * C) ** 2))
    assert ds["z_real"].values[-1] == pytest.approx(R0 + R, rel=1e-6)  # 0.1 Hz: the arc is closed
    assert np.all(ds["z_imag"].values < 0)  # capacitive arc, true sign
    # At 1 kHz (w R C = 0.628): -Im(Z) = R w R C / (1 + (w R C)^2) = 45.05 ohm, near the apex R/2.
    assert -ds["z_imag"].sel(frequency=1e3).item() == pytest.approx(45.0477, rel=1e-4)
    assert ds.attrs["dc_potential_V"] == 4.0


def test_eis_dataset_units_long_names_and_sign_attribute():
    ds = spectrum()
    assert {n: ds[n].attrs["units"] for n in ("frequency", "z_real", "z_imag")} == {
        "frequency": "Hz",
        "z_real": "ohm",
        "z_imag": "ohm",
    }
    assert ds["frequency"].attrs["long_name"] == "frequency of the AC perturbation"
    assert ds["z_real"].attrs["long_name"] == "real part of the impedance"
    assert ds["z_imag"].attrs["long_name"] == "imaginary part of the impedance"
    assert ds.attrs["z_imag_sign"] == datasets.Z_IMAG_SIGN


def test_eis_dataset_dc_potential_is_nan_when_the_reader_does_not_know_it():
    ds = spectrum()
    assert math.isnan(ds.attrs["dc_potential_V"])
    datasets.validate(ds, "eis")


def test_eis_dataset_time_and_extra_variables():
    time = np.arange(FREQ.size) * 2.5
    extra = {
        "z_modulus": datasets.variable("frequency", np.abs(Z), "ohm", "modulus of the impedance")
    }
    ds = spectrum(time=time, time_long_name="time since the start of the sweep", extra=extra)
    datasets.validate(ds, "eis")
    assert list(ds.data_vars) == ["z_real", "z_imag", "time", "z_modulus"]
    assert ds["time"].values.tolist() == time.tolist()
    assert ds["time"].attrs == {"units": "s", "long_name": "time since the start of the sweep"}
    assert ds["z_modulus"].values[-1] == pytest.approx(R0 + R, rel=1e-6)


def test_eis_dataset_leaves_the_callers_attrs_alone():
    attrs = {"reader": "test", "reader_version": "1"}
    datasets.eis_dataset(FREQ, Z.real, Z.imag, attrs)
    assert attrs == {"reader": "test", "reader_version": "1"}


def test_eis_dataset_does_not_hide_a_wrong_order_from_validate():
    ds = datasets.eis_dataset(
        FREQ[::-1], Z.real[::-1], Z.imag[::-1], {"reader": "test", "reader_version": "1"}
    )
    with pytest.raises(LayoutError, match="not strictly decreasing"):
        datasets.validate(ds, "eis")


# --- eis_from_rows: a record in acquisition order, one sweep or several ------------------


def rows(freq, z, **kwargs):
    """EisRows of frequencies and complex impedances, placed on lines 2, 3, ..."""
    freq = np.asarray(freq, dtype=float)
    places = [f"line {i + 2}" for i in range(freq.size)]
    return datasets.EisRows(freq, np.real(z), np.imag(z), places, **kwargs)


def test_rows_in_acquisition_order_become_the_layout_with_dc_rows_counted():
    freq = np.concatenate([[0.0], FREQ[::-1]])  # a DC row, then low to high as some write
    z = np.concatenate([[R0 + R], Z[::-1]])
    ds = datasets.eis_from_rows("x.csv", rows(freq, z), {"reader": "t", "reader_version": "1"})
    datasets.validate(ds, "eis")
    assert ds["frequency"].values.tolist() == FREQ.tolist()
    np.testing.assert_allclose(ds["z_imag"].values, Z.imag)
    assert ds.attrs["dc_rows_dropped"] == 1 and datasets.QUALITY_NOTE not in ds.attrs


def test_a_repeated_identical_row_is_dropped_and_sweeps_restart_at_the_top():
    freq = np.concatenate([FREQ, FREQ[-1:], FREQ, FREQ[:5]])
    z = np.concatenate([Z, Z[-1:], 2 * Z, 3 * Z[:5]])
    ds = datasets.eis_from_rows("x.csv", rows(freq, z), {"reader": "t", "reader_version": "1"})
    datasets.validate(ds, "eis")
    assert ds["sweep_points"].values.tolist() == [13, 13, 5]
    assert ds["sweep_complete"].values.tolist() == [1, 1, 0]
    assert ds.attrs["sweep_starts"] == "line 2, line 16, line 29"
    np.testing.assert_allclose(ds["z_real"].values[1], 2 * Z.real)


def test_the_sweeps_variant_is_validated_row_by_row():
    freq = np.concatenate([FREQ, FREQ])
    z = np.concatenate([Z, Z])
    ds = datasets.eis_from_rows("x.csv", rows(freq, z), {"reader": "t", "reader_version": "1"})
    values = ds["frequency"].values.copy()
    values[1, 4] = np.nan  # a gap inside a sweep
    broken = ds.assign(frequency=(("sweep", "point"), values, ds["frequency"].attrs))
    with pytest.raises(LayoutError, match="'frequency' row 1 is not strictly decreasing then NaN"):
        datasets.validate(broken, "eis")


def test_the_reader_quality_note_and_the_area_check_flag_the_clean_dataset():
    attrs = datasets.add_quality_note({}, "2 rows with non-finite values dropped: line 4, line 9")
    assert datasets.clean_status(attrs, {}) == {
        "clean_status": "flagged",
        "clean_status_note": "2 rows with non-finite values dropped: line 4, line 9",
    }
    area = {"clean_status": "flagged", "clean_status_note": "electrode area differs"}
    merged = datasets.clean_status(attrs, area)["clean_status_note"]
    assert merged == "2 rows with non-finite values dropped: line 4, line 9; electrode area differs"
    assert datasets.clean_status({}, {}) == {}
