"""Fixtures of the EIS tests: the demo study's spectra, written, read back and fitted once."""

from __future__ import annotations

import pytest
import xarray as xr

from interphase.demo import eis as demo
from interphase.eis import analysis
from interphase.readers import read
from tests.eis.spectra import DEFAULTS, SAMPLES


@pytest.fixture(scope="session")
def demo_fits(tmp_path_factory) -> list[tuple[dict, xr.Dataset]]:
    """Every demo spectrum written, read back with format detection and fitted."""
    raw = tmp_path_factory.mktemp("raw")
    out = []
    for row in demo.generate(raw, SAMPLES, seed=7):
        ds = read(raw / row["file"], "eis")
        sample = next(s for s in SAMPLES if s["sample"] == row["sample"])
        ds.attrs.update(sample)
        ds.attrs.update({"measurement": row["measurement"], "technique": "eis"})
        out.append((row, analysis.analyse(ds, DEFAULTS)))
    return out
