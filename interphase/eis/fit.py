"""Equivalent-circuit fit of an impedance spectrum: R_ct, R_ct × area, lin-KK check.

Library: impedance.py (Murbach et al., JOSS 5 (2020) 2349), maintained and citable. It
parses the circuit string, supplies the element impedances, and its
``CustomCircuit(circuit, initial_guess=...).fit`` gives the final parameters. What it
lacks, and this module adds:

- starts: local least squares on spectra whose arcs span six decades of resistance only
  converges from a good guess. Guesses come from a global grid search over the arcs' time
  constants with the resistances solved linearly (:mod:`interphase.eis.separable`), from the
  DRT peaks and from the spectrum's geometry (high-frequency intercept, -Z'' apexes, the
  low-frequency tail); each is fitted in log(parameters) with scipy ``least_squares`` (R and
  CPE Q span 15 orders of magnitude, which the linear parameterisation handles badly), the
  best is polished by ``CustomCircuit.fit``. impedance.py's own global optimiser
  (basinhopping) takes ~30 s a spectrum; this takes ~1 s.
- arcs the data do not resolve: a grain-boundary arc of 100 ohm under a charge-transfer arc
  of 1e6 ohm is below the noise; the fit then uses the spare R||CPE pair to split the big
  arc or the tail in two, and time-constant order names the wrong arc R_ct. So the circuit
  without its first (highest-frequency) pairs is fitted too and kept when its BIC is lower or
  when an arc resistance of the full circuit is within 2 standard errors of zero (see
  :func:`fit_spectrum`); the dropped elements are reported as NaN with a note.
- standard errors: computed in log(parameters) (see :func:`standard_errors`), because
  curve_fit's covariance (impedance.py's ``conf_``) loses the resistances' variances to
  the Jacobian's 1e14 column-scale spread.
- speed: the circuit string is parsed once (:func:`compile_circuit`) instead of being
  rebuilt and eval'ed at every call.
- DRT (:mod:`interphase.eis.drt`): computed first; its peaks (time constant, resistance)
  give one more start hypothesis, and γ(τ) and the peaks go into the fit dataset.
- bootstrap (``eis.bootstrap`` = B > 0): a residual bootstrap of R_ct (Efron & Tibshirani,
  An Introduction to the Bootstrap, 1993, ch. 9.5): B spectra model + resampled residuals
  (relative to |Z_model| for modulus/proportional weighting), each refitted from the best
  parameters; the standard deviation of the B R_ct values replaces the covariance estimate.

Parallel R-CPE (or R-C) pairs in series are interchangeable in the model; after the fit
they are put in order of increasing time constant, so the first pair in the circuit
string is the highest-frequency arc (R1 = grain boundary, R2 = charge transfer for the
default circuit).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from interphase import datasets, summary
from interphase.defaults import schema_defaults
from interphase.eis import drt as drt_module
from interphase.eis import separable
from interphase.eis.separable import kind_of
from interphase.eis.lin_kk import KKResult, lin_kk

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
# A -Z'' maximum counts as an arc apex when its prominence exceeds these fractions of the
# largest -Z'' and of the local |Z| (noise bumps on a tail are ~1 % of |Z|).
PEAK_MIN_PROMINENCE = 0.01
PEAK_MIN_PROMINENCE_OF_Z = 0.02
# An arc is seen only where R_ct outweighs the series capacitive tail (a diffusion CPE, a
# Warburg); and an R||CPE arc that has not closed, absorbed by the tail, looks like a tail
# (an unclosed n ~ 0.8 arc plus a 0.5 tail fits as one n ~ 0.6 tail). See closure_note.
TAIL_TO_RCT = 1.0
# Evaluation budgets of the log-parameter least squares: short runs from every start, then
# long runs from the N_REFINE best.
MAX_NFEV_EXPLORE = 60
MAX_NFEV_REFINE = 2000
N_REFINE = 3
# Starts taken from the separable grid search (the best distinct grid points).
N_GRID_STARTS = 8
# A circuit whose arc resistance lies within this many standard errors of zero (its ~95 %
# confidence interval includes zero) is not supported by the data (Orazem & Tribollet,
# Electrochemical Impedance Spectroscopy, 2nd ed., 2017, ch. 19: drop such parameters).
CI_FACTOR = 2.0
# Arcs closer than this in time constant are not told apart: two R||CPE arcs with n ~ 0.8 less
# than a decade apart show as one distorted arc (a rule of thumb, see docs/eis.md, Known limits).
ARC_SEPARATION_DECADES = 1.0
# Fixed seed of the residual bootstrap, so that a rerun gives the same standard errors.
BOOTSTRAP_SEED = 20150483
# Central-difference step of the covariance Jacobian (in log units for scale parameters).
COV_STEP = 1e-5

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


_TOKEN_RE = re.compile(r"p\(|[A-Za-z]+[A-Za-z0-9_]*|[(),-]")


def compile_circuit(circuit: str):
    """A fast evaluator ``(f, values) -> Z`` of an impedance.py circuit string.

    impedance.py's ``wrapCircuit`` rebuilds and evals a source string on every call
    (~1 ms, most of a multi-start fit's time); here the string is parsed once and the
    same impedance.py element functions (``circuit_elements``) are called directly.
    Parameters are taken in order of appearance, as impedance.py does.
    """
    from impedance.models.circuits.elements import circuit_elements

    tokens = _TOKEN_RE.findall(circuit.replace(" ", ""))
    position = [0]
    n_params = [0]

    def peek():
        return tokens[position[0]] if position[0] < len(tokens) else ""

    def take():
        position[0] += 1
        return tokens[position[0] - 1]

    def series():
        items = [item()]
        while peek() == "-":
            take()
            items.append(item())
        return ("s", items)

    def item():
        token = take()
        if token == "p(":
            branches = [series()]
            while peek() == ",":
                take()
                branches.append(series())
            if take() != ")":
                raise ValueError(f"unbalanced parentheses in circuit {circuit!r}")
            return ("p", branches)
        function = circuit_elements[kind_of(token)]
        start = n_params[0]
        n_params[0] += function.num_params
        return ("e", function, start, function.num_params)

    tree = series()
    if position[0] != len(tokens):
        raise ValueError(f"unexpected {tokens[position[0]]!r} in circuit {circuit!r}")

    def evaluate(node, f, values):
        if node[0] == "e":
            _, function, start, n = node
            return np.asarray(function([float(v) for v in values[start : start + n]], f), dtype=complex)
        parts = [evaluate(child, f, values) for child in node[1]]
        if node[0] == "s":
            return np.sum(parts, axis=0)
        return 1.0 / np.sum([1.0 / part for part in parts], axis=0)

    def impedance(f, values):
        return evaluate(tree, np.asarray(f, dtype=float), values)

    return impedance


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
    if isinstance(p["bootstrap"], bool) or not isinstance(p["bootstrap"], (int, np.integer)) or p["bootstrap"] < 0:
        raise ValueError(f"eis.bootstrap must be an integer >= 0, got {p['bootstrap']!r}")
    lam = p["drt_lambda"]
    if isinstance(lam, str) and lam not in drt_module.LAMBDA_CHOICES or isinstance(lam, bool) or (
        not isinstance(lam, str) and not (isinstance(lam, (int, float)) and lam > 0)
    ):
        raise ValueError(f"eis.drt_lambda must be 'gcv', 'lcurve' or a positive number, got {lam!r}")
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
    if rct_element not in names or kind_of(rct_element) != "R":
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
    values, counts = np.unique(f, return_counts=True)
    if np.any(counts > 1):
        dup = ", ".join(f"{v:.6g}" for v in values[counts > 1][:5])
        return f"duplicate frequencies ({dup} Hz): one point a frequency expected"
    return ""


@dataclass(frozen=True)
class Geometry:
    """What the spectrum's shape says: intercepts, arc apexes, the low-frequency tail."""

    r_hf: float
    r_arcs: float
    r_end: float  # real part at the lowest frequency
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
    mod = np.abs(z)
    keep = [
        i
        for i, p in zip(idx, props["prominences"])
        if p > PEAK_MIN_PROMINENCE * np.max(np.abs(mz)) and p > PEAK_MIN_PROMINENCE_OF_Z * mod[i]
    ]
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
    return Geometry(r_hf, r_arcs, float(z.real[-1]), tuple(peaks), tail_n, float(tail_q), float(f[-1]), float(f[0]))


def arc_starts(g: Geometry, n_pairs: int) -> list[list[tuple[float, float]]]:
    """Candidate (apex frequency, R) per pair, highest frequency first, for a few hypotheses.

    The k largest -Z'' peaks (k = n_pairs ... 1) keep their apex and a width from their
    height; the arcs not seen as peaks are placed above the highest peak (small, of the
    size of the high-frequency intercept, as a grain-boundary arc often is, or 5 % of the
    arcs) or below the lowest one. Last, equal arcs spread over the window.
    """
    if n_pairs == 0:
        return [[]]
    height_to_r = 2.0 / math.tan(N_ARC_START * math.pi / 4)  # -Z''max = R/2 tan(nπ/4) for R||CPE
    f_mid = math.sqrt(g.f_min * g.f_max)
    small = max(g.r_hf, 1e-3 * g.r_arcs)
    starts = []
    for n_found in range(min(len(g.peaks), n_pairs), 0, -1):
        found = [(fa, h * height_to_r) for fa, h in g.peaks[:n_found]]
        total = sum(r for _, r in found)
        if total > g.r_arcs and total > 0:
            found = [(fa, r * g.r_arcs / total) for fa, r in found]
        n_missing = n_pairs - n_found
        f_top = max([fa for fa, _ in found], default=f_mid)
        f_bottom = min([fa for fa, _ in found], default=f_mid)
        filler_sets = [
            [(g.f_max / 10.0 / 3.0**k, small) for k in range(n_missing)],
            [(math.sqrt(g.f_max * f_top) / 3.0**k, 0.05 * g.r_arcs) for k in range(n_missing)],
            [(f_bottom / 30.0 / 3.0**k, 0.05 * g.r_arcs) for k in range(n_missing)],
        ]
        for fillers in filler_sets:
            starts.append(sorted(found + fillers, key=lambda t: -t[0]))
    log_f = np.linspace(math.log10(g.f_max), math.log10(g.f_min), n_pairs + 2)[1:-1]
    starts.append([(float(10.0**lf), g.r_arcs / n_pairs) for lf in log_f])
    # An arc hidden under the tail (no -Z'' peak): one large arc at a few apexes, the rest small.
    big = 0.5 * max(g.r_end - g.r_hf, g.r_arcs)
    for decades_above_fmin in (1.0, 3.0, 5.0):
        f_big = g.f_min * 10**decades_above_fmin
        if f_big < g.f_max:
            fillers = [(g.f_max / 10.0 / 3.0**k, small) for k in range(n_pairs - 1)]
            starts.append(sorted(fillers + [(f_big, big)], key=lambda t: -t[0]))
    unique = []
    for start in starts:
        if start not in unique:
            unique.append(start)
    return unique


def initial_guess(names: list[str], circuit: str, g: Geometry, arcs: list[tuple[float, float]], tail_scale: float) -> list[float]:
    """A full parameter vector for impedance.py from one arc hypothesis."""
    pairs = pairs_of(circuit)
    paired = {p.r: i for i, p in enumerate(pairs)} | {p.c: i for i, p in enumerate(pairs)}
    series_r = [n for n in names if kind_of(n) == "R" and n not in paired]
    guess = []
    for name in names:
        element, _, index = name.partition("_")
        kind = kind_of(element)
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
            guess.append(max(g.r_hf, 1e-6 * g.r_arcs) / max(len(series_r), 1))
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
        kind = kind_of(element)
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
    pairs = [p for p in pairs_of(circuit) if kind_of(p.c) == "CPE"]
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
    log_tau = math.log(r * q) / n
    return math.exp(log_tau) if log_tau < 700 else math.inf


def is_log_parameter(name: str) -> bool:
    """True for scale parameters (R, Q, C, L...) fitted as logarithms; False for exponents."""
    element, _, index = name.partition("_")
    return not (kind_of(element) in ("CPE", "La") and index == "1")


def log_fit(f, z, circuit, names, guess, lower, upper, sigma, max_nfev: int = 100):
    """Least squares in log(scale parameters): (values, chi-square), or None when it fails."""
    from scipy.optimize import least_squares

    is_log = np.array([is_log_parameter(n) for n in names])
    z_scale = float(np.max(np.abs(z)))
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    with np.errstate(divide="ignore"):
        lo = np.where(is_log, np.log(np.maximum(lower, 0.0)), lower)  # log(0) = -inf: no bound
        hi = np.where(is_log, np.log(upper), upper)
    x0 = np.where(is_log, np.log(np.maximum(guess, 1e-300)), guess)
    x0 = np.clip(x0, np.where(np.isfinite(lo), lo + 1e-9, -np.inf), np.where(np.isfinite(hi), hi - 1e-9, np.inf))
    model = compile_circuit(circuit)
    weight = 1.0 / sigma if sigma is not None else np.full(2 * z.size, 1.0 / z_scale)

    def residuals(x):
        dz = model(f, np.where(is_log, np.exp(x), x)) - z
        return np.hstack([dz.real, dz.imag]) * weight

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            sol = least_squares(residuals, x0, bounds=(lo, hi), method="trf", max_nfev=max_nfev)
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not np.all(np.isfinite(sol.fun)):
        return None
    return np.where(is_log, np.exp(sol.x), sol.x), float(np.sum(sol.fun**2))


def polish(f, z, circuit, values, lower, upper, sigma) -> np.ndarray:
    """impedance.py's CustomCircuit.fit started at ``values`` (the final fit the user can reproduce)."""
    from impedance.models.circuits import CustomCircuit

    start = np.clip(values, np.asarray(lower) + 1e-300, upper)
    model = CustomCircuit(circuit, initial_guess=list(start))
    kwargs = {"x_scale": "jac", "maxfev": MAX_NFEV_REFINE}  # impedance.py's default 1e5 can take minutes
    if sigma is not None:
        kwargs["sigma"] = sigma
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(f, z, bounds=(lower, upper), **kwargs)
    except (RuntimeError, ValueError, np.linalg.LinAlgError):
        return np.asarray(values, dtype=float)
    return np.asarray(model.parameters_, dtype=float)


def standard_errors(f, z, circuit, names, values, sigma) -> np.ndarray:
    """Standard errors from the covariance in log(scale parameters), scaled by the residual variance.

    Not impedance.py's ``conf_``: curve_fit's pseudo-inverse drops singular values below
    eps × the largest, and with Q ~ 1e-8 next to R ~ 1e6 the Jacobian's columns differ by
    ~1e14, so the resistances' variances come out as ~0. In log parameters the Jacobian is
    well scaled; the result is the same estimate (curve_fit, absolute_sigma=False).
    """
    values = np.asarray(values, dtype=float)
    weight = 1.0 / sigma if sigma is not None else np.full(2 * z.size, 1.0 / float(np.max(np.abs(z))))
    jac, is_log = log_jacobian(f, circuit, names, values, weight)
    dz = compile_circuit(circuit)(f, values) - z
    s2 = float(np.sum((np.hstack([dz.real, dz.imag]) * weight) ** 2)) / max(2 * z.size - values.size, 1)
    try:
        cov = np.linalg.pinv(jac.T @ jac, rcond=1e-14, hermitian=True) * s2
    except np.linalg.LinAlgError:
        return np.full(values.size, math.nan)
    sx = np.sqrt(np.clip(np.diag(cov), 0, None))
    return np.where(is_log, values * sx, sx)


def log_jacobian(f: np.ndarray, circuit: str, names: list[str], values: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jacobian of the weighted model (real parts, then imaginary) by central differences: (jacobian, which columns are log).

    Positive scale parameters are differentiated in their logarithm (a column is then
    d Z / d ln p, the response to a relative change), exponents as they are.
    """
    values = np.asarray(values, dtype=float)
    is_log = np.array([is_log_parameter(n) for n in names]) & (values > 0)
    x = np.where(is_log, np.log(np.where(is_log, values, 1.0)), values)
    model = compile_circuit(circuit)

    def weighted(xx):
        zz = model(f, np.where(is_log, np.exp(xx), xx))
        return np.hstack([zz.real, zz.imag]) * weight

    jac = np.empty((weight.size, x.size))
    for k in range(x.size):
        h = COV_STEP * max(1.0, abs(x[k])) if is_log[k] else COV_STEP * max(abs(x[k]), 1e-3)
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        jac[:, k] = (weighted(up) - weighted(down)) / (2 * h)
    return jac, is_log


@dataclass
class CircuitFit:
    """The chosen fit: the circuit fitted (the configured one, or it without unresolved arcs) and its parameters."""

    circuit: str
    names: list[str]
    units: list[str]
    values: np.ndarray
    errors: np.ndarray
    z_fit: np.ndarray
    chi2: float
    n_starts: int
    dropped: list[str]  # elements of the configured circuit the data do not resolve
    note: str  # why they were dropped ('' when none was)
    full_values: dict  # parameters of the configured circuit's own best fit (empty if it failed)
    drt_starts: int  # starts of the configured circuit's fit taken from the DRT peaks


def parameter_names(circuit: str) -> tuple[list[str], list[str]]:
    """impedance.py's parameter names and units of a circuit, in order."""
    from impedance.models.circuits import CustomCircuit
    from impedance.models.circuits.fitting import calculateCircuitLength

    names, units = CustomCircuit(circuit, initial_guess=[1.0] * calculateCircuitLength(circuit)).get_param_names()
    return list(names), list(units)


def multistart(f: np.ndarray, z: np.ndarray, circuit: str, weighting: str, drt_peaks=None, more_starts: Sequence[list[float]] = ()) -> tuple[np.ndarray, float, int, int] | None:
    """Best parameters of one circuit from many starts: (values in τ order, chi-square, starts tried, of them from the DRT).

    Starts: the best distinct points of the separable grid (:mod:`interphase.eis.separable`),
    the DRT peaks, the spectrum's geometry, and ``more_starts`` (fits of the circuit without some
    pairs, with those pairs put back: ``separable.grow_starts``). Every start gets a short log-parameter least
    squares, the N_REFINE best a long one; then each arc of the best is moved to its best
    place elsewhere on the grid (``separable.reseed_starts``) and refitted, and the best of
    all is polished by impedance.py's CustomCircuit.fit.
    """
    names, _ = parameter_names(circuit)
    g = geometry(f, z)
    lower, upper = bounds_for(names, circuit, float(np.max(np.abs(z))))
    sigma = sigma_for(z, weighting)
    n_pairs = len(pairs_of(circuit))
    extra = drt_arcs(drt_peaks[0], drt_peaks[1], g, n_pairs) if drt_peaks is not None else []
    hypotheses = extra + [a for a in arc_starts(g, n_pairs) if a not in extra]
    guesses = separable.grid_starts(f, z, circuit, names, sigma, N_GRID_STARTS)
    guesses += [initial_guess(names, circuit, g, arcs, 1.0) for arcs in hypotheses] + [list(x) for x in more_starts]
    explored = [r for r in (log_fit(f, z, circuit, names, guess, lower, upper, sigma, MAX_NFEV_EXPLORE) for guess in guesses) if r is not None]
    explored.sort(key=lambda r: r[1])
    refined = [log_fit(f, z, circuit, names, r[0], lower, upper, sigma, MAX_NFEV_REFINE) for r in explored[:N_REFINE]]
    refined = [r for r in refined if r is not None]
    if not refined:
        return None
    best = min(refined, key=lambda r: r[1])
    for guess in separable.reseed_starts(f, z, circuit, names, best[0], sigma):
        moved = log_fit(f, z, circuit, names, guess, lower, upper, sigma, MAX_NFEV_REFINE)
        if moved is not None and moved[1] < best[1]:
            best = moved
    values = polish(f, z, circuit, best[0], lower, upper, sigma)
    chi2 = chi_square(z, _predict(circuit, values, f), sigma)
    if chi2 > best[1] * (1 + 1e-6):
        values, chi2 = best[0], best[1]  # the polish never worsens a fit; keep the better optimum if it did
    values, _ = order_pairs(circuit, names, np.asarray(values, dtype=float), np.zeros(len(names)))
    return values, chi2, len(guesses), len(extra)


def reduced_circuits(circuit: str) -> list[tuple[str, list[str]]]:
    """The circuit without its first k parallel pairs (k = 1 .. pairs - 1), with the elements dropped.

    Pairs are listed from high to low frequency (fit results are put in that order), so the
    ones dropped are the high-frequency arcs, the ones that leave the window at its top or hide
    under the next arc. Only for circuits that are a series of simple terms.
    """
    terms = separable.terms_of(circuit)
    if terms is None:
        return []
    texts = separable.split_series(circuit)
    pair_texts = [text for text, term in zip(texts, terms) if term.kind == "pair"]
    pair_terms = [term for term in terms if term.kind == "pair"]
    out = []
    for k in range(1, len(pair_texts)):
        dropped = set(pair_texts[:k])
        out.append(("-".join(t for t in texts if t not in dropped), [e for term in pair_terms[:k] for e in (term.r, term.c)]))
    return out


def bic(chi2: float, n_residuals: int, n_params: int) -> float:
    """Bayesian information criterion of a least-squares fit with unknown noise scale (Schwarz, Ann. Stat. 6 (1978) 461)."""
    return n_residuals * math.log(max(chi2, 1e-300) / n_residuals) + n_params * math.log(n_residuals)


def fit_spectrum(f: np.ndarray, z: np.ndarray, circuit: str, weighting: str, drt_peaks=None, keep: str = "", margin: float = 0.0) -> CircuitFit | None:
    """The configured circuit fitted, or, when the data do not resolve all its arcs, the circuit without them.

    The configured circuit and each of its reductions (:func:`reduced_circuits`) are fitted;
    the one with the lowest BIC is kept, among those whose arc resistances are all more than
    CI_FACTOR standard errors from zero (among all when there is none such); the R_ct
    resistance ``keep`` is exempt when its arc lies inside the window, apart from the others
    (:func:`rct_arc_in_data`, with the closure check's ``margin``). Reductions that would drop the
    element ``keep`` (the R_ct element) are not tried. With an arc the data cannot resolve (a small
    grain-boundary arc under a large charge-transfer arc), the spare R||CPE pair would
    otherwise split another arc or the tail in two, and time-constant order would then name
    the wrong one R_ct.
    """
    candidates = [(circuit, [])] + [c for c in reduced_circuits(circuit) if keep not in c[1]]
    sigma = sigma_for(z, weighting)
    fits = []
    # the most reduced circuit first: each fit then also starts from the smaller ones' fits with
    # their missing pairs put back (a small arc beside a large one is found that way)
    for candidate, dropped in reversed(candidates):
        names, units = parameter_names(candidate)
        grown = [start for smaller in fits for start in separable.grow_starts(f, z, candidate, names, dict(zip(smaller["names"], smaller["values"])), sigma)]
        result = multistart(f, z, candidate, weighting, drt_peaks, grown)
        if result is not None:
            values, chi2, n_starts, n_drt = result
            errors = standard_errors(f, z, candidate, names, values, sigma)
            fits.append(
                {
                    "circuit": candidate, "dropped": dropped, "names": names, "units": units, "values": values, "errors": errors,
                    "chi2": chi2, "n_starts": n_starts, "n_drt": n_drt, "bic": bic(chi2, 2 * f.size, values.size),
                    "determined": arcs_determined(
                        candidate, names, values, errors, skip=keep if rct_arc_in_data(candidate, dict(zip(names, values)), keep, f, margin) else ""
                    ),
                }
            )
    if not fits:
        return None
    fits.reverse()  # the configured circuit first
    determined = [fit for fit in fits if fit["determined"]] or fits
    best = min(determined, key=lambda fit: fit["bic"])
    full = fits[0] if fits[0]["circuit"] == circuit else None
    note = ""
    if best["dropped"]:
        why = "lower BIC"
        if full is not None and not full["determined"]:
            why = f"an arc resistance of the full circuit within {CI_FACTOR:g} standard errors of zero"
        note = (
            f"{', '.join(e for e in best['dropped'] if kind_of(e) == 'R')} arc not resolved by the data "
            f"({why}): fitted {best['circuit']}"
        )
    return CircuitFit(
        best["circuit"], best["names"], best["units"], best["values"], best["errors"], _predict(best["circuit"], best["values"], f),
        best["chi2"], sum(fit["n_starts"] for fit in fits), best["dropped"], note,
        dict(zip(full["names"], full["values"])) if full is not None else {},
        full["n_drt"] if full is not None else 0,
    )


def rct_arc_in_data(circuit: str, values: dict, rct: str, f: np.ndarray, margin: float) -> bool:
    """True when the R_ct arc passes the closure checks and lies ARC_SEPARATION_DECADES or more from every other arc.

    Such an arc is a feature of the data: if its resistance is uncertain, R_ct is uncertain
    (and flagged so), which is no reason to drop another arc. An R_ct 'arc' beyond the window,
    under the tail or on top of another arc is a spare pair splitting the tail or a large arc.
    """
    apex, note = closure_note(values, rct, circuit, float(np.min(f)), float(np.max(f)), margin)
    if note or not math.isfinite(apex):  # NaN also when rct is in no pair
        return False
    others = [apex_frequency(values, p.r, circuit) for p in pairs_of(circuit) if p.r != rct]
    return all(math.isfinite(o) and abs(math.log10(apex / o)) >= ARC_SEPARATION_DECADES for o in others)


def arcs_determined(circuit: str, names: list[str], values: np.ndarray, errors: np.ndarray, skip: str = "") -> bool:
    """True when every arc resistance but ``skip`` is more than CI_FACTOR standard errors from zero."""
    for pair in pairs_of(circuit):
        if pair.r == skip:
            continue
        k = names.index(pair.r)
        if not (math.isfinite(errors[k]) and values[k] > CI_FACTOR * errors[k]):
            return False
    return True


def drt_arcs(peak_tau: np.ndarray, peak_r: np.ndarray, g: Geometry, n_pairs: int) -> list[list[tuple[float, float]]]:
    """Start hypotheses (apex frequency, R) per pair from the DRT peaks, highest frequency first.

    The n_pairs peaks with the largest resistance keep their time constant and resistance;
    pairs without a peak are placed small above the highest-frequency peak, as in arc_starts.
    """
    if n_pairs == 0 or len(peak_tau) == 0:
        return []
    best = sorted(np.argsort(peak_r)[::-1][:n_pairs].tolist())
    found = [(1.0 / (2 * math.pi * float(peak_tau[i])), float(peak_r[i])) for i in best]
    small = max(g.r_hf, 1e-3 * g.r_arcs)
    f_top = max(fa for fa, _ in found)
    fillers = [(max(g.f_max / 10.0, f_top * 10.0) / 3.0**k, small) for k in range(n_pairs - len(found))]
    return [sorted(found + fillers, key=lambda t: -t[0])]


def bootstrap_stderr(f, z, circuit, names, values, weighting, index: int, n_resamples: int) -> float:
    """Residual-bootstrap standard deviation of parameter ``index`` (after pair ordering)."""
    z_fit = _predict(circuit, values, f)
    relative = weighting in ("modulus", "proportional")
    scale = np.abs(z_fit) if relative else np.ones(f.size)
    residuals = (z - z_fit) / scale
    lower, upper = bounds_for(names, circuit, float(np.max(np.abs(z))))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = []
    for _ in range(n_resamples):
        z_star = z_fit + scale * residuals[rng.integers(0, f.size, f.size)]
        result = log_fit(f, z_star, circuit, names, values, lower, upper, sigma_for(z_star, weighting), MAX_NFEV_REFINE)
        if result is not None:
            ordered, _ = order_pairs(circuit, names, result[0], np.zeros(len(names)))
            draws.append(float(ordered[index]))
    return float(np.std(draws, ddof=1)) if len(draws) >= 2 else math.nan


def run_drt(f: np.ndarray, z: np.ndarray, lam) -> tuple[drt_module.DRTResult | None, str]:
    """The DRT of the spectrum, or None and the reason when it could not be computed."""
    try:
        with np.errstate(all="ignore"):
            return drt_module.drt(f, z, lam), ""
    except (np.linalg.LinAlgError, RuntimeError, ValueError) as exc:  # nnls iteration limit, degenerate data
        return None, f"DRT failed: {type(exc).__name__}: {exc}"


def add_drt(ds: xr.Dataset, result: drt_module.DRTResult | None, z: np.ndarray) -> xr.Dataset:
    """γ(τ), R∞, λ and the peaks (dim drt_peak) into the fit dataset (NaN/empty when no DRT)."""
    if result is None:
        ds["drt_lambda"] = scalar(math.nan, "1", "regularisation parameter of the DRT")
        ds.attrs["drt_lambda_method"] = "none"
        return ds
    ds = ds.assign_coords(
        tau=datasets.variable("tau", result.tau, "s", "relaxation time of the DRT grid"),
        drt_peak=datasets.variable("drt_peak", np.arange(result.peak_tau.size), "1", "DRT peak number, shortest time constant first"),
    )
    ds["drt_gamma"] = datasets.variable("tau", result.gamma, "ohm", "distribution of relaxation times gamma(ln tau)")
    ds["drt_z_real_fit"] = datasets.variable("frequency", result.z_fit.real, "ohm", "DRT model real part of the impedance")
    ds["drt_z_imag_fit"] = datasets.variable("frequency", result.z_fit.imag, "ohm", "DRT model imaginary part of the impedance")
    ds["drt_r_inf"] = scalar(result.r_inf, "ohm", "high-frequency resistance of the DRT model")
    ds["drt_lambda"] = scalar(result.lam, "1", "regularisation parameter of the DRT")
    ds["drt_residual_rms"] = scalar(drt_module.relative_residual_rms(z, result.z_fit), "percent", "RMS residual of the DRT model, percent of |Z|")
    ds["drt_peak_tau"] = datasets.variable("drt_peak", result.peak_tau, "s", "time constant of the DRT peak")
    ds["drt_peak_frequency"] = datasets.variable("drt_peak", 1.0 / (2 * math.pi * result.peak_tau), "Hz", "characteristic frequency 1/(2 pi tau) of the DRT peak")
    ds["drt_peak_resistance"] = datasets.variable("drt_peak", result.peak_r, "ohm", "resistance under the DRT peak")
    ds["drt_peak_gamma"] = datasets.variable("drt_peak", result.peak_gamma, "ohm", "gamma at the DRT peak's maximum")
    ds.attrs["drt_lambda_method"] = result.method
    return ds


def _predict(circuit: str, values: np.ndarray, f: np.ndarray) -> np.ndarray:
    """The circuit's impedance for given parameter values."""
    return compile_circuit(circuit)(f, values)


def window(clean: xr.Dataset, fmin, fmax) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and complex impedance inside [fmin, fmax] (None = open), high to low."""
    f = np.asarray(clean["frequency"].values, dtype=float)
    z = np.asarray(clean["z_real"].values, dtype=float) + 1j * np.asarray(clean["z_imag"].values, dtype=float)
    keep = np.ones(f.size, dtype=bool)
    if fmin is not None:
        keep &= f >= float(fmin)
    if fmax is not None:
        keep &= f <= float(fmax)
    f, z = f[keep], z[keep]
    order = np.argsort(-f, kind="stable")  # high to low, whatever order the file had
    return f[order], z[order]


def closure_note(values: dict, rct: str, circuit: str, f_min: float, f_max: float, margin: float, full: tuple[dict, str] | None = None) -> tuple[float, str]:
    """Apex frequency of the Rct arc and a note when the data do not show it closing.

    Flagged when the apex lies outside the window shrunk by ``margin`` decades, or when the
    series tail outweighs R_ct at the apex (the arc is not seen). For a fit without an
    unresolved arc (``full`` = the configured circuit's own fit: values, circuit), also when
    the tail outweighs R_ct at the lowest frequency or the full fit put the R_ct apex outside
    the window: then the one arc left may be another one and the Rct arc the 'tail'.
    """
    if not any(p.r == rct for p in pairs_of(circuit)):
        return math.nan, ""
    f_apex = apex_frequency(values, rct, circuit)
    if not math.isfinite(f_apex):
        return math.nan, f"{rct} arc time constant undefined"
    if not inside_window(f_apex, f_min, f_max, margin):
        return f_apex, (
            f"arc does not close inside the measured window: {rct} apex at {f_apex:.3g} Hz, "
            f"outside [{f_min * 10**margin:.3g}, {f_max / 10**margin:.3g}] Hz"
        )
    tail_at_apex = tail_impedance(values, circuit, f_apex)
    if tail_at_apex > TAIL_TO_RCT * values[rct]:
        return f_apex, (
            f"arc does not close inside the measured window: at its apex ({f_apex:.3g} Hz) the "
            f"low-frequency tail (|Z| = {tail_at_apex:.3g} ohm) outweighs {rct} ({values[rct]:.3g} ohm)"
        )
    if full is None:
        return f_apex, ""
    tail_at_end = tail_impedance(values, circuit, f_min)
    if tail_at_end > TAIL_TO_RCT * values[rct]:
        return f_apex, (
            f"arc may not close inside the measured window: an arc of the circuit is not resolved and at the "
            f"lowest frequency the tail (|Z| = {tail_at_end:.3g} ohm) outweighs {rct} ({values[rct]:.3g} ohm); "
            f"the {rct} arc may be below the window, absorbed by the tail"
        )
    full_values, full_circuit = full
    full_apex = apex_frequency(full_values, rct, full_circuit) if full_values else f_apex
    if not inside_window(full_apex, f_min, f_max, margin):
        return f_apex, (
            f"arc may not close inside the measured window: fitted with all its arcs, the circuit puts "
            f"the {rct} arc apex at {full_apex:.3g} Hz, at or beyond the window's end; the arc taken as "
            f"{rct} without the unresolved one may be another"
        )
    return f_apex, ""


def inside_window(f_apex: float, f_min: float, f_max: float, margin: float) -> bool:
    """True when f_apex lies inside [f_min, f_max] shrunk by ``margin`` decades at both ends."""
    return f_min * 10**margin <= f_apex <= f_max / 10**margin


def apex_frequency(values: dict, r: str, circuit: str) -> float:
    """Apex frequency 1/(2π τ) of the arc of resistor r (NaN when r is in no R||CPE or R||C pair)."""
    pair = next((p for p in pairs_of(circuit) if p.r == r), None)
    if pair is None:
        return math.nan
    if kind_of(pair.c) == "CPE":
        tau = time_constant(values[r], values[pair.c + "_0"], values[pair.c + "_1"])
    else:
        tau = time_constant(values[r], values[pair.c], 1.0)
    return 1.0 / (2 * math.pi * tau) if math.isfinite(tau) and tau > 0 else math.nan


def tail_impedance(values: dict, circuit: str, f: float) -> float:
    """|Z| at frequency f of the circuit's series capacitive elements (CPE, C, W not in a pair)."""
    paired = {p.c for p in pairs_of(circuit)}
    w = 2 * math.pi * f
    total = 0.0
    for term in separable.terms_of(circuit) or []:
        if term.kind == "CPE" and term.r not in paired:
            q, n = values[term.r + "_0"], values[term.r + "_1"]
            total += 1.0 / (q * w**n) if q > 0 else math.inf
        elif term.kind == "C" and term.r not in paired:
            total += 1.0 / (values[term.r] * w) if values[term.r] > 0 else math.inf
        elif term.kind == "W":
            total += values[term.r] * math.sqrt(2.0 / w)
    return total


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


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """Fit the circuit to the spectrum; R_ct, R_ct × area with errors, lin-KK residual, DRT, status."""
    p = check_params(params)
    with drt_module.single_thread_blas():  # small matrices: one BLAS thread is faster
        return _analyse(clean, p)


def _analyse(clean: xr.Dataset, p: dict) -> xr.Dataset:
    """analyse() on checked parameters."""
    f, z = window(clean, p["frequency_min_Hz"], p["frequency_max_Hz"])
    ds = base_dataset(clean, f, z, p)
    problem = data_problem(f, z) or circuit_problem(p["circuit"], p["rct_element"])
    if problem:
        return failed(ds, problem)
    drt_result, drt_problem = run_drt(f, z, p["drt_lambda"])
    peaks = (drt_result.peak_tau, drt_result.peak_r) if drt_result is not None else None
    result = fit_spectrum(f, z, p["circuit"], p["weighting"], drt_peaks=peaks, keep=p["rct_element"], margin=p["closure_margin_decades"])
    ds = add_drt(ds, drt_result, z)
    if result is None:
        return failed(ds, "no start of the least-squares fit converged")
    names, values, errors, z_fit = result.names, result.values, result.errors, result.z_fit
    by_name = dict(zip(names, values))
    all_names, all_units = parameter_names(p["circuit"])
    for name, unit in zip(all_names, all_units):
        udunit = _UNITS.get(unit, unit)
        value = by_name.get(name, math.nan)
        error = errors[names.index(name)] if name in names else math.nan
        long_name = f"circuit parameter {name}" + ("" if name in names else " (arc not resolved: not fitted)")
        ds[name] = scalar(value, udunit, long_name)
        ds[f"{name}_stderr"] = scalar(error, udunit, f"standard error of {name}")
    ds["z_real_fit"] = datasets.variable("frequency", z_fit.real, "ohm", "model real part of the impedance")
    ds["z_imag_fit"] = datasets.variable("frequency", z_fit.imag, "ohm", "model imaginary part of the impedance")
    mod = np.abs(z)
    ds["residual_real"] = datasets.variable("frequency", 100 * (z - z_fit).real / mod, "percent", "fit residual of the real part, percent of |Z|")
    ds["residual_imag"] = datasets.variable("frequency", 100 * (z - z_fit).imag / mod, "percent", "fit residual of the imaginary part, percent of |Z|")
    f_model = np.logspace(math.log10(f.max()), math.log10(f.min()), 20 * max(int(math.ceil(math.log10(f.max() / f.min()))), 1) + 1)
    z_model = _predict(result.circuit, values, f_model)
    ds = ds.assign_coords(frequency_model=datasets.variable("frequency_model", f_model, "Hz", "frequency of the model curve"))
    ds["z_real_model"] = datasets.variable("frequency_model", z_model.real, "ohm", "model real part on a dense frequency grid")
    ds["z_imag_model"] = datasets.variable("frequency_model", z_model.imag, "ohm", "model imaginary part on a dense frequency grid")

    rct = p["rct_element"]
    area = float(clean.attrs.get("electrode_area_cm2", math.nan))
    area = area if math.isfinite(area) and area > 0 else math.nan
    r_ct, r_ct_err = float(by_name[rct]), float(errors[names.index(rct)])
    method = "covariance (log parameters)"
    if p["bootstrap"] > 0:
        r_ct_err = bootstrap_stderr(f, z, result.circuit, names, values, p["weighting"], names.index(rct), int(p["bootstrap"]))
        method = f"residual bootstrap ({int(p['bootstrap'])} resamples)"
    ds["R_ct"] = scalar(r_ct, "ohm", f"charge-transfer resistance ({rct})")
    ds["R_ct_stderr"] = scalar(r_ct_err, "ohm", f"standard error of R_ct by {method}")
    ds["R_ct_area"] = scalar(r_ct * area, "ohm cm2", "area-specific charge-transfer resistance (R_ct x electrode area)")
    ds["R_ct_area_stderr"] = scalar(r_ct_err * area, "ohm cm2", f"standard error of R_ct_area by {method}")
    ds["chi_square"] = scalar(result.chi2, "1", f"weighted sum of squared residuals ({p['weighting']} weighting)")

    try:
        kk = lin_kk(f, z)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:  # a degenerate spectrum
        kk = KKResult(np.full(f.size, np.nan), np.full(f.size, np.nan), 0, math.nan)
        notes_kk = [f"lin-KK failed: {type(exc).__name__}: {exc}"]
    else:
        notes_kk = []
    ds["kk_residual_real"] = datasets.variable("frequency", 100 * kk.residual_real, "percent", "lin-KK residual of the real part, percent of |Z|")
    ds["kk_residual_imag"] = datasets.variable("frequency", 100 * kk.residual_imag, "percent", "lin-KK residual of the imaginary part, percent of |Z|")
    ds["kk_residual_max"] = scalar(kk.max_percent, "percent", "largest lin-KK residual, percent of |Z|")
    full = (result.full_values, p["circuit"]) if result.dropped else None
    f_apex, closure = closure_note(by_name, rct, result.circuit, float(f.min()), float(f.max()), p["closure_margin_decades"], full=full)
    ds["rct_apex_frequency"] = scalar(f_apex, "Hz", f"apex frequency 1/(2 pi tau) of the {rct} arc")

    notes = notes_kk + ([drt_problem] if drt_problem else [])
    if kk.max_percent > p["kk_residual_limit_percent"]:
        notes.append(f"lin-KK residual {kk.max_percent:.2g} % exceeds {p['kk_residual_limit_percent']:g} %")
    if closure:
        notes.append(closure)
    relative = 100 * r_ct_err / r_ct if r_ct > 0 else math.inf
    if not relative <= p["rct_stderr_limit_percent"]:  # NaN (no standard error) is flagged too
        notes.append(f"R_ct not determined by the data: relative standard error {relative:.2g} % exceeds {p['rct_stderr_limit_percent']:g} %")
    if not math.isfinite(area):
        notes.append("electrode area unknown: R_ct_area is NaN")
    ds.attrs.update(
        {
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
    )
    return ds


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows R_ct, R_ct_area and kk_residual_max at the spectrum's DC potential."""
    status = fit.attrs.get("status", "failed")
    note = fit.attrs.get("status_note", "")
    potential = fit.attrs.get("dc_potential_V", math.nan)

    def value(name: str) -> float:
        return float(fit[name].values) if name in fit else math.nan

    method = str(fit.attrs.get("R_ct_stderr_method", ""))
    bootstrap = f"stderr by {method}" if method.startswith("residual bootstrap") else ""
    rct_note = "; ".join(n for n in (note, str(fit.attrs.get("fit_note", "")), bootstrap) if n)
    return [
        summary.row("R_ct", value("R_ct"), "ohm", stderr=value("R_ct_stderr"), potential_V=potential, status=status, note=rct_note),
        summary.row("R_ct_area", value("R_ct_area"), "ohm cm2", stderr=value("R_ct_area_stderr"), potential_V=potential, status=status, note=rct_note),
        summary.row("kk_residual_max", value("kk_residual_max"), "percent", potential_V=potential, status=status, note=note),
    ]
