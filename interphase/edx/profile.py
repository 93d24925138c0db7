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

Asymmetric profiles: a step whose two flanks differ (faster diffusion on one side) is also
fitted with a two-sided erf, sigma_left below x0 and sigma_right above (continuous at x0,
where it passes half-way). Its 10-90 % width is 1.2816 (sigma_left + sigma_right), i.e.
2.563 times the mean sigma. The two-sided model is used for an element only when it fits
significantly better: the extra-sum-of-squares F-test of the nested models (F(1, n-5),
p < ``asymmetry_p_value``, default 0.01); ``profile_model`` says which model was used.

Probe and beam broadening (optional): the measured profile is the true one convolved with
the probe and with the beam's spread in the foil; for Gaussians the variances add, so
sigma^2 = sigma_meas^2 - sigma_probe^2 - sigma_beam^2. The beam broadening is the
single-scattering estimate of J. I. Goldstein, J. L. Costley, G. W. Lorimer, S. J. B. Reed,
"Quantitative X-ray analysis in the electron microscope", SEM/1977 vol. 1 (IITRI, Chicago),
p. 315, as given by D. B. Williams and C. B. Carter, *Transmission Electron Microscopy*,
2nd ed. (Springer 2009), eq. 36.3: b = 6.25e5 (Z/E0) (rho/A)^(1/2) t^(3/2), with b and t in
cm, E0 in eV, rho in g cm-3, A in g mol-1 (b: the diameter holding 90 % of the electrons at
the exit surface). Convention here: the probe FWHM and b are both treated as the FWHM of a
Gaussian, sigma = FWHM/2.355, as in Goldstein's spatial resolution R = (d^2 + b^2)^(1/2);
this somewhat over-corrects when b is read as a 90 % diameter. Z, A are atom-fraction means
and rho the X-ray density of the specimen (``MATERIALS``). Nothing is corrected unless
``probe_fwhm_nm`` or ``specimen_thickness_nm`` is set; the corrected width is NaN, with a
note, when the broadening exceeds the measured width. Its stderr propagates sigma's only
(the probe size, thickness and the model are taken as exact).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.ndimage import uniform_filter1d
from scipy.optimize import curve_fit
from scipy.stats import f as f_distribution
from scipy.special import erf

from interphase.defaults import schema_defaults
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
ASYM_PARAMETERS = ("c_a", "c_b", "x0", "sigma_left", "sigma_right")
# Half of WIDTH_PER_SIGMA: the 10 % (90 %) point lies 1.2816 sigma below (above) x0.
HALF_WIDTH_PER_SIGMA = WIDTH_PER_SIGMA / 2.0
PROFILE_MODELS = ("auto", "symmetric", "asymmetric")
# FWHM of a Gaussian = 2 sqrt(2 ln 2) sigma.
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
# Goldstein et al. (1977) single-scattering beam broadening, b = 6.25e5 (Z/E0)(rho/A)^0.5 t^1.5
# with b, t in cm and E0 in eV (Williams & Carter 2009, eq. 36.3).
GOLDSTEIN_PREFACTOR = 6.25e5
# Atomic numbers and standard atomic weights (IUPAC 2021, abridged), g mol-1.
ATOMS = {"Li": (3, 6.94), "O": (8, 15.999), "Al": (13, 26.982), "P": (15, 30.974), "Ti": (22, 47.867),
         "Mn": (25, 54.938), "Co": (27, 58.933), "Ni": (28, 58.693)}
# Formula units and X-ray densities (g cm-3) from the lattice parameters:
# LiNi1/3Co1/3Mn1/3O2, R-3m, a = 2.86 A, c = 14.22 A, Z = 3 -> 4.77 g cm-3 (N. Yabuuchi,
# T. Ohzuku, J. Power Sources 119-121, 171 (2003)); Li1.3Al0.3Ti1.7(PO4)3, R-3c, a = 8.50 A,
# c = 20.82 A, Z = 6 -> 2.94 g cm-3 (H. Aono et al., J. Electrochem. Soc. 137, 1023 (1990)).
FORMULAS = {
    "NMC111": ({"Li": 1.0, "Ni": 1 / 3, "Co": 1 / 3, "Mn": 1 / 3, "O": 2.0}, 4.77),
    "LATP": ({"Li": 1.3, "Al": 0.3, "Ti": 1.7, "P": 3.0, "O": 12.0}, 2.94),
}


def erf_step(x: np.ndarray, c_a: float, c_b: float, x0: float, sigma: float) -> np.ndarray:
    """The erf step from c_a (x << x0) to c_b (x >> x0) with standard deviation sigma."""
    return c_a + (c_b - c_a) / 2.0 * (1.0 + erf((x - x0) / (math.sqrt(2.0) * sigma)))


def erf_step_asym(x: np.ndarray, c_a: float, c_b: float, x0: float, sigma_left: float, sigma_right: float) -> np.ndarray:
    """Two-sided erf step: standard deviation sigma_left below x0 and sigma_right above it."""
    sigma = np.where(np.asarray(x) < x0, sigma_left, sigma_right)
    return c_a + (c_b - c_a) / 2.0 * (1.0 + erf((np.asarray(x) - x0) / (math.sqrt(2.0) * sigma)))


def _mean_z_a(formula: dict[str, float]) -> tuple[float, float]:
    """Atom-fraction mean atomic number and atomic weight of a formula."""
    n = sum(formula.values())
    z = sum(k * ATOMS[el][0] for el, k in formula.items()) / n
    a = sum(k * ATOMS[el][1] for el, k in formula.items()) / n
    return z, a


def beam_broadening_nm(mean_z: float, mean_a: float, density_g_cm3: float, thickness_nm: float, beam_energy_keV: float) -> float:
    """Goldstein et al. (1977) beam broadening b (nm) at the exit surface of a foil of thickness t."""
    t_cm = thickness_nm * 1e-7
    b_cm = GOLDSTEIN_PREFACTOR * (mean_z / (beam_energy_keV * 1e3)) * math.sqrt(density_g_cm3 / mean_a) * t_cm**1.5
    return b_cm * 1e7


def deconvolve_sigma(sigma: float, sigma_stderr: float, sigma_instrument: float) -> tuple[float, float]:
    """sqrt(sigma^2 - sigma_instrument^2) and its propagated stderr; NaN when not positive."""
    rest = sigma**2 - sigma_instrument**2
    if not (math.isfinite(rest) and rest > 0):
        return math.nan, math.nan
    corrected = math.sqrt(rest)
    return corrected, sigma / corrected * sigma_stderr


def _materials() -> dict[str, tuple[float, float, float]]:
    """MATERIALS: mean Z, mean A and density of NMC111, LATP and their 1:1 mean (the interface)."""
    out = {}
    for name, (formula, rho) in FORMULAS.items():
        out[name] = (*_mean_z_a(formula), rho)
    out["NMC111/LATP"] = tuple((a + b) / 2.0 for a, b in zip(out["NMC111"], out["LATP"]))
    return out


MATERIALS = _materials()


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
    result["rss"] = float(np.sum((y - erf_step(x, *popt)) ** 2))
    result["n"] = int(x.size)
    result["bounds"] = (lower, upper)
    return result


def fit_asymmetric(x: np.ndarray, y: np.ndarray, symmetric: dict) -> dict | None:
    """Two-sided erf fit started from the symmetric one: values, stderrs, covariance, rss; None if it fails."""
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    v = symmetric["value"]
    lower, upper = symmetric["bounds"]
    lower = lower[:3] + [lower[3], lower[3]]
    upper = upper[:3] + [upper[3], upper[3]]
    sigma0 = min(v["sigma"], upper[3] * 0.99)
    p0 = (v["c_a"], v["c_b"], v["x0"], sigma0, sigma0)
    try:
        popt, pcov = curve_fit(erf_step_asym, x, y, p0=p0, bounds=(lower, upper), maxfev=10000)
    except (RuntimeError, ValueError):
        return None
    if not np.all(np.isfinite(pcov)):
        return None
    return {
        "value": dict(zip(ASYM_PARAMETERS, map(float, popt))),
        "stderr": dict(zip(ASYM_PARAMETERS, map(float, np.sqrt(np.diag(pcov))))),
        "cov": pcov,
        "rss": float(np.sum((y - erf_step_asym(x, *popt)) ** 2)),
    }


def f_test_p(rss_simple: float, rss_full: float, n: int, extra: int = 1, n_full: int = 5) -> float:
    """p-value of the extra-sum-of-squares F-test: does the full model fit significantly better?"""
    dof = n - n_full
    if dof <= 0 or not rss_full > 0:
        return math.nan
    f_value = max((rss_simple - rss_full) / extra, 0.0) / (rss_full / dof)
    return float(f_distribution.sf(f_value, extra, dof))


def fit_profile(x: np.ndarray, y: np.ndarray, model: str = "auto", p_threshold: float = 0.01) -> dict:
    """Symmetric erf fit, and the two-sided one where ``model`` asks for it or (auto) the F-test prefers it.

    The result has the symmetric fit's keys with ``sigma`` the mean of the two flanks'
    sigmas, plus ``sigma_left``/``sigma_right`` (equal for the symmetric model), ``model``
    ("erf" or "two-sided erf") and ``p_asymmetric`` (the F-test p-value).
    """
    result = fit_step(x, y)
    result["model"] = "erf"
    result["p_asymmetric"] = math.nan
    for key in ("sigma_left", "sigma_right"):
        result["value"][key] = result["value"]["sigma"]
        result["stderr"][key] = result["stderr"]["sigma"]
    if result["status"] == "failed" or model == "symmetric":
        return result
    asym = fit_asymmetric(x, y, result)
    if asym is None:
        if model == "asymmetric":
            result["note"] = "; ".join(filter(None, [result["note"], "two-sided erf fit failed: symmetric erf used"]))
        return result
    p_value = f_test_p(result["rss"], asym["rss"], result["n"])
    result["p_asymmetric"] = p_value
    if model == "auto" and not p_value < p_threshold:
        return result
    v, e, cov = asym["value"], asym["stderr"], asym["cov"]
    sigma = 0.5 * (v["sigma_left"] + v["sigma_right"])
    sigma_err = 0.5 * math.sqrt(max(cov[3, 3] + cov[4, 4] + 2.0 * cov[3, 4], 0.0))
    result["value"] = {**{k: v[k] for k in ASYM_PARAMETERS}, "sigma": sigma}
    result["stderr"] = {**{k: e[k] for k in ASYM_PARAMETERS}, "sigma": sigma_err}
    result["rss"] = asym["rss"]
    result["model"] = "two-sided erf"
    problems = [n for n in result["note"].split("; ") if n and not n.startswith("width uncertain") and n != "sigma at its bound"]
    lower, upper = result["bounds"]
    for side in ("sigma_left", "sigma_right"):
        if np.isclose(v[side], upper[3], rtol=1e-3) or np.isclose(v[side], lower[3], rtol=1e-3):
            problems.append(f"{side} at its bound")
    if sigma_err > MAX_RELATIVE_STDERR * sigma:
        problems.append(f"width uncertain (stderr {100 * sigma_err / sigma:.0f} % of the value)")
    result["status"] = "flagged" if problems else "ok"
    result["note"] = "; ".join(problems)
    return result


def model_curve(x: np.ndarray, fit: dict) -> np.ndarray:
    """The fitted profile of a :func:`fit_profile` result (NaN where the fit failed)."""
    v = fit["value"]
    if fit.get("model") == "two-sided erf":
        return erf_step_asym(x, *(v[k] for k in ASYM_PARAMETERS))
    return erf_step(x, *(v[k] for k in PARAMETERS))


def check_params(params: dict) -> tuple[list[str], list[str]]:
    """The film elements and the element selection from the ``edx`` config section."""
    params = {**schema_defaults("edx"), **(params or {})}
    film = params["film_elements"]
    chosen = params["elements"]
    for key, value in (("film_elements", film), ("elements", chosen)):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"edx.{key} must be a list of element symbols, got {value!r}")
    if not film:
        raise ValueError("edx.film_elements must name at least one element")
    return list(film), list(chosen)


def model_options(params: dict) -> tuple[str, float]:
    """``profile_model`` and ``asymmetry_p_value`` from the ``edx`` config section."""
    params = {**schema_defaults("edx"), **(params or {})}
    model = params["profile_model"]
    p_threshold = params["asymmetry_p_value"]
    if model not in PROFILE_MODELS:
        raise ValueError(f"edx.profile_model must be one of {PROFILE_MODELS}, got {model!r}")
    if not isinstance(p_threshold, (int, float)) or not 0.0 < float(p_threshold) < 1.0:
        raise ValueError(f"edx.asymmetry_p_value must be a number in (0, 1), got {p_threshold!r}")
    return model, float(p_threshold)


def instrument_sigma(params: dict, attrs: dict) -> dict:
    """Probe and beam-broadening sigmas (nm) from the config (and the file's beam energy), with notes.

    Returns {"enabled", "sigma_probe", "sigma_beam", "sigma", "beam_broadening_nm", "note"};
    ``enabled`` is False when neither probe_fwhm_nm nor specimen_thickness_nm is set.
    """
    probe = params.get("probe_fwhm_nm")
    thickness = params.get("specimen_thickness_nm")
    energy = params.get("beam_energy_keV")
    name = params.get("specimen_material", "NMC111/LATP")
    for key, value in (("probe_fwhm_nm", probe), ("specimen_thickness_nm", thickness), ("beam_energy_keV", energy)):
        if value is not None and not (isinstance(value, (int, float)) and value >= 0):
            raise ValueError(f"edx.{key} must be a number >= 0 or null, got {value!r}")
    if name not in MATERIALS:
        raise ValueError(f"edx.specimen_material must be one of {list(MATERIALS)}, got {name!r}")
    out = {"enabled": probe is not None or thickness is not None, "sigma_probe": 0.0, "sigma_beam": 0.0,
           "sigma": math.nan, "beam_broadening_nm": math.nan, "note": "", "beam_energy_keV": math.nan}
    if not out["enabled"]:
        out["note"] = "no probe size or specimen thickness configured: widths not corrected"
        return out
    notes = []
    if probe is not None:
        out["sigma_probe"] = float(probe) / FWHM_PER_SIGMA
    if thickness is not None:
        if energy is None:
            energy = attrs.get("beam_energy_keV")
        energy = float(energy) if energy is not None else math.nan
        if math.isfinite(energy) and energy > 0:
            b = beam_broadening_nm(*MATERIALS[name], float(thickness), energy)
            out["beam_broadening_nm"] = b
            out["beam_energy_keV"] = energy
            out["sigma_beam"] = b / FWHM_PER_SIGMA
        else:
            out["sigma_beam"] = math.nan
            notes.append("specimen thickness given but no beam energy (edx.beam_energy_keV or the file): not corrected")
    out["sigma"] = math.sqrt(out["sigma_probe"] ** 2 + out["sigma_beam"] ** 2)
    out["note"] = "; ".join(notes)
    return out


def _corrected_widths(fits: dict[str, dict], instrument: dict) -> dict[str, tuple[float, float, str]]:
    """Per element: the broadening-corrected 10-90 % width, its stderr and a note."""
    out = {}
    for el, fit in fits.items():
        if not instrument["enabled"] or fit["status"] == "failed":
            out[el] = (math.nan, math.nan, "")
            continue
        if not math.isfinite(instrument["sigma"]):
            out[el] = (math.nan, math.nan, instrument["note"])
            continue
        sigma, err = deconvolve_sigma(fit["value"]["sigma"], fit["stderr"]["sigma"], instrument["sigma"])
        note = "" if math.isfinite(sigma) else (
            f"probe+beam broadening (sigma {instrument['sigma']:.3g} nm) exceeds the measured sigma {fit['value']['sigma']:.3g} nm"
        )
        out[el] = (WIDTH_PER_SIGMA * sigma, WIDTH_PER_SIGMA * err, note)
    return out


def _element_vars(fits: dict[str, dict], unit: str) -> dict[str, xr.Variable]:
    """The per-element parameter variables (with stderr companions) of the fit dataset."""
    names = list(fits)
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
    out["profile_model"] = datasets.variable(
        "element", np.array([fits[e].get("model", "erf") for e in names], dtype=object), "1", "model used: erf or two-sided erf"
    )
    out["p_asymmetric"] = datasets.variable(
        "element", [fits[e].get("p_asymmetric", math.nan) for e in names], "1", "F-test p-value of the two-sided erf against the erf"
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
    if "energy" in clean.dims:  # X-ray spectra as measured: quantify them first
        from interphase.edx.quantify import composition_line

        clean = composition_line(clean, params)
    film, chosen = check_params(params)
    model, p_threshold = model_options(params)
    instrument = instrument_sigma(params, dict(clean.attrs))
    x = np.asarray(clean["distance"].values, dtype=float)
    present = [str(e) for e in clean["element"].values]
    selected = [e for e in chosen if e in present] if chosen else present
    notes = []
    missing = [e for e in chosen if e not in present]
    if missing:
        notes.append(f"elements not in the file: {', '.join(missing)}")
    composition = clean["composition"].sel(element=selected) if selected else clean["composition"].isel(element=[])
    unit = clean["composition"].attrs["units"]
    fits = {e: fit_profile(x, np.asarray(composition.sel(element=e).values, dtype=float), model, p_threshold) for e in selected}
    curves = np.column_stack([model_curve(x, fits[e]) for e in selected]) if selected else np.empty((x.size, 0))
    corrected = _corrected_widths(fits, instrument)

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
        "interdiffusion_width_corrected": datasets.variable(
            "element", [corrected[e][0] for e in selected], "nm",
            "10-90 % width corrected for probe and beam broadening (sigma^2 = sigma_meas^2 - sigma_probe^2 - sigma_beam^2)",
        ),
        "interdiffusion_width_corrected_stderr": datasets.variable(
            "element", [corrected[e][1] for e in selected], "nm", "standard error of interdiffusion_width_corrected"
        ),
        "correction_note": datasets.variable(
            "element", np.array([corrected[e][2] for e in selected], dtype=object), "1", "why no corrected width"
        ),
        "sigma_probe": datasets.variable((), instrument["sigma_probe"], "nm", "probe sigma (probe FWHM / 2.355)"),
        "sigma_beam": datasets.variable((), instrument["sigma_beam"], "nm", "beam-broadening sigma (Goldstein b / 2.355)"),
        "beam_broadening": datasets.variable((), instrument["beam_broadening_nm"], "nm", "Goldstein et al. (1977) beam broadening b"),
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
            "fit_model": "C(x) = C_a + (C_b - C_a)/2 * (1 + erf((x - x0)/(sqrt(2) sigma))); two-sided: sigma_left below x0, sigma_right above",
            "profile_model_option": model,
            "asymmetry_p_value": p_threshold,
            "broadening_correction": int(instrument["enabled"]),
            "broadening_note": instrument["note"],
            "specimen_material": str(params.get("specimen_material", "NMC111/LATP")),
            "broadening_reference": "Goldstein et al., SEM/1977 vol. 1, p. 315; Williams & Carter, TEM 2nd ed. (2009), eq. 36.3",
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
    """Summary rows: interdiffusion_width (and _corrected when configured) per element, the interface position (nm)."""
    out = []
    corrected = bool(fit.attrs.get("broadening_correction", 0)) and "interdiffusion_width_corrected" in fit
    for i, element in enumerate(fit["element"].values):
        status = str(fit["element_status"].values[i])
        width = float(fit["interdiffusion_width"].values[i])
        note = str(fit["element_note"].values[i])
        if "profile_model" in fit and str(fit["profile_model"].values[i]) == "two-sided erf":
            left, right = (float(fit[k].values[i]) for k in ("sigma_left", "sigma_right"))
            p_value = float(fit["p_asymmetric"].values[i])
            model_note = f"two-sided erf (F-test p = {p_value:.2g}): sigma_left {left:.3g} nm, sigma_right {right:.3g} nm"
            note = "; ".join(filter(None, [note, model_note]))
        out.append(
            row(
                "interdiffusion_width",
                None if status == "failed" else width,
                "nm",
                stderr=None if status == "failed" else float(fit["interdiffusion_width_stderr"].values[i]),
                element=str(element),
                status=status,
                note=note,
            )
        )
        if corrected:
            value = float(fit["interdiffusion_width_corrected"].values[i])
            why = str(fit["correction_note"].values[i])
            ok = status != "failed" and math.isfinite(value)
            out.append(
                row(
                    "interdiffusion_width_corrected",
                    value if ok else None,
                    "nm",
                    stderr=float(fit["interdiffusion_width_corrected_stderr"].values[i]) if ok else None,
                    element=str(element),
                    status=status if ok else "failed",
                    note=note if ok else (why or note or "no width"),
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
