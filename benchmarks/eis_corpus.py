"""An independent corpus of impedance spectra: the referee's benchmark data for interphase's EIS fit.

Nothing here comes from interphase: the element impedances are written out below in closed form
(tests/benchmarks/test_eis_corpus.py checks them against impedance.py's own circuit evaluation),
the noise is not only the one the fitter's default (modulus) weighting assumes, the frequencies
are stepped as potentiostats step them, and most classes are spectra the fitted circuit
``R0-p(R1,CPE1)-p(R2,CPE2)-CPE3`` cannot describe. ``R_ct`` is R2 of the generating model.

Classes (``make(kind, i, seed)``; every draw from ``np.random.default_rng([seed, code, i, stream])``,
so a spectrum does not depend on how many others are drawn):

- ``well``: the fitted circuit itself, with the ranges of benchmarks/eis_rct_recovery.py so that
  the numbers compare: R_ct x area log-uniform 10 .. 1e6 ohm cm2, area log-uniform 0.1 .. 0.5 cm2,
  R0 log-uniform 20 .. 200 ohm, R1 log-uniform 50 .. 1000 ohm with its apex log-uniform in
  3e4 Hz .. f_max, n1 0.85 .. 0.95, n2 0.75 .. 0.92, n3 0.45 .. 0.65 (uniform), tail CPE3 with
  |Z_tail(f_min)| = 0.05 .. 1 x R_ct (log-uniform); 80 % 'closing' (R_ct apex log-uniform in
  f_min 10^0.7 .. min(GB apex / 10^1.5, f_max / 10^0.7)), 20 % not (apex f_min 10^-1.5 .. f_min).
- ``extra_arc``: a closing ``well`` spectrum plus a third R||CPE arc in series (the liquid | LATP
  Li+-transfer arc of the seed's half cell): R log-uniform 500 .. 2000 ohm, n 0.80 .. 0.95, apex
  log-uniform anywhere in f_min 10^0.5 .. f_max / 10^0.5.
- ``flw_tail``: the CPE tail replaced by a finite-length (transmissive, tanh) Warburg
  R_W tanh(sqrt(j w tau)) / sqrt(j w tau), R_W = 0.05 .. 1 x R_ct, 1/(2 pi tau) log-uniform in
  f_min .. R_ct apex / 10^0.5.
- ``fsw_tail``: the same with a finite-space (reflective, coth) Warburg
  R_W coth(sqrt(j w tau)) / sqrt(j w tau) (a film on a blocking current collector).
- ``inductive``: a series inductance (leads and cell, L log-uniform 1e-7 .. 3e-6 H) and, in half
  of them, an R||L loop too (R 1 .. 20 ohm, L 1e-6 .. 1e-5 H): the high-frequency tail goes above
  the real axis.
- ``drift``: the charge-transfer resistance changes during the sweep (KK-invalid):
  R_ct(t) = R_mid exp(d (t / T - 1/2)), T the sweep's duration, |d| = ln(1 + u), u log-uniform
  0.1 .. 1 (R_ct changes by 10 .. 100 % from start to end), either sign; truth R_ct = R_mid,
  its value half-way through the sweep.

Every class draws its window and noise the same way: f_max in {1e6, 3e5, 1e5} Hz, f_min in
{0.01, 0.03, 0.1} Hz, {7, 8, 10} points a decade, a quarter of the sweeps from low to high
frequency; each point lasts 2 periods plus 0.2 s of settling; noise model, one third each:

- ``modulus``: sigma = s |Z|, s log-uniform 0.1 .. 0.5 % (what the fitter's default weighting
  assumes);
- ``floor``: sigma = s |Z| + b, s log-uniform 0.05 .. 0.3 %, an additive floor b = c R_inf with
  c log-uniform 0.1 .. 1 % (it dominates where |Z| is small, at high frequency);
- ``fra``: the error structure of a frequency-response analyser (Orazem, Agarwal & Garcia-Rubio,
  J. Electroanal. Chem. 378 (1994) 51; Orazem & Tribollet, Electrochemical Impedance Spectroscopy,
  2nd ed., ch. 21): sigma = a |Z_im| + b |Z_re - R_inf| + g |Z|^2 / R_m + d, with R_m the
  measuring resistor the autoranging picks (the decade at or above |Z|), a 0.1 .. 0.4 %,
  b 0.05 .. 0.2 %, g 0.05 .. 0.2 % (log-uniform), d 0.01 .. 0.1 ohm; it jumps at range changes.

Gaussian, the same sigma on the real and the imaginary part, independent between points.

Against benchmarks/eis_rct_recovery.py, the ``well`` class differs only in how the data are
recorded: 7, 8 or 10 points a decade (not 5, 7 or 10), upward sweeps, and the two noise models
the fitter's weighting does not assume; its circuit parameter ranges are the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

CLASSES = ("well", "extra_arc", "flw_tail", "fsw_tail", "inductive", "drift")
MISSPECIFIED = CLASSES[1:]
CLASS_CODE = {kind: 100 + k for k, kind in enumerate(CLASSES)}
NOISE_MODELS = ("modulus", "floor", "fra")
CLOSING_SHARE = 0.8
ASCENDING_SHARE = 0.25
F_MAX_CHOICES_HZ = (1e6, 3e5, 1e5)
F_MIN_CHOICES_HZ = (1e-2, 3e-2, 1e-1)
PER_DECADE_CHOICES = (7, 8, 10)
CYCLES_PER_POINT = 2
SETTLE_S = 0.2


# ---------------------------------------------------------------- element impedances (closed form)


def omega(f: np.ndarray) -> np.ndarray:
    """Angular frequency 2 pi f (rad/s)."""
    return 2.0 * math.pi * np.asarray(f, dtype=float)


def resistor(r, w: np.ndarray) -> np.ndarray:
    """Z = R."""
    return r + 0j * w


def capacitor(c, w: np.ndarray) -> np.ndarray:
    """Z = 1 / (j w C)."""
    return -1j / (w * c)


def inductor(ell, w: np.ndarray) -> np.ndarray:
    """Z = j w L."""
    return 1j * w * ell


def cpe(q, n, w: np.ndarray) -> np.ndarray:
    """Constant-phase element Z = 1 / (Q (j w)^n) = w^-n e^(-j pi n / 2) / Q."""
    return np.exp(-1j * math.pi * n / 2) / (q * w**n)


def finite_length_warburg(r, tau, w: np.ndarray) -> np.ndarray:
    """Finite-length (transmissive) Warburg Z = R tanh(sqrt(j w tau)) / sqrt(j w tau)."""
    s = np.sqrt(1j * w * tau)
    return r * np.tanh(s) / s


def finite_space_warburg(r, tau, w: np.ndarray) -> np.ndarray:
    """Finite-space (reflective) Warburg Z = R coth(sqrt(j w tau)) / sqrt(j w tau)."""
    s = np.sqrt(1j * w * tau)
    return r / (s * np.tanh(s))


def parallel(*zs: np.ndarray) -> np.ndarray:
    """Impedance of elements in parallel, 1 / sum(1 / Z)."""
    return 1.0 / sum(1.0 / z for z in zs)


@dataclass(frozen=True)
class Term:
    """One series term of a model: its kind and its values (an array for a value that drifts)."""

    kind: str  # "R", "L", "CPE", "RQ" (R||CPE), "RL" (R||L), "Ws" (tanh), "Wo" (coth)
    values: tuple


# Names of each kind's values; "n" is an exponent, every other value is positive.
TERM_VALUES = {
    "R": ("R",),
    "L": ("L",),
    "CPE": ("Q", "n"),
    "RQ": ("R", "Q", "n"),
    "RL": ("R", "L"),
    "Ws": ("R", "tau"),
    "Wo": ("R", "tau"),
}


def term_impedance(term: Term, w: np.ndarray) -> np.ndarray:
    """The impedance of one series term."""
    v = term.values
    if term.kind == "R":
        return resistor(v[0], w)
    if term.kind == "L":
        return inductor(v[0], w)
    if term.kind == "CPE":
        return cpe(v[0], v[1], w)
    if term.kind == "RQ":
        return parallel(resistor(v[0], w), cpe(v[1], v[2], w))
    if term.kind == "RL":
        return parallel(resistor(v[0], w), inductor(v[1], w))
    if term.kind == "Ws":
        return finite_length_warburg(v[0], v[1], w)
    if term.kind == "Wo":
        return finite_space_warburg(v[0], v[1], w)
    raise ValueError(f"unknown term kind {term.kind!r}")


def impedance(terms: tuple[Term, ...], f: np.ndarray) -> np.ndarray:
    """The impedance of terms in series at frequencies f (Hz)."""
    w = omega(f)
    return sum(term_impedance(t, w) for t in terms)


def impedance_py_circuit(terms: tuple[Term, ...]) -> tuple[str, list[float]]:
    """The same model as an impedance.py circuit string and parameter list (for the cross-check)."""
    parts, values = [], []
    for k, t in enumerate(terms):
        element = {
            "R": f"R{k}",
            "L": f"L{k}",
            "CPE": f"CPE{k}",
            "RQ": f"p(R{k},CPE{k})",
            "RL": f"p(R{k},L{k})",
            "Ws": f"Ws{k}",
            "Wo": f"Wo{k}",
        }[t.kind]
        parts.append(element)
        # impedance.py's Ws and Wo take (Z0, tau), its CPE (Q, alpha): the order used here
        values += [float(x) for x in t.values]
    return "-".join(parts), values


# ---------------------------------------------------------------- noise and frequencies


@dataclass(frozen=True)
class Noise:
    """A noise model and its parameters (see the module docstring)."""

    model: str
    values: dict = field(default_factory=dict)


def noise_sigma(noise: Noise, z: np.ndarray, r_inf: float) -> np.ndarray:
    """Standard deviation (ohm) of the real and of the imaginary part at each point."""
    mod = np.abs(z)
    v = noise.values
    if noise.model == "modulus":
        return v["s"] * mod
    if noise.model == "floor":
        return v["s"] * mod + v["c"] * r_inf
    if noise.model == "fra":
        r_m = 10.0 ** np.ceil(np.log10(mod))  # the measuring resistor autoranging picks
        return (
            v["a"] * np.abs(z.imag)
            + v["b"] * np.abs(z.real - r_inf)
            + v["g"] * mod**2 / r_m
            + v["d"]
        )
    raise ValueError(f"unknown noise model {noise.model!r}")


def draw_noise(rng: np.random.Generator) -> Noise:
    """One of the three noise models, a third each, with its parameters."""
    model = NOISE_MODELS[int(rng.integers(3))]
    if model == "modulus":
        return Noise(model, {"s": log_uniform(rng, 1e-3, 5e-3)})
    if model == "floor":
        return Noise(model, {"s": log_uniform(rng, 5e-4, 3e-3), "c": log_uniform(rng, 1e-3, 1e-2)})
    return Noise(
        model,
        {
            "a": log_uniform(rng, 1e-3, 4e-3),
            "b": log_uniform(rng, 5e-4, 2e-3),
            "g": log_uniform(rng, 5e-4, 2e-3),
            "d": log_uniform(rng, 0.01, 0.1),
        },
    )


@dataclass(frozen=True)
class Sweep:
    """How the instrument stepped the frequency."""

    f_max: float
    f_min: float
    per_decade: int
    ascending: bool = False


def sweep_frequencies(sweep: Sweep) -> np.ndarray:
    """The frequencies in the order measured: per_decade a decade, logarithmic, f_max .. f_min."""
    decades = math.log10(sweep.f_max / sweep.f_min)
    n = round(decades * sweep.per_decade) + 1
    f = sweep.f_max * 10.0 ** (-np.arange(n) / sweep.per_decade)
    return f[::-1].copy() if sweep.ascending else f


def point_times(f_recorded: np.ndarray) -> np.ndarray:
    """Time (s) from the sweep's start to the middle of each point, in the order measured."""
    durations = CYCLES_PER_POINT / f_recorded + SETTLE_S
    return np.cumsum(durations) - durations / 2


def draw_sweep(rng: np.random.Generator) -> Sweep:
    """A window and point density as instruments are set, a quarter of sweeps upwards."""
    return Sweep(
        f_max=float(rng.choice(F_MAX_CHOICES_HZ)),
        f_min=float(rng.choice(F_MIN_CHOICES_HZ)),
        per_decade=int(rng.choice(PER_DECADE_CHOICES)),
        ascending=bool(rng.uniform() < ASCENDING_SHARE),
    )


# ---------------------------------------------------------------- parameter draws


def log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A log-uniform draw in [lo, hi]."""
    return float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))


def q_for_apex(r: float, n: float, f_apex: float) -> float:
    """Q of an R||CPE whose apex is at f_apex: R Q (2 pi f_apex)^n = 1."""
    return 1.0 / (r * (2 * math.pi * f_apex) ** n)


def apex_frequency(r: float, q: float, n: float) -> float:
    """Apex frequency (Hz) of an R||CPE arc."""
    return (r * q) ** (-1.0 / n) / (2 * math.pi)


@dataclass(frozen=True)
class Base:
    """The well-specified model's parameters, window and noise of one spectrum."""

    params: dict  # R0, R1, Q1, n1, R2, Q2, n2, Q3, n3
    area: float
    closing: bool
    sweep: Sweep
    noise: Noise


def draw_base(rng: np.random.Generator, closing: bool | None = None) -> Base:
    """Parameters of R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 with the ranges of the module docstring."""
    sweep = draw_sweep(rng)
    f_max, f_min = sweep.f_max, sweep.f_min
    area = log_uniform(rng, 0.1, 0.5)
    r2 = log_uniform(rng, 10.0, 1e6) / area
    n1, n2, n3 = rng.uniform(0.85, 0.95), rng.uniform(0.75, 0.92), rng.uniform(0.45, 0.65)
    r0, r1 = log_uniform(rng, 20, 200), log_uniform(rng, 50, 1000)
    apex1 = log_uniform(rng, 3e4, f_max)
    is_closing = bool(rng.uniform() < CLOSING_SHARE)
    closing = is_closing if closing is None else closing
    if closing:
        apex2 = log_uniform(rng, f_min * 10**0.7, min(apex1 / 10**1.5, f_max / 10**0.7))
    else:
        apex2 = log_uniform(rng, f_min / 10**1.5, f_min)
    tail_ratio = log_uniform(rng, 0.05, 1.0)
    params = {
        "R0": r0,
        "R1": r1,
        "Q1": q_for_apex(r1, n1, apex1),
        "n1": float(n1),
        "R2": r2,
        "Q2": q_for_apex(r2, n2, apex2),
        "n2": float(n2),
        "Q3": 1.0 / (tail_ratio * r2 * (2 * math.pi * f_min) ** n3),
        "n3": float(n3),
    }
    return Base(params, area, closing, sweep, draw_noise(rng))


def well_terms(p: dict, r2=None) -> tuple[Term, ...]:
    """R0-p(R1,CPE1)-p(R2,CPE2)-CPE3 as terms (R2 may be an array: a drifting R_ct)."""
    return (
        Term("R", (p["R0"],)),
        Term("RQ", (p["R1"], p["Q1"], p["n1"])),
        Term("RQ", (p["R2"] if r2 is None else r2, p["Q2"], p["n2"])),
        Term("CPE", (p["Q3"], p["n3"])),
    )


def warburg_tail(rng: np.random.Generator, base: Base, kind: str) -> Term:
    """A Warburg tail of the R_ct's size whose transition lies between f_min and the R_ct arc."""
    p = base.params
    r_w = log_uniform(rng, 0.05, 1.0) * p["R2"]
    hi = max(apex_frequency(p["R2"], p["Q2"], p["n2"]) / 10**0.5, base.sweep.f_min * 1.0001)
    f_w = log_uniform(rng, base.sweep.f_min, hi)
    return Term(kind, (r_w, 1.0 / (2 * math.pi * f_w)))


@dataclass
class Spectrum:
    """One synthetic spectrum, in the order the instrument measured it, with its truth."""

    kind: str
    index: int
    frequency: np.ndarray  # Hz, measured order
    time: np.ndarray  # s from the sweep's start, measured order
    z: np.ndarray  # noisy, ohm
    z_true: np.ndarray
    sigma: np.ndarray  # ohm, of the real and of the imaginary part
    terms: tuple[Term, ...]  # the noise-free model (drift: R_ct an array along the points)
    rct_true: float  # ohm
    area: float  # cm2
    info: dict


def model_terms(kind: str, rng: np.random.Generator, base: Base, f: np.ndarray, t: np.ndarray):
    """The generating model of a class, and what was drawn for it (for the report)."""
    p = base.params
    if kind == "well":
        return well_terms(p), {}
    if kind == "extra_arc":
        r3, n3 = log_uniform(rng, 500.0, 2000.0), float(rng.uniform(0.80, 0.95))
        apex3 = log_uniform(rng, base.sweep.f_min * 10**0.5, base.sweep.f_max / 10**0.5)
        terms = well_terms(p)
        extra = Term("RQ", (r3, q_for_apex(r3, n3, apex3), n3))
        return terms[:2] + (extra,) + terms[2:], {"R_extra": r3, "apex_extra_Hz": apex3}
    if kind in ("flw_tail", "fsw_tail"):
        tail = warburg_tail(rng, base, "Ws" if kind == "flw_tail" else "Wo")
        ratio = tail.values[0] / p["R2"]
        return well_terms(p)[:3] + (tail,), {
            "R_W/R_ct": ratio,
            "f_W_Hz": 1 / (2 * math.pi * tail.values[1]),
        }
    if kind == "inductive":
        ell = log_uniform(rng, 1e-7, 3e-6)
        extra: tuple[Term, ...] = (Term("L", (ell,)),)
        info = {"L_H": ell}
        if rng.uniform() < 0.5:
            r_l, l_l = log_uniform(rng, 1.0, 20.0), log_uniform(rng, 1e-6, 1e-5)
            extra += (Term("RL", (r_l, l_l)),)
            info.update({"R_loop": r_l, "L_loop_H": l_l})
        return extra + well_terms(p), info
    if kind == "drift":
        d = math.log1p(log_uniform(rng, 0.1, 1.0)) * (1 if rng.uniform() < 0.5 else -1)
        r2 = p["R2"] * np.exp(d * (t / t.max() - 0.5))
        return well_terms(p, r2=r2), {"drift_change": math.expm1(abs(d)) * np.sign(d)}
    raise ValueError(f"unknown class {kind!r}; one of {CLASSES}")


def rng_for(seed: int, kind: str, i: int, stream: int = 0) -> np.random.Generator:
    """The generator of spectrum i of a class (stream 0: parameters, 1: noise)."""
    return np.random.default_rng([seed, CLASS_CODE[kind], i, stream])


def make(kind: str, i: int, seed: int) -> Spectrum:
    """Spectrum i of a class, deterministic for (kind, i, seed)."""
    rng = rng_for(seed, kind, i)
    base = draw_base(rng, closing=None if kind == "well" else True)
    f = sweep_frequencies(base.sweep)
    t = point_times(f)
    terms, info = model_terms(kind, rng, base, f, t)
    return synthesize(kind, i, terms, base, f, t, info, rng_for(seed, kind, i, 1))


def synthesize(kind, i, terms, base: Base, f, t, info, noise_rng: np.random.Generator) -> Spectrum:
    """Noise-free and noisy impedance of a model on a sweep."""
    z_true = impedance(terms, f)
    r_inf = float(z_true.real[np.argmax(f)])
    sigma = noise_sigma(base.noise, z_true, r_inf)
    z = z_true + sigma * (
        noise_rng.standard_normal(f.size) + 1j * noise_rng.standard_normal(f.size)
    )
    p = base.params
    info = {
        "closing": base.closing,
        "apex_ct_Hz": apex_frequency(p["R2"], p["Q2"], p["n2"]),
        "rct_area": p["R2"] * base.area,
        "noise": base.noise.model,
        "noise_percent": float(100 * np.median(sigma / np.abs(z_true))),
        "f_min": base.sweep.f_min,
        "f_max": base.sweep.f_max,
        "per_decade": base.sweep.per_decade,
        "ascending": base.sweep.ascending,
        **info,
    }
    return Spectrum(kind, i, f, t, z, z_true, sigma, terms, p["R2"], base.area, info)
