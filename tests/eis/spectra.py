"""Spectra for the EIS tests: demo-circuit spectra with known parameters, as clean datasets.

Spectra come from interphase.demo.eis (its circuit written out independently of
impedance.py) with Gaussian noise; ``corpus_spectrum`` evaluates the default circuit as the
benchmark's corpus does.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.defaults import schema_defaults
from interphase.demo import eis as demo
from interphase.eis.circuit import compile_circuit

AREA = 0.196
SAMPLES = [
    {
        "sample": "NMC-700",
        "label": "NMC-700",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": AREA,
    },
    {
        "sample": "NMC-900",
        "label": "NMC-900",
        "sintering_temperature_C": 900.0,
        "electrode_area_cm2": AREA,
    },
]
DEFAULTS = schema_defaults("eis")


def clean(f, z, area=AREA, potential=4.0) -> xr.Dataset:
    """A clean eis dataset from arrays, with the attributes the workflow adds."""
    return xr.Dataset(
        {
            "z_real": datasets.variable("frequency", np.real(z), "ohm", "real part"),
            "z_imag": datasets.variable("frequency", np.imag(z), "ohm", "imaginary part"),
        },
        coords={"frequency": datasets.variable("frequency", f, "Hz", "frequency")},
        attrs={
            "sample": "S",
            "measurement": "S_eis",
            "technique": "eis",
            "electrode_area_cm2": area,
            "sintering_temperature_C": 700.0,
            "dc_potential_V": potential,
        },
    )


def spectrum(
    rct_area: float,
    apex_Hz: float,
    seed: int,
    base: str = "NMC-700",
    noise: float = demo.NOISE_FRACTION,
):
    """A noisy demo-circuit spectrum with R_ct × area and the Rct arc apex chosen."""
    p = dict(demo.TRUTH[base][4.0])
    p["R2"] = rct_area / AREA
    p["CPE2_0"] = 1.0 / (p["R2"] * (2 * math.pi * apex_Hz) ** p["CPE2_1"])
    f = demo.frequencies()
    return f, demo.noisy(demo.model(p, f), np.random.default_rng(seed), noise)


def corpus_spectrum(params: dict, f_min: float, f_max: float, noise: float, seed: int | list[int]):
    """A spectrum of the default circuit (10 points a decade) with proportional Gaussian noise."""
    f = np.logspace(
        math.log10(f_max), math.log10(f_min), int(round(10 * math.log10(f_max / f_min))) + 1
    )
    z = compile_circuit(demo.CIRCUIT)(f, [params[n] for n in demo.PARAM_NAMES])
    rng = np.random.default_rng(seed)
    return f, z + noise * np.abs(z) * (
        rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size)
    )
