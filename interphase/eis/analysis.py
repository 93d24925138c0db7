"""EIS analysis entry: equivalent-circuit fit of a spectrum to R_ct, R_ct × area, checks.

``analyse(clean, params)`` turns a clean EIS dataset into the fit dataset; ``rows(fit)``
turns that into summary rows. The steps, each in its own module:

1. window and data checks (here), circuit checks (:mod:`interphase.eis.circuit`);
2. DRT (:mod:`interphase.eis.drt`): its peaks are one start hypothesis; γ(τ) and the peaks
   go into the fit dataset;
3. the fit (:mod:`interphase.eis.selection`, with :mod:`~interphase.eis.starts`,
   :mod:`~interphase.eis.separable` and :mod:`~interphase.eis.optimise`): the configured
   circuit, or it without the arcs the data do not resolve;
4. standard errors (:mod:`interphase.eis.uncertainty`): covariance in log parameters, or a
   residual bootstrap (``eis.bootstrap``);
5. checks (:mod:`interphase.eis.diagnostics`): lin-KK, the R_ct arc closing in the window,
   R_ct determined; any failed check flags the numbers with the reason.

Library: impedance.py (Murbach et al., JOSS 5 (2020) 2349), maintained and citable, parses
the circuit string, supplies the element impedances and lin-KK, and its
``CustomCircuit.fit`` gives the final parameters.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase import datasets, summary
from interphase.defaults import schema_defaults
from interphase.eis import drt as drt_module
from interphase.eis.circuit import circuit_problem, parameter_names, predict
from interphase.eis.diagnostics import Window, closure_note, kk_check
from interphase.eis.optimise import WEIGHTINGS, problem
from interphase.eis.selection import CircuitFit, fit_spectrum
from interphase.eis.uncertainty import bootstrap_stderr

MIN_POINTS = 10
# impedance.py's unit strings -> UDUNITS (CF conventions) for the fit dataset.
_UNITS = {
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


def check_params(params: dict) -> dict:
    """The EIS parameters with defaults; ValueError for values the schema would refuse."""
    p = {**schema_defaults("eis"), **(params or {})}
    if p["weighting"] not in WEIGHTINGS:
        raise ValueError(f"eis.weighting must be one of {WEIGHTINGS}, got {p['weighting']!r}")
    if not p["kk_residual_limit_percent"] > 0:
        raise ValueError("eis.kk_residual_limit_percent must be > 0")
    if not p["rct_stderr_limit_percent"] > 0:
        raise ValueError("eis.rct_stderr_limit_percent must be > 0")
    if p["closure_margin_decades"] < 0:
        raise ValueError("eis.closure_margin_decades must be >= 0")
    b = p["bootstrap"]
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or b < 0:
        raise ValueError(f"eis.bootstrap must be an integer >= 0, got {b!r}")
    lam = p["drt_lambda"]
    if (
        isinstance(lam, str)
        and lam not in drt_module.LAMBDA_CHOICES
        or isinstance(lam, bool)
        or (not isinstance(lam, str) and not (isinstance(lam, (int, float)) and lam > 0))
    ):
        raise ValueError(
            f"eis.drt_lambda must be 'gcv', 'lcurve' or a positive number, got {lam!r}"
        )
    return p


def data_problem(f: np.ndarray, z: np.ndarray) -> str:
    """Why a spectrum cannot be fitted ('' when it can)."""
    if f.size < MIN_POINTS:
        return f"only {f.size} points (at least {MIN_POINTS} needed)"
    finite = np.all(np.isfinite(f)) and np.all(np.isfinite(z.real)) and np.all(np.isfinite(z.imag))
    if not finite:
        return "NaN or infinite values in frequency or impedance"
    if np.any(f <= 0):
        return "non-positive frequencies"
    values, counts = np.unique(f, return_counts=True)
    if np.any(counts > 1):
        dup = ", ".join(f"{v:.6g}" for v in values[counts > 1][:5])
        return f"duplicate frequencies ({dup} Hz): one point a frequency expected"
    return ""


def window(clean: xr.Dataset, fmin, fmax) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and complex impedance inside [fmin, fmax] (None = open), high to low."""
    f = np.asarray(clean["frequency"].values, dtype=float)
    z_real = np.asarray(clean["z_real"].values, dtype=float)
    z = z_real + 1j * np.asarray(clean["z_imag"].values, dtype=float)
    keep = np.ones(f.size, dtype=bool)
    if fmin is not None:
        keep &= f >= float(fmin)
    if fmax is not None:
        keep &= f <= float(fmax)
    f, z = f[keep], z[keep]
    order = np.argsort(-f, kind="stable")  # high to low, whatever order the file had
    return f[order], z[order]


def scalar(value: float, units: str, long_name: str) -> xr.Variable:
    """A 0-d variable with units and long_name."""
    return datasets.variable((), float(value), units, long_name)


def along(dim: str, values: np.ndarray, units: str, long_name: str) -> xr.Variable:
    """A 1-d variable along ``dim`` with units and long_name."""
    return datasets.variable(dim, values, units, long_name)


def base_dataset(clean: xr.Dataset, f: np.ndarray, z: np.ndarray, p: dict) -> xr.Dataset:
    """The fit dataset's measured data and common attributes."""
    ds = xr.Dataset(
        {
            "z_real": along("frequency", z.real, "ohm", "measured real part of the impedance"),
            "z_imag": along("frequency", z.imag, "ohm", "measured imaginary part of the impedance"),
        },
        coords={"frequency": along("frequency", f, "Hz", "frequency of the AC perturbation")},
    )
    ds.attrs = dict(clean.attrs)
    ds.attrs.update(
        {
            "circuit": p["circuit"],
            "rct_element": p["rct_element"],
            "weighting": p["weighting"],
            "kk_residual_limit_percent": float(p["kk_residual_limit_percent"]),
            "dc_potential_V": float(clean.attrs.get("dc_potential_V", math.nan)),
        }
    )
    return ds


def failed(ds: xr.Dataset, reason: str) -> xr.Dataset:
    """The fit dataset of a spectrum that gave no number."""
    for name, unit, long_name in (
        ("R_ct", "ohm", "charge-transfer resistance"),
        ("R_ct_area", "ohm cm2", "area-specific charge-transfer resistance"),
        ("kk_residual_max", "percent", "largest lin-KK residual, percent of |Z|"),
    ):
        ds[name] = scalar(math.nan, unit, long_name)
    ds.attrs.update({"status": "failed", "status_note": reason})
    return ds


def run_drt(f: np.ndarray, z: np.ndarray, lam) -> tuple[drt_module.DRTResult | None, str]:
    """The DRT of the spectrum, or None and the reason when it could not be computed."""
    try:
        with np.errstate(all="ignore"):
            return drt_module.drt(f, z, lam), ""
    except (np.linalg.LinAlgError, RuntimeError, ValueError) as exc:  # nnls limit, degenerate
        return None, f"DRT failed: {type(exc).__name__}: {exc}"


def add_drt(ds: xr.Dataset, result: drt_module.DRTResult | None, z: np.ndarray) -> xr.Dataset:
    """γ(τ), R∞, λ and the peaks (dim drt_peak) into the fit dataset (NaN/empty when no DRT)."""
    if result is None:
        ds["drt_lambda"] = scalar(math.nan, "1", "regularisation parameter of the DRT")
        ds.attrs["drt_lambda_method"] = "none"
        return ds
    peak_numbers = np.arange(result.peak_tau.size)
    ds = ds.assign_coords(
        tau=along("tau", result.tau, "s", "relaxation time of the DRT grid"),
        drt_peak=along(
            "drt_peak", peak_numbers, "1", "DRT peak number, shortest time constant first"
        ),
    )
    rms = drt_module.relative_residual_rms(z, result.z_fit)
    peak_f = 1.0 / (2 * math.pi * result.peak_tau)
    ds["drt_gamma"] = along(
        "tau", result.gamma, "ohm", "distribution of relaxation times gamma(ln tau)"
    )
    ds["drt_z_real_fit"] = along(
        "frequency", result.z_fit.real, "ohm", "DRT model real part of the impedance"
    )
    ds["drt_z_imag_fit"] = along(
        "frequency", result.z_fit.imag, "ohm", "DRT model imaginary part of the impedance"
    )
    ds["drt_r_inf"] = scalar(result.r_inf, "ohm", "high-frequency resistance of the DRT model")
    ds["drt_lambda"] = scalar(result.lam, "1", "regularisation parameter of the DRT")
    ds["drt_residual_rms"] = scalar(rms, "percent", "RMS residual of the DRT model, percent of |Z|")
    ds["drt_peak_tau"] = along("drt_peak", result.peak_tau, "s", "time constant of the DRT peak")
    ds["drt_peak_frequency"] = along(
        "drt_peak", peak_f, "Hz", "characteristic frequency 1/(2 pi tau) of the DRT peak"
    )
    ds["drt_peak_resistance"] = along(
        "drt_peak", result.peak_r, "ohm", "resistance under the DRT peak"
    )
    ds["drt_peak_gamma"] = along(
        "drt_peak", result.peak_gamma, "ohm", "gamma at the DRT peak's maximum"
    )
    ds.attrs["drt_lambda_method"] = result.method
    return ds


def add_parameters(ds: xr.Dataset, result: CircuitFit, circuit: str) -> None:
    """Every parameter of the configured circuit and its stderr (NaN for unresolved ones)."""
    by_name = dict(zip(result.names, result.values))
    all_names, all_units = parameter_names(circuit)
    for name, unit in zip(all_names, all_units):
        udunit = _UNITS.get(unit, unit)
        fitted = name in result.names
        error = result.errors[result.names.index(name)] if fitted else math.nan
        long_name = f"circuit parameter {name}" + (
            "" if fitted else " (arc not resolved: not fitted)"
        )
        ds[name] = scalar(by_name.get(name, math.nan), udunit, long_name)
        ds[f"{name}_stderr"] = scalar(error, udunit, f"standard error of {name}")


def add_curves(ds: xr.Dataset, f: np.ndarray, z: np.ndarray, result: CircuitFit) -> xr.Dataset:
    """Model at the data, residuals in percent of |Z|, and the model on a dense grid."""
    z_fit, mod = result.z_fit, np.abs(z)
    ds["z_real_fit"] = along("frequency", z_fit.real, "ohm", "model real part of the impedance")
    ds["z_imag_fit"] = along(
        "frequency", z_fit.imag, "ohm", "model imaginary part of the impedance"
    )
    ds["residual_real"] = along(
        "frequency",
        100 * (z - z_fit).real / mod,
        "percent",
        "fit residual of the real part, percent of |Z|",
    )
    ds["residual_imag"] = along(
        "frequency",
        100 * (z - z_fit).imag / mod,
        "percent",
        "fit residual of the imaginary part, percent of |Z|",
    )
    decades = max(int(math.ceil(math.log10(f.max() / f.min()))), 1)
    f_model = np.logspace(
        math.log10(f.max()), math.log10(f.min()), MODEL_POINTS_PER_DECADE * decades + 1
    )
    z_model = predict(result.circuit, result.values, f_model)
    ds = ds.assign_coords(
        frequency_model=along("frequency_model", f_model, "Hz", "frequency of the model curve")
    )
    ds["z_real_model"] = along(
        "frequency_model", z_model.real, "ohm", "model real part on a dense frequency grid"
    )
    ds["z_imag_model"] = along(
        "frequency_model", z_model.imag, "ohm", "model imaginary part on a dense frequency grid"
    )
    return ds


def rct_stderr(f: np.ndarray, z: np.ndarray, result: CircuitFit, p: dict) -> tuple[float, str]:
    """Standard error of R_ct and how it was estimated (covariance or residual bootstrap)."""
    k = result.names.index(p["rct_element"])
    if p["bootstrap"] > 0:
        pr = problem(f, z, result.circuit, p["weighting"])
        n = int(p["bootstrap"])
        return bootstrap_stderr(pr, result.values, k, n), f"residual bootstrap ({n} resamples)"
    return float(result.errors[k]), "covariance (log parameters)"


def add_rct(ds: xr.Dataset, result: CircuitFit, area: float, error: float, method: str) -> None:
    """R_ct, R_ct × area and their standard errors, and the fit's chi-square."""
    rct = ds.attrs["rct_element"]
    r_ct = float(dict(zip(result.names, result.values))[rct])
    ds["R_ct"] = scalar(r_ct, "ohm", f"charge-transfer resistance ({rct})")
    ds["R_ct_stderr"] = scalar(error, "ohm", f"standard error of R_ct by {method}")
    ds["R_ct_area"] = scalar(
        r_ct * area, "ohm cm2", "area-specific charge-transfer resistance (R_ct x electrode area)"
    )
    ds["R_ct_area_stderr"] = scalar(
        error * area, "ohm cm2", f"standard error of R_ct_area by {method}"
    )
    ds["chi_square"] = scalar(
        result.chi2, "1", f"weighted sum of squared residuals ({ds.attrs['weighting']} weighting)"
    )


def add_kk(ds: xr.Dataset, f: np.ndarray, z: np.ndarray) -> tuple[float, str, dict]:
    """lin-KK residuals into the dataset: (largest residual %, failure note, attributes)."""
    kk, note = kk_check(f, z)
    ds["kk_residual_real"] = along(
        "frequency",
        100 * kk.residual_real,
        "percent",
        "lin-KK residual of the real part, percent of |Z|",
    )
    ds["kk_residual_imag"] = along(
        "frequency",
        100 * kk.residual_imag,
        "percent",
        "lin-KK residual of the imaginary part, percent of |Z|",
    )
    ds["kk_residual_max"] = scalar(
        kk.max_percent, "percent", "largest lin-KK residual, percent of |Z|"
    )
    return kk.max_percent, note, {"kk_n_rc": kk.n_rc, "kk_mu": kk.mu}


def electrode_area(clean: xr.Dataset) -> float:
    """The electrode area in cm2 from the clean dataset (NaN when unknown or not positive)."""
    area = float(clean.attrs.get("electrode_area_cm2", math.nan))
    return area if math.isfinite(area) and area > 0 else math.nan


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Fit the circuit to the spectrum: R_ct, R_ct × area with errors, lin-KK, DRT, status."""
    p = check_params(params)
    with drt_module.single_thread_blas():  # small matrices: one BLAS thread is faster
        return _analyse(clean, p)


def _analyse(clean: xr.Dataset, p: dict) -> xr.Dataset:
    """analyse() on checked parameters."""
    f, z = window(clean, p["frequency_min_Hz"], p["frequency_max_Hz"])
    ds = base_dataset(clean, f, z, p)
    problem_text = data_problem(f, z) or circuit_problem(p["circuit"], p["rct_element"])
    if problem_text:
        return failed(ds, problem_text)
    drt_result, drt_note = run_drt(f, z, p["drt_lambda"])
    peaks = (drt_result.peak_tau, drt_result.peak_r) if drt_result is not None else None
    result = fit_spectrum(
        f,
        z,
        p["circuit"],
        p["weighting"],
        drt_peaks=peaks,
        keep=p["rct_element"],
        margin=p["closure_margin_decades"],
    )
    ds = add_drt(ds, drt_result, z)
    if result is None:
        return failed(ds, "no start of the least-squares fit converged")
    add_parameters(ds, result, p["circuit"])
    ds = add_curves(ds, f, z, result)
    area = electrode_area(clean)
    error, method = rct_stderr(f, z, result, p)
    add_rct(ds, result, area, error, method)
    kk_max, kk_note, kk_attrs = add_kk(ds, f, z)
    rct = p["rct_element"]
    full = (result.full_values, p["circuit"]) if result.dropped else None
    values = dict(zip(result.names, result.values))
    win = Window(float(f.min()), float(f.max()), p["closure_margin_decades"])
    f_apex, closure = closure_note(values, rct, result.circuit, win, full=full)
    ds["rct_apex_frequency"] = scalar(f_apex, "Hz", f"apex frequency 1/(2 pi tau) of the {rct} arc")
    notes = status_notes(p, kk_max, [kk_note, drt_note, closure], float(ds["R_ct"]), error, area)
    ds.attrs.update(
        {
            "status": "flagged" if notes else "ok",
            "status_note": "; ".join(notes),
            "fit_starts": result.n_starts,
            "fitted_circuit": result.circuit,
            "unresolved_elements": ", ".join(result.dropped),
            "fit_note": result.note,
            **kk_attrs,
            "R_ct_stderr_method": method,
            "drt_starts": result.drt_starts,
        }
    )
    return ds


def status_notes(
    p: dict, kk_max: float, found: list[str], r_ct: float, error: float, area: float
) -> list[str]:
    """Every reason to flag the numbers: lin-KK, DRT, closure, R_ct not determined, no area.

    ``found`` holds the lin-KK failure, DRT failure and closure notes ('' when none).
    """
    kk_note, drt_note, closure = found
    notes = [n for n in (kk_note, drt_note) if n]
    limit = p["kk_residual_limit_percent"]
    if kk_max > limit:
        notes.append(f"lin-KK residual {kk_max:.2g} % exceeds {limit:g} %")
    if closure:
        notes.append(closure)
    relative = 100 * error / r_ct if r_ct > 0 else math.inf
    if not relative <= p["rct_stderr_limit_percent"]:  # NaN (no standard error) is flagged too
        notes.append(
            f"R_ct not determined by the data: relative standard error {relative:.2g} % "
            f"exceeds {p['rct_stderr_limit_percent']:g} %"
        )
    if not math.isfinite(area):
        notes.append("electrode area unknown: R_ct_area is NaN")
    return notes


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows R_ct, R_ct_area and kk_residual_max at the spectrum's DC potential."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    potential = fit.attrs.get("dc_potential_V", math.nan)

    def value(name: str) -> float:
        return float(fit[name].values) if name in fit else math.nan

    method = str(fit.attrs.get("R_ct_stderr_method", ""))
    bootstrap = f"stderr by {method}" if method.startswith("residual bootstrap") else ""
    parts = (note, str(fit.attrs.get("fit_note", "")), bootstrap)
    rct_note = "; ".join(n for n in parts if n)
    common = {"potential_V": potential, "status": status}
    return [
        summary.row(
            "R_ct", value("R_ct"), "ohm", stderr=value("R_ct_stderr"), note=rct_note, **common
        ),
        summary.row(
            "R_ct_area",
            value("R_ct_area"),
            "ohm cm2",
            stderr=value("R_ct_area_stderr"),
            note=rct_note,
            **common,
        ),
        summary.row("kk_residual_max", value("kk_residual_max"), "percent", note=note, **common),
    ]
