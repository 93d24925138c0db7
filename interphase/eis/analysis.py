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

Library: impedance.py (Murbach et al., JOSS 5 (2020) 2349), maintained and citable, defines
the circuit-string language, the elements and the lin-KK algorithm that interphase uses; its
code is the reference the tests compare with. The fit itself runs on interphase's compiled
circuit with analytic derivatives (:mod:`~interphase.eis.circuit`,
:mod:`~interphase.eis.elements`): impedance.py evals source code at every evaluation, has no
derivatives, and importing it brings matplotlib and altair (see docs/eis.md, Speed).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from interphase import summary
from interphase.defaults import schema_defaults
from interphase.eis import drt as drt_module
from interphase.eis import fit_dataset
from interphase.eis.circuit import circuit_problem
from interphase.eis.diagnostics import Window, closure_note, kk_check
from interphase.eis.optimise import WEIGHTINGS, problem
from interphase.eis.selection import CircuitFit, fit_spectrum
from interphase.eis.uncertainty import bootstrap_stderr

MIN_POINTS = 10


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


def common_attrs(clean: xr.Dataset, p: dict) -> dict:
    """The clean dataset's attributes and the fit settings."""
    attrs = dict(clean.attrs)
    attrs.update(
        {
            "circuit": p["circuit"],
            "rct_element": p["rct_element"],
            "weighting": p["weighting"],
            "kk_residual_limit_percent": float(p["kk_residual_limit_percent"]),
            "dc_potential_V": float(clean.attrs.get("dc_potential_V", math.nan)),
        }
    )
    return attrs


def run_drt(f: np.ndarray, z: np.ndarray, lam) -> tuple[drt_module.DRTResult | None, str]:
    """The DRT of the spectrum, or None and the reason when it could not be computed."""
    try:
        with np.errstate(all="ignore"):
            return drt_module.drt(f, z, lam), ""
    except (np.linalg.LinAlgError, RuntimeError, ValueError) as exc:  # nnls limit, degenerate
        return None, f"DRT failed: {type(exc).__name__}: {exc}"


def rct_stderr(f: np.ndarray, z: np.ndarray, result: CircuitFit, p: dict) -> tuple[float, str]:
    """Standard error of R_ct and how it was estimated (covariance or residual bootstrap)."""
    k = result.names.index(p["rct_element"])
    if p["bootstrap"] > 0:
        pr = problem(f, z, result.circuit, p["weighting"])
        n = int(p["bootstrap"])
        return bootstrap_stderr(pr, result.values, k, n), f"residual bootstrap ({n} resamples)"
    return float(result.errors[k]), "covariance (log parameters)"


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
    variables, coords = fit_dataset.measured(f, z)
    attrs = common_attrs(clean, p)
    problem_text = data_problem(f, z) or circuit_problem(p["circuit"], p["rct_element"])
    if problem_text:
        return failed(variables, coords, attrs, problem_text)
    drt_result, drt_note = run_drt(f, z, p["drt_lambda"])
    drt_variables, drt_coords, drt_attrs = fit_dataset.drt(drt_result, z)
    variables, coords, attrs = variables | drt_variables, coords | drt_coords, attrs | drt_attrs
    peaks = (drt_result.peak_tau, drt_result.peak_r) if drt_result is not None else None
    result = fit_spectrum(
        f, z, p["circuit"], p["weighting"], drt_peaks=peaks, keep=p["rct_element"],
        margin=p["closure_margin_decades"],
    )  # fmt: skip
    if result is None:
        return failed(variables, coords, attrs, "no start of the least-squares fit converged")
    fitted, fitted_coords, fitted_attrs = fit_outputs(clean, f, z, result, p, drt_note)
    return fit_dataset.assemble(variables | fitted, coords | fitted_coords, attrs | fitted_attrs)


def failed(variables: dict, coords: dict, attrs: dict, reason: str) -> xr.Dataset:
    """The fit dataset of a spectrum that gave no number: NaN numbers and the reason."""
    attrs = attrs | {"status": "failed", "status_note": reason}
    return fit_dataset.assemble(variables | fit_dataset.failed(), coords, attrs)


def fit_outputs(
    clean: xr.Dataset, f: np.ndarray, z: np.ndarray, result: CircuitFit, p: dict, drt_note: str
) -> tuple[dict, dict, dict]:
    """Variables, coordinates and attributes of a fit: parameters, curves, R_ct, checks, status."""
    curve_variables, curve_coords = fit_dataset.curves(f, z, result)
    area = electrode_area(clean)
    error, method = rct_stderr(f, z, result, p)
    kk, kk_note = kk_check(f, z)
    rct = p["rct_element"]
    full = (result.full_values, p["circuit"]) if result.dropped else None
    values = dict(zip(result.names, result.values))
    win = Window(float(f.min()), float(f.max()), p["closure_margin_decades"])
    f_apex, closure = closure_note(values, rct, result.circuit, win, full=full)
    variables = (
        fit_dataset.parameters(result, p["circuit"])
        | curve_variables
        | fit_dataset.rct(result, rct, area, error, method, p["weighting"])
        | fit_dataset.kk(kk)
        | fit_dataset.apex(f_apex, rct)
    )
    found = [kk_note, drt_note, closure]
    notes = status_notes(p, kk.max_percent, found, float(values[rct]), error, area)
    attrs = {
        "status": "flagged" if notes else "ok",
        "status_note": "; ".join(notes),
        "fit_starts": result.n_starts,
        "fitted_circuit": result.circuit,
        "unresolved_elements": ", ".join(result.dropped),
        "fit_note": result.note,
        "kk_n_rc": kk.n_rc,
        "kk_mu": kk.mu,
        "R_ct_stderr_method": method,
        "drt_starts": result.drt_starts,
    }
    return variables, curve_coords, attrs


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
