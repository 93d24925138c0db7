"""The EDX fit dataset: per-element erf parameters, widths, the interface and the curves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.edx.broadening import CorrectedWidth, Instrument
from interphase.edx.profile import StepFit
from interphase.interface import WIDTH_10_90_PER_SIGMA, InterfaceFit

FIT_MODEL = (
    "C(x) = C_a + (C_b - C_a)/2 * (1 + erf((x - x0)/(sqrt(2) sigma))); "
    "two-sided: sigma_left below x0, sigma_right above"
)
BROADENING_REFERENCE = (
    "Goldstein et al., SEM/1977 vol. 1, p. 315; Williams & Carter, TEM 2nd ed. (2009), eq. 36.3"
)


@dataclass
class Options:
    """The analysis options a fit dataset records."""

    film: list[str]
    model: str
    p_threshold: float
    specimen_material: str


@dataclass
class LineFits:
    """Everything fitted on one line: element steps, the film signal and its interface."""

    x: np.ndarray
    elements: list[str]
    composition: np.ndarray
    unit: str
    composition_long_name: str
    fits: dict[str, StepFit]
    curves: np.ndarray
    corrected: dict[str, CorrectedWidth]
    instrument: Instrument
    film_present: list[str]
    signal: np.ndarray
    interface: InterfaceFit
    interface_status: str
    status: str
    notes: list[str]


def _per_element(fits: dict[str, StepFit], key: str, which: str = "value") -> list[float]:
    """One parameter (or its stderr) of every element's fit, in element order."""
    return [getattr(fit, which)[key] for fit in fits.values()]


def _texts(values: list[str]) -> np.ndarray:
    """A text array for an element variable."""
    return np.array(values, dtype=object)


def element_vars(fits: dict[str, StepFit], unit: str) -> dict[str, xr.Variable]:
    """The per-element parameter variables (with stderr companions) of the fit dataset."""
    out = {}
    specs = {
        "c_a": (unit, "C_a: plateau on the film side (x << x0)"),
        "c_b": (unit, "C_b: plateau on the far side (x >> x0)"),
        "x0": ("nm", "centre of the erf step"),
        "sigma": ("nm", "standard deviation of the erf step (two-sided: mean of both flanks)"),
        "sigma_left": ("nm", "standard deviation of the step's film-side flank (x < x0)"),
        "sigma_right": ("nm", "standard deviation of the step's far-side flank (x > x0)"),
    }
    for key, (units, long_name) in specs.items():
        out[key] = datasets.variable("element", _per_element(fits, key), units, long_name)
        out[f"{key}_stderr"] = datasets.variable(
            "element", _per_element(fits, key, "stderr"), units, f"standard error of {key}"
        )
    width = [WIDTH_10_90_PER_SIGMA * s for s in _per_element(fits, "sigma")]
    width_err = [WIDTH_10_90_PER_SIGMA * s for s in _per_element(fits, "sigma", "stderr")]
    out["interdiffusion_width"] = datasets.variable(
        "element",
        width,
        "nm",
        "interdiffusion width: 10-90 % width of the fitted erf step "
        f"({WIDTH_10_90_PER_SIGMA:.4f} sigma)",
    )
    out["interdiffusion_width_stderr"] = datasets.variable(
        "element", width_err, "nm", "standard error of interdiffusion_width"
    )
    out["profile_model"] = datasets.variable(
        "element", _texts([f.model for f in fits.values()]), "1", "model used: erf or two-sided erf"
    )
    out["p_asymmetric"] = datasets.variable(
        "element",
        [f.p_asymmetric for f in fits.values()],
        "1",
        "F-test p-value of the two-sided erf against the erf",
    )
    out["noise"] = datasets.variable(
        "element", [f.noise for f in fits.values()], unit, "point-to-point noise of the profile"
    )
    out["element_status"] = datasets.variable(
        "element",
        _texts([f.status for f in fits.values()]),
        "1",
        "fit status of the element (ok, flagged, failed)",
    )
    out["element_note"] = datasets.variable(
        "element",
        _texts([f.note for f in fits.values()]),
        "1",
        "why the element's fit is flagged or failed",
    )
    return out


def interface_vars(line: LineFits) -> dict[str, xr.Variable]:
    """The film signal, its erf fit and the interface position with its stderr."""
    iface = line.interface
    unit = line.unit
    return {
        "film_signal": datasets.variable(
            "distance",
            line.signal,
            unit,
            f"film transition-metal signal ({'+'.join(line.film_present)})",
        ),
        "film_signal_fit": datasets.variable(
            "distance", iface.model, unit, "erf step fitted to the film signal"
        ),
        "film_signal_plateau": datasets.variable(
            (), iface.plateau, unit, "film plateau of the erf step fitted to the film signal"
        ),
        "film_signal_far_level": datasets.variable(
            (), iface.level, unit, "far-side level of the erf step fitted to the film signal"
        ),
        "interface_position_nm": datasets.variable(
            (),
            iface.position,
            "nm",
            "interface: where the film signal falls to half its film plateau",
        ),
        "interface_position_nm_stderr": datasets.variable(
            (), iface.stderr, "nm", "standard error of interface_position_nm"
        ),
        "film_signal_width": datasets.variable(
            (), iface.width_10_90, "nm", "10-90 % width of the film signal step"
        ),
        "film_signal_width_stderr": datasets.variable(
            (), iface.width_10_90_stderr, "nm", "standard error of film_signal_width"
        ),
    }


def broadening_vars(line: LineFits) -> dict[str, xr.Variable]:
    """The broadening-corrected widths and the probe and beam sigmas."""
    corrected = [line.corrected[e] for e in line.elements]
    instrument = line.instrument
    return {
        "interdiffusion_width_corrected": datasets.variable(
            "element",
            [c.value for c in corrected],
            "nm",
            "10-90 % width corrected for probe and beam broadening "
            "(sigma^2 = sigma_meas^2 - sigma_probe^2 - sigma_beam^2)",
        ),
        "interdiffusion_width_corrected_stderr": datasets.variable(
            "element",
            [c.stderr for c in corrected],
            "nm",
            "standard error of interdiffusion_width_corrected",
        ),
        "correction_note": datasets.variable(
            "element", _texts([c.note for c in corrected]), "1", "why no corrected width"
        ),
        "sigma_probe": datasets.variable(
            (), instrument.sigma_probe, "nm", "probe sigma (probe FWHM / 2.355)"
        ),
        "sigma_beam": datasets.variable(
            (), instrument.sigma_beam, "nm", "beam-broadening sigma (Goldstein b / 2.355)"
        ),
        "beam_broadening": datasets.variable(
            (), instrument.beam_broadening_nm, "nm", "Goldstein et al. (1977) beam broadening b"
        ),
    }


def build_fit(clean: xr.Dataset, line: LineFits, options: Options) -> xr.Dataset:
    """Assemble the fit dataset (every variable with units and long_name)."""
    data_vars = {
        "composition": datasets.variable(
            ("distance", "element"), line.composition, line.unit, line.composition_long_name
        ),
        "composition_fit": datasets.variable(
            ("distance", "element"), line.curves, line.unit, "fitted erf step"
        ),
        **interface_vars(line),
        **element_vars(line.fits, line.unit),
        **broadening_vars(line),
    }
    distance_name = clean["distance"].attrs.get("long_name", "distance along the line")
    if "distance_in_file" in clean:
        data_vars["distance_in_file"] = datasets.variable(
            "distance", clean["distance_in_file"].values, "nm", "distance as recorded in the file"
        )
    coords = {
        "distance": datasets.variable("distance", line.x, "nm", distance_name),
        "element": datasets.variable(
            "element", np.array(line.elements, dtype=object), "1", "chemical element"
        ),
    }
    out = xr.Dataset(data_vars, coords=coords)
    out.attrs = dict(clean.attrs)
    interface = line.interface
    out.attrs.update(
        {
            "analysis": "interphase.edx.analysis",
            "fit_model": FIT_MODEL,
            "profile_model_option": options.model,
            "asymmetry_p_value": options.p_threshold,
            "broadening_correction": int(line.instrument.enabled),
            "broadening_note": line.instrument.note,
            "specimen_material": options.specimen_material,
            "broadening_reference": BROADENING_REFERENCE,
            "width_definition": f"10-90 % width = {WIDTH_10_90_PER_SIGMA:.4f} sigma",
            "film_elements": ", ".join(options.film),
            "interface_status": line.interface_status,
            "interface_note": interface.note,
            "interface_method": interface.method,
            "line_reversed": int(clean.attrs.get("line_reversed", 0)),
            "status": line.status,
            "status_note": "; ".join(line.notes),
        }
    )
    return out
