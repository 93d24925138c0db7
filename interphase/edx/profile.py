"""EDX line profiles: interface position and error-function interdiffusion widths.

Each element's profile across the interface is fitted with an error-function step

    C(x) = C_a + (C_b - C_a)/2 * [1 + erf((x - x0) / (sqrt(2) sigma))]

(the solution of Fick's second law for a diffusion couple with constant D; Crank, *The
Mathematics of Diffusion*, 2nd ed., 1975, eq. 2.14), C_a on the film side, C_b on the far
side. The interdiffusion width is the 10-90 % width of that step, 2 * 1.2816 sigma =
2.563 sigma (1.2816 is the 90 % quantile of the standard normal distribution).

The interface (CONTRACT.md §2) is where the film's transition-metal signal (sum of
``film_elements``) falls to half its film plateau: x0 of the same erf fitted to the sum.

Fitting uses :func:`scipy.optimize.curve_fit` (Levenberg-Marquardt / trust-region least
squares, standard errors from the covariance scaled by the residual variance); lmfit
would add parameter objects but nothing this four-parameter model needs. Start values
come from the data: plateaus are medians of the first and last 10 % of the points, x0
the half-step crossing of a smoothed profile, sigma from its 10-90 % crossings.

An element whose plateau difference is below three times its point noise has no
measurable step: it gets NaN parameters and status ``failed`` with a note (no number,
CONTRACT.md §3), never a width fitted to noise.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.ndimage import uniform_filter1d
from scipy.optimize import curve_fit
from scipy.special import erf

from interphase import datasets
from interphase.summary import row

# 10-90 % width of an erf step in units of sigma: 2 * Phi^-1(0.9) = 2 * 1.28155.
WIDTH_PER_SIGMA = 2.563
# A step smaller than this many times the point noise is not a step (see module docstring).
NO_STEP_FACTOR = 3.0
# Relative standard error of the width above which a fitted width is flagged.
MAX_RELATIVE_STDERR = 0.5
# Fraction of the points (at each end) whose median gives the start plateaus.
PLATEAU_FRACTION = 0.1
SMOOTHING_POINTS = 5

PARAMETERS = ("c_a", "c_b", "x0", "sigma")


def erf_step(x: np.ndarray, c_a: float, c_b: float, x0: float, sigma: float) -> np.ndarray:
    """The erf step from c_a (x << x0) to c_b (x >> x0) with standard deviation sigma."""
    return c_a + (c_b - c_a) / 2.0 * (1.0 + erf((x - x0) / (math.sqrt(2.0) * sigma)))


def point_noise(y: np.ndarray) -> float:
    """Robust point-to-point noise: MAD of second differences (var = 6 sigma^2), scaled to sigma."""
    y = np.asarray(y, dtype=float)
    y = y[np.isfinite(y)]
    if y.size < 4:
        return math.nan
    d2 = y[:-2] - 2.0 * y[1:-1] + y[2:]
    return float(1.4826 * np.median(np.abs(d2 - np.median(d2))) / math.sqrt(6.0))


def crossings(x: np.ndarray, frac: np.ndarray, level: float) -> np.ndarray:
    """Positions (linearly interpolated) where frac crosses level."""
    above = frac >= level
    idx = np.flatnonzero(above[1:] != above[:-1])
    x1, x2, f1, f2 = x[idx], x[idx + 1], frac[idx], frac[idx + 1]
    return x1 + (level - f1) * (x2 - x1) / (f2 - f1)


def start_values(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Start values (c_a, c_b, x0, sigma) read off the data."""
    n = max(3, int(round(PLATEAU_FRACTION * x.size)))
    c_a, c_b = float(np.median(y[:n])), float(np.median(y[-n:]))
    span = float(x[-1] - x[0])
    step = float(np.median(np.diff(x)))
    smooth = uniform_filter1d(y, size=min(SMOOTHING_POINTS, x.size), mode="nearest")
    frac = (smooth - c_a) / (c_b - c_a) if c_b != c_a else np.zeros_like(smooth)
    half = crossings(x, frac, 0.5)
    x0 = float(np.median(half)) if half.size else float(x[0] + span / 2.0)
    x10, x90 = crossings(x, frac, 0.1), crossings(x, frac, 0.9)
    if x10.size and x90.size:
        sigma = abs(float(np.median(x90) - np.median(x10))) / WIDTH_PER_SIGMA
    else:
        sigma = span / 10.0
    return c_a, c_b, x0, max(sigma, step)


def fit_step(x: np.ndarray, y: np.ndarray) -> dict:
    """Fit one profile: parameters, their standard errors, the noise, a status and a note."""
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    nan = dict.fromkeys(PARAMETERS, math.nan)
    result = {"value": dict(nan), "stderr": dict(nan), "noise": math.nan, "status": "failed", "note": ""}
    if x.size < 8:
        result["note"] = f"only {x.size} finite points"
        return result
    noise = point_noise(y)
    result["noise"] = noise
    p0 = start_values(x, y)
    difference = abs(p0[1] - p0[0])
    if not difference > NO_STEP_FACTOR * noise:
        result["note"] = (
            f"no step: plateau difference {difference:.3g} is below {NO_STEP_FACTOR:g} x noise {noise:.3g}"
        )
        return result
    step = float(np.median(np.diff(x)))
    span = float(x[-1] - x[0])
    lower = [-np.inf, -np.inf, float(x[0]), step / 10.0]
    upper = [np.inf, np.inf, float(x[-1]), span]
    p0 = (p0[0], p0[1], min(max(p0[2], lower[2]), upper[2]), min(max(p0[3], lower[3]), upper[3] * 0.99))
    try:
        popt, pcov = curve_fit(erf_step, x, y, p0=p0, bounds=(lower, upper), maxfev=10000)
    except (RuntimeError, ValueError) as exc:
        result["note"] = f"erf fit did not converge: {exc}"
        return result
    perr = np.sqrt(np.diag(pcov)) if np.all(np.isfinite(pcov)) else np.full(4, np.nan)
    result["value"] = dict(zip(PARAMETERS, map(float, popt)))
    result["stderr"] = dict(zip(PARAMETERS, map(float, perr)))
    problems = []
    sigma, sigma_err = popt[3], perr[3]
    if not np.isfinite(sigma_err):
        problems.append("no standard error for sigma")
    elif sigma_err > MAX_RELATIVE_STDERR * sigma:
        problems.append(f"width uncertain (stderr {100 * sigma_err / sigma:.0f} % of the value)")
    if np.isclose(sigma, upper[3], rtol=1e-3) or np.isclose(sigma, lower[3], rtol=1e-3):
        problems.append("sigma at its bound")
    if np.isclose(popt[2], lower[2]) or np.isclose(popt[2], upper[2]):
        problems.append("step centre at the end of the line")
    result["status"] = "flagged" if problems else "ok"
    result["note"] = "; ".join(problems)
    return result


def check_params(params: dict) -> tuple[list[str], list[str]]:
    """The film elements and the element selection from the ``edx`` config section."""
    film = params.get("film_elements", ["Ni", "Co", "Mn"])
    chosen = params.get("elements", [])
    for key, value in (("film_elements", film), ("elements", chosen)):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"edx.{key} must be a list of element symbols, got {value!r}")
    if not film:
        raise ValueError("edx.film_elements must name at least one element")
    return list(film), list(chosen)


def _element_vars(fits: dict[str, dict], unit: str) -> dict[str, xr.Variable]:
    """The per-element parameter variables (with stderr companions) of the fit dataset."""
    names = list(fits)
    out = {}
    specs = {
        "c_a": (unit, "C_a: plateau on the film side (x << x0)"),
        "c_b": (unit, "C_b: plateau on the far side (x >> x0)"),
        "x0": ("nm", "centre of the erf step"),
        "sigma": ("nm", "standard deviation of the erf step"),
    }
    for key, (units, long_name) in specs.items():
        out[key] = datasets.variable("element", [fits[e]["value"][key] for e in names], units, long_name)
        out[f"{key}_stderr"] = datasets.variable(
            "element", [fits[e]["stderr"][key] for e in names], units, f"standard error of {key}"
        )
    width = [WIDTH_PER_SIGMA * fits[e]["value"]["sigma"] for e in names]
    width_err = [WIDTH_PER_SIGMA * fits[e]["stderr"]["sigma"] for e in names]
    out["interdiffusion_width"] = datasets.variable(
        "element", width, "nm", "interdiffusion width: 10-90 % width of the fitted erf step (2.563 sigma)"
    )
    out["interdiffusion_width_stderr"] = datasets.variable(
        "element", width_err, "nm", "standard error of interdiffusion_width"
    )
    out["noise"] = datasets.variable("element", [fits[e]["noise"] for e in names], unit, "point-to-point noise of the profile")
    out["element_status"] = datasets.variable(
        "element", np.array([fits[e]["status"] for e in names], dtype=object), "1", "fit status of the element (ok, flagged, failed)"
    )
    out["element_note"] = datasets.variable(
        "element", np.array([fits[e]["note"] for e in names], dtype=object), "1", "why the element's fit is flagged or failed"
    )
    return out


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Fit erf steps to every selected element and to the film transition-metal sum (the interface)."""
    film, chosen = check_params(params)
    x = np.asarray(clean["distance"].values, dtype=float)
    present = [str(e) for e in clean["element"].values]
    selected = [e for e in chosen if e in present] if chosen else present
    notes = []
    missing = [e for e in chosen if e not in present]
    if missing:
        notes.append(f"elements not in the file: {', '.join(missing)}")
    composition = clean["composition"].sel(element=selected) if selected else clean["composition"].isel(element=[])
    unit = clean["composition"].attrs["units"]
    fits = {e: fit_step(x, np.asarray(composition.sel(element=e).values, dtype=float)) for e in selected}
    curves = np.column_stack(
        [erf_step(x, *(fits[e]["value"][k] for k in PARAMETERS)) for e in selected]
    ) if selected else np.empty((x.size, 0))

    film_present = [e for e in film if e in present]
    signal = np.nansum(clean["composition"].sel(element=film_present).values, axis=1) if film_present else np.full(x.size, np.nan)
    interface = fit_step(x, signal) if film_present else None
    if interface is None:
        notes.append(f"no film element ({', '.join(film)}) in the file: no interface")
    elif interface["status"] == "failed":
        notes.append(f"interface: {interface['note']}")
    elif interface["value"]["c_b"] >= interface["value"]["c_a"]:
        interface["status"] = "flagged"
        interface["note"] = "film signal rises along the line: film side is not first"
        notes.append(f"interface: {interface['note']}")
    elif interface["status"] == "flagged":
        notes.append(f"interface: {interface['note']}")
    ipar = interface["value"] if interface else dict.fromkeys(PARAMETERS, math.nan)
    ierr = interface["stderr"] if interface else dict.fromkeys(PARAMETERS, math.nan)

    for e in selected:
        if fits[e]["status"] != "ok":
            notes.append(f"{e}: {fits[e]['note']}")
    widths_ok = [e for e in selected if fits[e]["status"] in ("ok", "flagged")]
    interface_status = interface["status"] if interface else "failed"
    if not widths_ok and interface_status == "failed":
        status = "failed"
    elif interface_status != "ok" or any(fits[e]["status"] == "flagged" for e in selected):
        status = "flagged"
    else:
        status = "ok"

    data_vars = {
        "composition": datasets.variable(("distance", "element"), composition.values, unit, clean["composition"].attrs.get("long_name", "composition")),
        "composition_fit": datasets.variable(("distance", "element"), curves, unit, "fitted erf step"),
        "film_signal": datasets.variable("distance", signal, unit, f"film transition-metal signal ({'+'.join(film_present)})"),
        "film_signal_fit": datasets.variable("distance", erf_step(x, *(ipar[k] for k in PARAMETERS)), unit, "erf step fitted to the film signal"),
        "interface_position_nm": datasets.variable((), ipar["x0"], "nm", "interface: where the film signal falls to half its film plateau"),
        "interface_position_nm_stderr": datasets.variable((), ierr["x0"], "nm", "standard error of interface_position_nm"),
        "film_signal_width": datasets.variable((), WIDTH_PER_SIGMA * ipar["sigma"], "nm", "10-90 % width of the film signal step"),
        "film_signal_width_stderr": datasets.variable((), WIDTH_PER_SIGMA * ierr["sigma"], "nm", "standard error of film_signal_width"),
        **_element_vars(fits, unit),
    }
    coords = {
        "distance": datasets.variable("distance", x, "nm", clean["distance"].attrs.get("long_name", "distance along the line")),
        "element": datasets.variable("element", np.array(selected, dtype=object), "1", "chemical element"),
    }
    out = xr.Dataset(data_vars, coords=coords)
    out.attrs = dict(clean.attrs)
    out.attrs.update(
        {
            "analysis": "interphase.edx.profile",
            "fit_model": "C(x) = C_a + (C_b - C_a)/2 * (1 + erf((x - x0)/(sqrt(2) sigma)))",
            "width_definition": "10-90 % width = 2.563 sigma",
            "film_elements": ", ".join(film),
            "interface_status": interface_status,
            "interface_note": interface["note"] if interface else "no film element in the file",
            "status": status,
            "status_note": "; ".join(notes),
        }
    )
    return out


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: interdiffusion_width per element and the interface position (nm)."""
    out = []
    for i, element in enumerate(fit["element"].values):
        status = str(fit["element_status"].values[i])
        width = float(fit["interdiffusion_width"].values[i])
        out.append(
            row(
                "interdiffusion_width",
                None if status == "failed" else width,
                "nm",
                stderr=None if status == "failed" else float(fit["interdiffusion_width_stderr"].values[i]),
                element=str(element),
                status=status,
                note=str(fit["element_note"].values[i]),
            )
        )
    istatus = str(fit.attrs.get("interface_status", "failed"))
    out.append(
        row(
            "interface_position",
            None if istatus == "failed" else float(fit["interface_position_nm"].values),
            "nm",
            stderr=None if istatus == "failed" else float(fit["interface_position_nm_stderr"].values),
            status=istatus,
            note=str(fit.attrs.get("interface_note", "")),
        )
    )
    return out
