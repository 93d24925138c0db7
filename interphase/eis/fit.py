"""Equivalent-circuit fit of an impedance spectrum: R_ct, R_ct × area, lin-KK check.

The fit itself is impedance.py's ``CustomCircuit.fit`` (scipy ``curve_fit``, trust-region
reflective with bounds): a maintained, citable library (Murbach et al., JOSS 5 (2020) 2349)
that parses circuit strings and gives parameter covariances. What it lacks, and this
module adds, is a start: local least squares on a spectrum whose arcs span six decades
of resistance only converges from a good initial guess. Guesses come from the spectrum's
geometry (high-frequency intercept, arc apexes of -Z'', the low-frequency tail), and a few
starts are fitted, keeping the lowest weighted chi-square (impedance.py's global
optimiser, basinhopping, takes ~30 s a spectrum).

Parallel R-CPE (or R-C) pairs in series are interchangeable in the model; after the fit
they are put in order of increasing time constant, so the first pair in the circuit
string is the highest-frequency arc (R1 = grain boundary, R2 = charge transfer for the
default circuit).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from interphase import datasets, summary
from interphase.eis.lin_kk import lin_kk

WEIGHTINGS = ("modulus", "proportional", "unit")
MIN_POINTS = 10
# Starting CPE exponents: ~0.85 for depressed arcs of solid interfaces, ~0.6 for a diffusion tail
# (Orazem & Tribollet, Electrochemical Impedance Spectroscopy, 2nd ed., ch. 14).
N_ARC_START = 0.85
N_TAIL_START = 0.6
# Bounds on CPE exponents: an arc below 0.5 is no longer an arc; a tail may go down to 0.2.
N_ARC_BOUNDS = (0.5, 1.0)
N_TAIL_BOUNDS = (0.2, 1.0)
# Resistances may not exceed this multiple of the largest |Z| measured.
R_UPPER_FACTOR = 1e3
# Fraction of |Z| below which a proportional-weighting sigma is not allowed to fall.
SIGMA_FLOOR = 1e-3

_PAIR_RE = re.compile(r"p\((R\w*),((?:CPE|C)\w*)\)|p\(((?:CPE|C)\w*),(R\w*)\)")
_UNITS = {"Ohm": "ohm", "Ohm^-1 sec^a": "ohm-1 s^n", "": "1", "F": "F", "H": "H", "Ohm sec^-1/2": "ohm s-1/2", "sec": "s"}


@dataclass(frozen=True)
class Pair:
    """A parallel resistor-capacitive element pair 'p(R, CPE)' of the circuit."""

    r: str
    c: str


def pairs_of(circuit: str) -> list[Pair]:
    """The parallel R-CPE / R-C pairs in circuit order."""
    out = []
    for m in _PAIR_RE.finditer(circuit.replace(" ", "")):
        r, c = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out.append(Pair(r, c))
    return out


def element_kind(name: str) -> str:
    """The element type of a circuit element name ('CPE1' -> 'CPE', 'R0' -> 'R')."""
    return re.match(r"[A-Za-z]+", name).group(0)


def check_params(params: dict) -> dict:
    """The EIS parameters with defaults; ValueError for values the schema would refuse."""
    p = {
        "circuit": "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3",
        "rct_element": "R2",
        "weighting": "modulus",
        "kk_residual_limit_percent": 2.0,
        "closure_margin_decades": 0.3,
        "frequency_min_Hz": None,
        "frequency_max_Hz": None,
        **(params or {}),
    }
    if p["weighting"] not in WEIGHTINGS:
        raise ValueError(f"eis.weighting must be one of {WEIGHTINGS}, got {p['weighting']!r}")
    if not p["kk_residual_limit_percent"] > 0:
        raise ValueError("eis.kk_residual_limit_percent must be > 0")
    if p["closure_margin_decades"] < 0:
        raise ValueError("eis.closure_margin_decades must be >= 0")
    return p


def circuit_problem(circuit: str, rct_element: str) -> str:
    """Why impedance.py cannot use the circuit with this Rct element ('' when it can)."""
    from impedance.models.circuits import CustomCircuit
    from impedance.models.circuits.fitting import calculateCircuitLength, extract_circuit_elements

    try:
        n = calculateCircuitLength(circuit)
        model = CustomCircuit(circuit, initial_guess=[1.0] * n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.predict(np.array([1.0, 10.0]), use_initial=True)
        names = model.get_param_names()[0]
    except Exception as exc:  # impedance.py raises ValueError, SyntaxError, NameError... for bad strings
        return f"circuit {circuit!r} rejected by impedance.py: {type(exc).__name__}: {exc}"
    if rct_element not in names or element_kind(rct_element) != "R":
        return f"rct_element {rct_element!r} is not a resistor of circuit {circuit!r} (elements {', '.join(extract_circuit_elements(circuit))})"
    return ""


def data_problem(f: np.ndarray, z: np.ndarray) -> str:
    """Why a spectrum cannot be fitted ('' when it can)."""
    if f.size < MIN_POINTS:
        return f"only {f.size} points (at least {MIN_POINTS} needed)"
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(z.real)) and np.all(np.isfinite(z.imag))):
        return "NaN or infinite values in frequency or impedance"
    if np.any(f <= 0):
        return "non-positive frequencies"
    return ""


@dataclass(frozen=True)
class Geometry:
    """What the spectrum's shape says: intercepts, arc apexes, the low-frequency tail."""

    r_hf: float
    r_arcs: float
    peaks: tuple[tuple[float, float], ...]  # (apex frequency Hz, -Z'' at apex), highest first
    tail_n: float
    tail_q: float
    f_min: float
    f_max: float


def geometry(f: np.ndarray, z: np.ndarray) -> Geometry:
    """Read the arcs and the tail off the spectrum (f decreasing)."""
    from scipy.signal import find_peaks

    mz = -z.imag
    r_hf = max(float(np.min(z.real[: max(3, f.size // 20)])), 0.0)
    idx, props = find_peaks(mz, prominence=0.0)
    keep = [i for i, p in zip(idx, props["prominences"]) if p > 0.01 * np.max(np.abs(mz))]
    peaks = sorted(((float(f[i]), float(mz[i])) for i in keep), key=lambda t: -t[1])
    # End of the arcs: the -Z'' minimum below the lowest-frequency peak, else the last point.
    last_peak = max(keep) if keep else 0
    tail_start = last_peak + int(np.argmin(mz[last_peak:]))
    r_lf = float(z.real[tail_start])
    r_arcs = max(r_lf - r_hf, 1e-3 * float(np.max(np.abs(z))))
    w_low = 2 * math.pi * f[-3:]
    slope = np.polyfit(np.log(w_low), np.log(np.clip(mz[-3:], 1e-12, None)), 1)[0]
    has_tail = slope < -0.2 and tail_start < f.size - 1
    tail_n = float(np.clip(-slope, 0.3, 0.95)) if has_tail else N_TAIL_START
    z_tail = mz[-1] / math.sin(tail_n * math.pi / 2) if has_tail else 0.3 * r_arcs
    tail_q = 1.0 / (max(z_tail, 1e-9) * (2 * math.pi * f[-1]) ** tail_n)
    return Geometry(r_hf, r_arcs, tuple(peaks), tail_n, float(tail_q), float(f[-1]), float(f[0]))


def arc_starts(g: Geometry, n_pairs: int) -> list[list[tuple[float, float]]]:
    """Candidate (apex frequency, R) per pair, highest frequency first, for a few hypotheses."""
    if n_pairs == 0:
        return [[]]
    height_to_r = 2.0 / math.tan(N_ARC_START * math.pi / 4)  # -Z''max = R/2 tan(nπ/4) for R||CPE
    found = [(fa, h * height_to_r) for fa, h in g.peaks[:n_pairs]]
    total = sum(r for _, r in found)
    if total > g.r_arcs and total > 0:
        found = [(fa, r * g.r_arcs / total) for fa, r in found]
    filler_r = 0.05 * g.r_arcs
    starts = []
    n_missing = n_pairs - len(found)
    f_top = max([fa for fa, _ in found], default=math.sqrt(g.f_min * g.f_max))
    f_bottom = min([fa for fa, _ in found], default=math.sqrt(g.f_min * g.f_max))
    above = [(math.sqrt(g.f_max * f_top) * 3.0**k, filler_r) for k in range(n_missing)]
    below = [(f_bottom / 30.0 / 3.0**k, filler_r) for k in range(n_missing)]
    for fillers in (above, below):
        starts.append(sorted(found + fillers, key=lambda t: -t[0]))
    log_f = np.linspace(math.log10(g.f_max), math.log10(g.f_min), n_pairs + 2)[1:-1]
    starts.append([(10.0**lf, g.r_arcs / n_pairs) for lf in log_f])
    unique = []
    for s in starts:
        if s not in unique:
            unique.append(s)
    return unique


def initial_guess(names: list[str], circuit: str, g: Geometry, arcs: list[tuple[float, float]], tail_scale: float) -> list[float]:
    """A full parameter vector for impedance.py from one arc hypothesis."""
    pairs = pairs_of(circuit)
    paired = {p.r: i for i, p in enumerate(pairs)} | {p.c: i for i, p in enumerate(pairs)}
    series_r = [n for n in names if element_kind(n) == "R" and n not in paired]
    guess = []
    for name in names:
        element, _, index = name.partition("_")
        kind = element_kind(element)
        if element in paired:
            fa, r = arcs[paired[element]]
            w = 2 * math.pi * fa
            if kind == "R":
                guess.append(r)
            elif kind == "CPE":
                guess.append(1.0 / (r * w**N_ARC_START) if index == "0" else N_ARC_START)
            else:  # C
                guess.append(1.0 / (r * w))
        elif kind == "R":
            guess.append(max(g.r_hf, 1e-3 * g.r_arcs) / max(len(series_r), 1))
        elif kind == "CPE":
            guess.append(g.tail_q * tail_scale if index == "0" else g.tail_n)
        elif kind == "C":
            guess.append(g.tail_q * tail_scale)
        elif kind in ("L", "La"):
            guess.append(1e-7 if index in ("", "0") else 0.9)
        else:  # W, Wo, Ws, G, ...: a resistance-like scale, then a time constant
            guess.append(g.r_arcs if index in ("", "0") else 1.0)
    return guess


def bounds_for(names: list[str], circuit: str, z_max: float) -> tuple[list[float], list[float]]:
    """Lower and upper bounds: resistances in [0, 1e3 max|Z|], CPE exponents in their ranges."""
    paired = {p.c for p in pairs_of(circuit)}
    lower, upper = [], []
    for name in names:
        element, _, index = name.partition("_")
        kind = element_kind(element)
        if kind == "CPE" and index == "1":
            lo, hi = N_ARC_BOUNDS if element in paired else N_TAIL_BOUNDS
        elif kind == "R":
            lo, hi = 0.0, R_UPPER_FACTOR * z_max
        elif kind in ("L", "La") and index == "1":
            lo, hi = 0.0, 1.0
        else:
            lo, hi = 0.0, np.inf
        lower.append(lo)
        upper.append(hi)
    return lower, upper


def sigma_for(z: np.ndarray, weighting: str) -> np.ndarray | None:
    """Standard deviations of the stacked real and imaginary residuals for a weighting scheme."""
    mod = np.abs(z)
    if weighting == "modulus":
        return np.hstack([mod, mod])
    if weighting == "proportional":
        floor = SIGMA_FLOOR * mod
        return np.hstack([np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)])
    return None


def chi_square(z: np.ndarray, z_fit: np.ndarray, sigma: np.ndarray | None) -> float:
    """Weighted sum of squared residuals of the real and imaginary parts."""
    res = np.hstack([(z_fit - z).real, (z_fit - z).imag])
    if sigma is not None:
        res = res / sigma
    return float(np.sum(res**2))


def order_pairs(circuit: str, names: list[str], values: np.ndarray, errors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Swap interchangeable R-CPE pairs so their time constants increase in circuit order."""
    pairs = [p for p in pairs_of(circuit) if element_kind(p.c) == "CPE"]
    if len(pairs) < 2:
        return values, errors
    values, errors = values.copy(), errors.copy()
    blocks = [[names.index(p.r), names.index(p.c + "_0"), names.index(p.c + "_1")] for p in pairs]
    taus = [time_constant(values[b[0]], values[b[1]], values[b[2]]) for b in blocks]
    order = np.argsort(taus, kind="stable")
    new_v, new_e = values.copy(), errors.copy()
    for target, source in zip(blocks, [blocks[i] for i in order]):
        new_v[target], new_e[target] = values[source], errors[source]
    return new_v, new_e


def time_constant(r: float, q: float, n: float) -> float:
    """τ = (R Q)^(1/n) of an R||CPE element (τ = R C for n = 1)."""
    if r <= 0 or q <= 0 or n <= 0:
        return math.nan
    return float((r * q) ** (1.0 / n))


def fit_spectrum(f: np.ndarray, z: np.ndarray, circuit: str, weighting: str):
    """Multi-start fit; returns (values, stderr, z_fit, chi_square, names, units, n_starts)."""
    from impedance.models.circuits import CustomCircuit
    from impedance.models.circuits.fitting import calculateCircuitLength

    n = calculateCircuitLength(circuit)
    probe = CustomCircuit(circuit, initial_guess=[1.0] * n)
    names, units = probe.get_param_names()
    g = geometry(f, z)
    lower, upper = bounds_for(names, circuit, float(np.max(np.abs(z))))
    sigma = sigma_for(z, weighting)
    best = None
    starts = [(arcs, scale) for arcs in arc_starts(g, len(pairs_of(circuit))) for scale in (1.0, 0.1)]
    for arcs, scale in starts:
        guess = np.clip(initial_guess(names, circuit, g, arcs, scale), lower, upper)
        guess = np.where(guess <= np.asarray(lower), np.asarray(lower) + 1e-12, guess)
        model = CustomCircuit(circuit, initial_guess=list(guess))
        kwargs = {"x_scale": "jac"}
        if sigma is not None:
            kwargs["sigma"] = sigma
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(f, z, bounds=(lower, upper), **kwargs)
        except (RuntimeError, ValueError, np.linalg.LinAlgError):
            continue
        z_fit = model.predict(f)
        chi2 = chi_square(z, z_fit, sigma)
        if best is None or chi2 < best[0]:
            conf = np.asarray(model.conf_ if model.conf_ is not None else [math.nan] * n, dtype=float)
            best = (chi2, np.asarray(model.parameters_, dtype=float), conf)
    if best is None:
        return None
    chi2, values, errors = best
    values, errors = order_pairs(circuit, names, values, errors)
    z_fit = _predict(circuit, values, f)
    return values, errors, z_fit, chi_square(z, z_fit, sigma), names, units, len(starts)


def _predict(circuit: str, values: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The circuit's impedance for given parameter values."""
    from impedance.models.circuits.fitting import wrapCircuit

    stacked = wrapCircuit(circuit, {})(f, *values)
    return stacked[: f.size] + 1j * stacked[f.size :]


def window(clean: xr.Dataset, fmin, fmax) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and complex impedance inside [fmin, fmax] (None = open), high to low."""
    f = np.asarray(clean["frequency"].values, dtype=float)
    z = np.asarray(clean["z_real"].values, dtype=float) + 1j * np.asarray(clean["z_imag"].values, dtype=float)
    keep = np.ones(f.size, dtype=bool)
    if fmin is not None:
        keep &= f >= float(fmin)
    if fmax is not None:
        keep &= f <= float(fmax)
    return f[keep], z[keep]


def closure_note(values: dict, rct: str, circuit: str, f_min: float, f_max: float, margin: float) -> tuple[float, str]:
    """Apex frequency of the Rct arc and a note when it lies outside the window shrunk by ``margin`` decades."""
    pair = next((p for p in pairs_of(circuit) if p.r == rct), None)
    if pair is None:
        return math.nan, ""
    if element_kind(pair.c) == "CPE":
        tau = time_constant(values[rct], values[pair.c + "_0"], values[pair.c + "_1"])
    else:
        tau = time_constant(values[rct], values[pair.c], 1.0)
    if not math.isfinite(tau):
        return math.nan, f"{rct} arc time constant undefined"
    f_apex = 1.0 / (2 * math.pi * tau)
    lo, hi = f_min * 10**margin, f_max / 10**margin
    if not lo <= f_apex <= hi:
        return f_apex, (
            f"arc does not close inside the measured window: {rct} apex at {f_apex:.3g} Hz, "
            f"outside [{lo:.3g}, {hi:.3g}] Hz"
        )
    return f_apex, ""


def scalar(value: float, units: str, long_name: str) -> xr.Variable:
    """A 0-d variable with units and long_name."""
    return datasets.variable((), float(value), units, long_name)


def base_dataset(clean: xr.Dataset, f: np.ndarray, z: np.ndarray, p: dict) -> xr.Dataset:
    """The fit dataset's measured data and common attributes."""
    ds = xr.Dataset(
        {
            "z_real": datasets.variable("frequency", z.real, "ohm", "measured real part of the impedance"),
            "z_imag": datasets.variable("frequency", z.imag, "ohm", "measured imaginary part of the impedance"),
        },
        coords={"frequency": datasets.variable("frequency", f, "Hz", "frequency of the AC perturbation")},
    )
    ds.attrs = dict(clean.attrs)
    ds.attrs.update(
        {
            "circuit": p["circuit"],
            "rct_element": p["rct_element"],
            "weighting": p["weighting"],
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


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Fit the circuit to the spectrum; R_ct, R_ct × area with errors, lin-KK residual, status."""
    p = check_params(params)
    f, z = window(clean, p["frequency_min_Hz"], p["frequency_max_Hz"])
    ds = base_dataset(clean, f, z, p)
    problem = data_problem(f, z) or circuit_problem(p["circuit"], p["rct_element"])
    if problem:
        return failed(ds, problem)
    result = fit_spectrum(f, z, p["circuit"], p["weighting"])
    if result is None:
        return failed(ds, "no start of the least-squares fit converged")
    values, errors, z_fit, chi2, names, units, n_starts = result
    by_name = dict(zip(names, values))
    for name, value, error, unit in zip(names, values, errors, units):
        udunit = _UNITS.get(unit, unit)
        ds[name] = scalar(value, udunit, f"circuit parameter {name}")
        ds[f"{name}_stderr"] = scalar(error, udunit, f"standard error of {name}")
    ds["z_real_fit"] = datasets.variable("frequency", z_fit.real, "ohm", "model real part of the impedance")
    ds["z_imag_fit"] = datasets.variable("frequency", z_fit.imag, "ohm", "model imaginary part of the impedance")
    mod = np.abs(z)
    ds["residual_real"] = datasets.variable("frequency", 100 * (z - z_fit).real / mod, "percent", "fit residual of the real part, percent of |Z|")
    ds["residual_imag"] = datasets.variable("frequency", 100 * (z - z_fit).imag / mod, "percent", "fit residual of the imaginary part, percent of |Z|")
    f_model = np.logspace(math.log10(f.max()), math.log10(f.min()), 20 * max(int(math.ceil(math.log10(f.max() / f.min()))), 1) + 1)
    z_model = _predict(p["circuit"], values, f_model)
    ds = ds.assign_coords(frequency_model=datasets.variable("frequency_model", f_model, "Hz", "frequency of the model curve"))
    ds["z_real_model"] = datasets.variable("frequency_model", z_model.real, "ohm", "model real part on a dense frequency grid")
    ds["z_imag_model"] = datasets.variable("frequency_model", z_model.imag, "ohm", "model imaginary part on a dense frequency grid")

    rct = p["rct_element"]
    area = float(clean.attrs.get("electrode_area_cm2", math.nan))
    r_ct, r_ct_err = float(by_name[rct]), float(errors[names.index(rct)])
    ds["R_ct"] = scalar(r_ct, "ohm", f"charge-transfer resistance ({rct})")
    ds["R_ct_stderr"] = scalar(r_ct_err, "ohm", "standard error of R_ct")
    ds["R_ct_area"] = scalar(r_ct * area, "ohm cm2", "area-specific charge-transfer resistance (R_ct x electrode area)")
    ds["R_ct_area_stderr"] = scalar(r_ct_err * area, "ohm cm2", "standard error of R_ct_area")
    ds["chi_square"] = scalar(chi2, "1", f"weighted sum of squared residuals ({p['weighting']} weighting)")

    kk = lin_kk(f, z)
    ds["kk_residual_real"] = datasets.variable("frequency", 100 * kk.residual_real, "percent", "lin-KK residual of the real part, percent of |Z|")
    ds["kk_residual_imag"] = datasets.variable("frequency", 100 * kk.residual_imag, "percent", "lin-KK residual of the imaginary part, percent of |Z|")
    ds["kk_residual_max"] = scalar(kk.max_percent, "percent", "largest lin-KK residual, percent of |Z|")
    f_apex, closure = closure_note(by_name, rct, p["circuit"], float(f.min()), float(f.max()), p["closure_margin_decades"])
    ds["rct_apex_frequency"] = scalar(f_apex, "Hz", f"apex frequency 1/(2 pi tau) of the {rct} arc")

    notes = []
    if kk.max_percent > p["kk_residual_limit_percent"]:
        notes.append(f"lin-KK residual {kk.max_percent:.2g} % exceeds {p['kk_residual_limit_percent']:g} %")
    if closure:
        notes.append(closure)
    if not math.isfinite(area) or area <= 0:
        notes.append("electrode area unknown: R_ct_area is NaN")
    ds.attrs.update(
        {
            "status": "flagged" if notes else "ok",
            "status_note": "; ".join(notes),
            "fit_starts": n_starts,
            "kk_n_rc": kk.n_rc,
            "kk_mu": kk.mu,
        }
    )
    return ds


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows R_ct, R_ct_area and kk_residual_max at the spectrum's DC potential."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    potential = fit.attrs.get("dc_potential_V", math.nan)

    def value(name: str) -> float:
        return float(fit[name].values) if name in fit else math.nan

    return [
        summary.row("R_ct", value("R_ct"), "ohm", stderr=value("R_ct_stderr"), potential_V=potential, status=status, note=note),
        summary.row("R_ct_area", value("R_ct_area"), "ohm cm2", stderr=value("R_ct_area_stderr"), potential_V=potential, status=status, note=note),
        summary.row("kk_residual_max", value("kk_residual_max"), "percent", potential_V=potential, status=status, note=note),
    ]
