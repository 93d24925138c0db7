"""Synthetic EDX lines for the tests: erf steps written out here, not taken from the analysis."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.special import erf

from interphase import datasets

X = np.arange(0.0, 121.0, 1.0)
# 10-90 % width of an erf step per sigma: 2 * sqrt(2) * erfinv(0.8) = 2 * 1.28155.
TEN_NINETY = 2.5631031310892007


def step_sigma(c_a: float, c_b: float, x0: float, sigma: float, x: np.ndarray = X) -> np.ndarray:
    """A noise-free erf step from c_a (x << x0) to c_b with standard deviation sigma."""
    return c_a + (c_b - c_a) / 2.0 * (1.0 + erf((x - x0) / (math.sqrt(2.0) * sigma)))


def step(c_a: float, c_b: float, x0: float, width: float) -> np.ndarray:
    """A noise-free erf step with the given 10-90 % width."""
    return step_sigma(c_a, c_b, x0, width / TEN_NINETY)


def asym_step(
    c_a: float, c_b: float, x0: float, sigma_left: float, sigma_right: float
) -> np.ndarray:
    """A noise-free two-sided erf step on X: sigma_left below x0, sigma_right above."""
    sigma = np.where(X < x0, sigma_left, sigma_right)
    return c_a + (c_b - c_a) / 2.0 * (1.0 + erf((X - x0) / (math.sqrt(2.0) * sigma)))


def clean_dataset(
    columns: dict[str, np.ndarray], units: str = "percent", x: np.ndarray = X
) -> xr.Dataset:
    """A clean edx_line dataset from per-element columns on X, with the common attributes."""
    elements = list(columns)
    ds = xr.Dataset(
        {
            "composition": datasets.variable(
                ("distance", "element"),
                np.column_stack([columns[e] for e in elements]),
                units,
                "composition",
            )
        },
        coords={
            "distance": datasets.variable("distance", x, "nm", "distance"),
            "element": datasets.variable("element", np.array(elements, dtype=str), "1", "element"),
        },
    )
    ds.attrs = {
        "reader": "test",
        "reader_version": "0",
        "technique": "edx_line",
        "measurement": "m1",
        "sample": "S1",
        "label": "S1",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": 0.196,
        "composition_kind": "atomic_percent" if units == "percent" else "counts",
    }
    return ds
