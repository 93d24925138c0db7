"""The variables of the EIS fit dataset, each with units and long_name.

Every function returns plain ``{name: xr.Variable}`` dictionaries (and coordinates); the
entry module (:mod:`interphase.eis.analysis`) builds the dataset from them once, which
is ~10 times faster than adding sixty variables to an ``xr.Dataset`` one by one.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.eis import drt as drt_module
from interphase.eis.circuit import parameter_names, predict
from interphase.eis.lin_kk import KKResult
from interphase.eis.selection import CircuitFit

Variables = dict[str, xr.Variable]
# impedance.py's unit strings -> UDUNITS (CF conventions) for the fit dataset.
UNITS = {
    "Ohm": "ohm",
    "Ohm^-1 sec^a": "ohm-1 s^n",
    "": "1",
    "F": "F",
    "H": "H",
    "Ohm sec^-1/2": "ohm s-1/2",
    "sec": "s",
}
# Points a decade of the dense model curve drawn in the figures.
MODEL_POINTS_PER_DECADE = 20


def scalar(value: float, units: str, long_name: str) -> xr.Variable:
    """A 0-d variable with units and long_name."""
    return datasets.variable((), float(value), units, long_name)


def along(dim: str, values: np.ndarray, units: str, long_name: str) -> xr.Variable:
    """A 1-d variable along ``dim`` with units and long_name."""
    return datasets.variable(dim, values, units, long_name)


def assemble(variables: Variables, coords: Variables, attrs: dict) -> xr.Dataset:
    """The dataset of all variables and coordinates, built at once."""
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs = attrs
    return ds


def measured(f: np.ndarray, z: np.ndarray) -> tuple[Variables, Variables]:
    """The measured impedance and its frequency coordinate."""
    variables = {
        "z_real": along("frequency", z.real, "ohm", "measured real part of the impedance"),
        "z_imag": along("frequency", z.imag, "ohm", "measured imaginary part of the impedance"),
    }
    coords = {"frequency": along("frequency", f, "Hz", "frequency of the AC perturbation")}
    return variables, coords


def failed() -> Variables:
    """The NaN numbers of a spectrum that gave none."""
    return {
        "R_ct": scalar(math.nan, "ohm", "charge-transfer resistance"),
        "R_ct_area": scalar(math.nan, "ohm cm2", "area-specific charge-transfer resistance"),
        "kk_residual_max": scalar(math.nan, "percent", "largest lin-KK residual, percent of |Z|"),
    }


def drt(result: drt_module.DRTResult | None, z: np.ndarray) -> tuple[Variables, Variables, dict]:
    """γ(τ), R∞, λ and the peaks (dim drt_peak): variables, coordinates, attributes."""
    if result is None:
        lam = scalar(math.nan, "1", "regularisation parameter of the DRT")
        return {"drt_lambda": lam}, {}, {"drt_lambda_method": "none"}
    peak_numbers = np.arange(result.peak_tau.size)
    coords = {
        "tau": along("tau", result.tau, "s", "relaxation time of the DRT grid"),
        "drt_peak": along(
            "drt_peak", peak_numbers, "1", "DRT peak number, shortest time constant first"
        ),
    }
    rms = drt_module.relative_residual_rms(z, result.z_fit)
    peak_f = 1.0 / (2 * math.pi * result.peak_tau)
    variables = {
        "drt_gamma": along(
            "tau", result.gamma, "ohm", "distribution of relaxation times gamma(ln tau)"
        ),
        "drt_z_real_fit": along(
            "frequency", result.z_fit.real, "ohm", "DRT model real part of the impedance"
        ),
        "drt_z_imag_fit": along(
            "frequency", result.z_fit.imag, "ohm", "DRT model imaginary part of the impedance"
        ),
        "drt_r_inf": scalar(result.r_inf, "ohm", "high-frequency resistance of the DRT model"),
        "drt_lambda": scalar(result.lam, "1", "regularisation parameter of the DRT"),
        "drt_residual_rms": scalar(rms, "percent", "RMS residual of the DRT model, percent of |Z|"),
        "drt_peak_tau": along("drt_peak", result.peak_tau, "s", "time constant of the DRT peak"),
        "drt_peak_frequency": along(
            "drt_peak", peak_f, "Hz", "characteristic frequency 1/(2 pi tau) of the DRT peak"
        ),
        "drt_peak_resistance": along(
            "drt_peak", result.peak_r, "ohm", "resistance under the DRT peak"
        ),
        "drt_peak_gamma": along(
            "drt_peak", result.peak_gamma, "ohm", "gamma at the DRT peak's maximum"
        ),
    }
    return variables, coords, {"drt_lambda_method": result.method}


def parameters(result: CircuitFit, circuit: str) -> Variables:
    """Every parameter of the configured circuit and its stderr (NaN for unresolved ones)."""
    by_name = dict(zip(result.names, result.values))
    all_names, all_units = parameter_names(circuit)
    variables = {}
    for name, unit in zip(all_names, all_units):
        udunit = UNITS.get(unit, unit)
        fitted = name in result.names
        error = result.errors[result.names.index(name)] if fitted else math.nan
        long_name = f"circuit parameter {name}" + (
            "" if fitted else " (arc not resolved: not fitted)"
        )
        variables[name] = scalar(by_name.get(name, math.nan), udunit, long_name)
        variables[f"{name}_stderr"] = scalar(error, udunit, f"standard error of {name}")
    return variables


def curves(f: np.ndarray, z: np.ndarray, result: CircuitFit) -> tuple[Variables, Variables]:
    """Model at the data, residuals in percent of |Z|, the model on a dense grid (+ coord)."""
    z_fit, mod = result.z_fit, np.abs(z)
    decades = max(int(math.ceil(math.log10(f.max() / f.min()))), 1)
    f_model = np.logspace(
        math.log10(f.max()), math.log10(f.min()), MODEL_POINTS_PER_DECADE * decades + 1
    )
    z_model = predict(result.circuit, result.values, f_model)
    variables = {
        "z_real_fit": along("frequency", z_fit.real, "ohm", "model real part of the impedance"),
        "z_imag_fit": along(
            "frequency", z_fit.imag, "ohm", "model imaginary part of the impedance"
        ),
        "residual_real": along(
            "frequency",
            100 * (z - z_fit).real / mod,
            "percent",
            "fit residual of the real part, percent of |Z|",
        ),
        "residual_imag": along(
            "frequency",
            100 * (z - z_fit).imag / mod,
            "percent",
            "fit residual of the imaginary part, percent of |Z|",
        ),
        "z_real_model": along(
            "frequency_model", z_model.real, "ohm", "model real part on a dense frequency grid"
        ),
        "z_imag_model": along(
            "frequency_model", z_model.imag, "ohm", "model imaginary part on a dense frequency grid"
        ),
    }
    coords = {
        "frequency_model": along("frequency_model", f_model, "Hz", "frequency of the model curve")
    }
    return variables, coords


def rct(
    result: CircuitFit, rct_element: str, area: float, error: float, method: str, weighting: str
) -> Variables:
    """R_ct, R_ct × area and their standard errors, and the fit's chi-square."""
    r_ct = float(dict(zip(result.names, result.values))[rct_element])
    return {
        "R_ct": scalar(r_ct, "ohm", f"charge-transfer resistance ({rct_element})"),
        "R_ct_stderr": scalar(error, "ohm", f"standard error of R_ct by {method}"),
        "R_ct_area": scalar(
            r_ct * area,
            "ohm cm2",
            "area-specific charge-transfer resistance (R_ct x electrode area)",
        ),
        "R_ct_area_stderr": scalar(
            error * area, "ohm cm2", f"standard error of R_ct_area by {method}"
        ),
        "chi_square": scalar(
            result.chi2, "1", f"weighted sum of squared residuals ({weighting} weighting)"
        ),
    }


def kk(result: KKResult) -> Variables:
    """The lin-KK residuals and their largest value."""
    return {
        "kk_residual_real": along(
            "frequency",
            100 * result.residual_real,
            "percent",
            "lin-KK residual of the real part, percent of |Z|",
        ),
        "kk_residual_imag": along(
            "frequency",
            100 * result.residual_imag,
            "percent",
            "lin-KK residual of the imaginary part, percent of |Z|",
        ),
        "kk_residual_max": scalar(
            result.max_percent, "percent", "largest lin-KK residual, percent of |Z|"
        ),
    }


def apex(f_apex: float, rct_element: str) -> Variables:
    """The apex frequency of the R_ct arc."""
    long_name = f"apex frequency 1/(2 pi tau) of the {rct_element} arc"
    return {"rct_apex_frequency": scalar(f_apex, "Hz", long_name)}
