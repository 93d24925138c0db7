"""Registration: the EELS interface relative to the EDX interface of the same sample."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from interphase import datasets
from interphase.eels import registration


def fit(sample: str, position: float, stderr: float) -> xr.Dataset:
    """A fit dataset holding only an interface position."""
    return xr.Dataset(
        {
            "interface_position_nm": datasets.variable((), position, "nm", "interface"),
            "interface_position_nm_stderr": datasets.variable((), stderr, "nm", "stderr"),
        },
        attrs={"sample": sample},
    )


def test_offset_is_eels_minus_edx_with_errors_in_quadrature():
    offset = registration.register(fit("S", 61.5, 0.3), fit("S", 60.0, 0.4))
    assert offset.value == pytest.approx(1.5) and offset.stderr == pytest.approx(0.5)
    np.testing.assert_allclose(
        registration.to_edx_axis(np.array([0.0, 61.5]), offset), [-1.5, 60.0]
    )


def test_missing_interface_gives_nan_and_samples_must_match():
    offset = registration.register(fit("S", math.nan, math.nan), fit("S", 60.0, 0.4))
    assert math.isnan(offset.value) and math.isnan(offset.stderr)
    with pytest.raises(ValueError, match="NMC-700"):
        registration.register(fit("NMC-700", 60.0, 0.2), fit("NMC-900", 58.0, 0.2))


def test_demo_lines_register_within_their_errors():
    """The demo's EDX and EELS lines share one geometry: their interfaces agree within ~3 stderr."""
    pytest.importorskip("interphase.demo.eels")
    import tempfile
    from pathlib import Path

    from interphase.demo import edx as demo_edx
    from interphase.demo import eels as demo_eels
    from interphase.edx import analysis as edx_analysis
    from interphase.eels import analysis
    from interphase.readers import read

    samples = [
        {
            "sample": "NMC-900",
            "label": "NMC-900",
            "sintering_temperature_C": 900.0,
            "electrode_area_cm2": 0.196,
        }
    ]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        (edx_row,) = demo_edx.generate(raw, samples, seed=3)
        (eels_row,) = demo_eels.generate(raw, samples, seed=3)
        edx_fit = edx_analysis.analyse(
            read(raw / edx_row["file"], "edx_line"),
            {"film_elements": ["Ni", "Co", "Mn"], "elements": []},
        )
        eels_fit = analysis.analyse(read(raw / eels_row["file"], "eels_line"), {})
    edx_fit.attrs["sample"] = eels_fit.attrs["sample"] = "NMC-900"
    offset = registration.register(eels_fit, edx_fit)
    assert 0 < offset.stderr < 1.0
    assert abs(offset.value) < 3 * offset.stderr + 0.5
