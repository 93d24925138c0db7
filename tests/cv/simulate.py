"""Synthetic cyclic voltammograms from a current model that shares nothing with the analysis.

Faradaic current: a surface-confined (thin-film) redox couple O + n e- <-> R with Butler-Volmer
kinetics, the model of Laviron (1979, J. Electroanal. Chem. 101, 19). With theta the oxidised
fraction and eta = E - E0',

    d theta / dt = k_s [(1 - theta) exp((1 - alpha) n f eta) - theta exp(-alpha n f eta)]
                   + k_chem_ox (1 - theta) - k_chem_red theta,

f = F / RT; the faradaic current density is Q times the electrochemical part of d theta / dt
(anodic positive), Q = n F Gamma the charge of full conversion (C cm-2). The optional chemical
steps regenerate R (or O) between sweeps, so an irreversible peak recurs every cycle. At
constant E the equation is linear in theta and is integrated exactly; the sweep is a
staircase of :data:`SUBSTEPS` steps per recorded point (the recorded current is their mean),
as a digital potentiostat applies it. Small k_s widens the couple: delta_Ep grows by
(RT / alpha n F) ln(...) per sweep (Laviron 1979, eqs. 18-19); :func:`rate_for_separation`
finds the k_s that gives a wanted delta_Ep.

Background: double-layer charging C_dl dE/dt, which relaxes to its new sign with time constant
tau = R_u C_dl after each vertex, plus a resistive leak (E - E_rest) / R_leak; Gaussian noise
on the current density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import xarray as xr

from interphase.datasets import variable

# CODATA 2018 exact values: Faraday constant (C mol-1) and molar gas constant (J mol-1 K-1).
FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
TEMPERATURE_K = 298.15
F_RT = FARADAY / (GAS_CONSTANT * TEMPERATURE_K)  # 38.92 V-1
# Staircase steps per recorded point.
SUBSTEPS = 4


@dataclass(frozen=True)
class Protocol:
    """The potential program: a triangular sweep between two vertices, ``cycles`` times."""

    e_low: float = 2.6
    e_high: float = 4.8
    scan_rate: float = 1e-3  # V s-1
    step: float = 2e-3  # V between recorded points
    cycles: int = 2
    down_first: bool = False  # start at e_high and sweep cathodic first


@dataclass(frozen=True)
class Couple:
    """A surface-confined redox couple."""

    e0: float = 3.75  # V, formal potential
    charge: float = 3e-3  # C cm-2 converted in a full sweep
    k_s: float = 1.0  # s-1, standard rate constant
    alpha: float = 0.5
    n: int = 1
    k_chem_ox: float = 0.0  # s-1, R -> O chemically
    k_chem_red: float = 0.0  # s-1, O -> R chemically


@dataclass(frozen=True)
class Background:
    """Double layer, leak and noise (per cm2)."""

    c_dl: float = 1.0e-3  # F cm-2
    tau: float = 4.0  # s
    r_leak: float = 1.0e6  # ohm cm2
    e_rest: float = 3.0  # V
    sigma: float = 1.1e-6  # A cm-2


@dataclass(frozen=True)
class Cell:
    """A simulated cell: protocol, couples, background, electrode area."""

    protocol: Protocol = field(default_factory=Protocol)
    couples: tuple[Couple, ...] = ()
    background: Background = field(default_factory=Background)
    area: float = 0.196  # cm2


def program(p: Protocol) -> tuple[np.ndarray, np.ndarray]:
    """Recorded potentials and cycle numbers (a cycle: out to the far vertex and back)."""
    n = int(round((p.e_high - p.e_low) / p.step))
    up = np.linspace(p.e_low, p.e_high, n + 1)[:-1]
    down = np.linspace(p.e_high, p.e_low, n + 1)[:-1]
    one = np.concatenate([down, up] if p.down_first else [up, down])
    e = np.concatenate([np.tile(one, p.cycles), one[:1]])
    cycle = np.concatenate([np.repeat(np.arange(1, p.cycles + 1), one.size), [p.cycles]])
    return e, cycle


def staircase(e: np.ndarray) -> np.ndarray:
    """The applied potential of every sub-step between recorded points (length SUBSTEPS * n)."""
    start = np.concatenate([e[:1], e[:-1]])
    frac = (np.arange(SUBSTEPS) + 1.0) / SUBSTEPS
    return (start[:, None] + (e - start)[:, None] * frac[None, :]).ravel()


def faradaic(e: np.ndarray, dt: float, c: Couple) -> np.ndarray:
    """Faradaic current density (A cm-2) at the recorded points, exact per sub-step."""
    nf = c.n * F_RT
    applied = staircase(e)
    h = dt / SUBSTEPS
    theta = 1.0 / (1.0 + math.exp(-nf * (applied[0] - c.e0)))  # at rest: Nernstian
    out = np.empty(applied.size)
    for k, potential in enumerate(applied):
        eta = potential - c.e0
        k_ox = c.k_s * math.exp((1 - c.alpha) * nf * eta)
        k_red = c.k_s * math.exp(-c.alpha * nf * eta)
        total = k_ox + k_red + c.k_chem_ox + c.k_chem_red
        target = (k_ox + c.k_chem_ox) / total
        decay = math.exp(-total * h)
        mean_theta = target + (theta - target) * (1 - decay) / (total * h)
        new = target + (theta - target) * decay
        chemical = c.k_chem_ox * (1 - mean_theta) - c.k_chem_red * mean_theta
        out[k] = c.charge * ((new - theta) / h - chemical)
        theta = new
    return out.reshape(-1, SUBSTEPS).mean(axis=1)


def capacitive(e: np.ndarray, dt: float, b: Background) -> np.ndarray:
    """C_dl dE/dt relaxing with time constant tau after each change of direction (A cm-2)."""
    direction = np.sign(np.diff(e, prepend=e[0]))
    decay = math.exp(-dt / b.tau)
    out = np.zeros(e.size)
    current = 0.0
    for k in range(1, e.size):
        target = b.c_dl * (e[k] - e[k - 1]) / dt if direction[k] else 0.0
        current = target + (current - target) * decay
        out[k] = current
    return out


def current_density(cell: Cell, seed: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Potential, cycle and current density (A cm-2; no noise when seed is None)."""
    p, b = cell.protocol, cell.background
    e, cycle = program(p)
    dt = p.step / p.scan_rate
    j = capacitive(e, dt, b) + (e - b.e_rest) / b.r_leak
    for c in cell.couples:
        j = j + faradaic(e, dt, c)
    if seed is not None:
        j = j + np.random.default_rng(seed).normal(0.0, b.sigma, e.size)
    return e, cycle, j


def simulate(cell: Cell, seed: int = 0) -> xr.Dataset:
    """A clean CV dataset (the readers' layout) of the cell, with sample attributes."""
    e, cycle, j = current_density(cell, seed)
    t = np.arange(e.size) * cell.protocol.step / cell.protocol.scan_rate
    return xr.Dataset(
        {
            "time": variable("point", t, "s", "time"),
            "potential": variable("point", e, "V", "working electrode potential vs reference"),
            "current": variable("point", j * cell.area, "A", "current"),
            "cycle": variable("point", cycle, "1", "cycle number"),
        },
        attrs={
            "sample": "simulated",
            "sintering_temperature_C": 900.0,
            "electrode_area_cm2": cell.area,
            "scan_rate_V_s": cell.protocol.scan_rate,
            "technique": "cv",
            "measurement": "simulated_cv",
        },
    )


def true_peaks(p: Protocol, c: Couple, cycle: int = 2) -> tuple[float, float]:
    """E_pa and E_pc (V) of the noise-free faradaic current of one couple in one cycle.

    The extremum of each sweep direction, refined by the parabola through it and its two
    neighbours; NaN where the sweep has no interior extremum.
    """
    e, cycles = program(p)
    j = faradaic(e, p.step / p.scan_rate, c)
    direction = np.sign(np.gradient(e))
    out = []
    for sign in (1, -1):
        idx = np.flatnonzero((cycles == cycle) & (direction == sign))
        k = int(np.argmax(sign * j[idx]))
        if k in (0, idx.size - 1):
            out.append(math.nan)
            continue
        y0, y1, y2 = sign * j[idx[k - 1 : k + 2]]
        shift = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
        out.append(float(e[idx[k]] + shift * (e[idx[k + 1]] - e[idx[k]])))
    return out[0], out[1]


def rate_for_separation(delta_ep: float, p: Protocol, c: Couple) -> float:
    """The k_s (s-1) whose noise-free couple has E_pa - E_pc = ``delta_ep`` (log bisection)."""
    low, high = -10.0, 4.0  # log10 k_s: delta_Ep falls as k_s grows
    for _ in range(30):
        mid = 0.5 * (low + high)
        e_pa, e_pc = true_peaks(p, replace(c, k_s=10.0**mid))
        if e_pa - e_pc > delta_ep:
            low = mid
        else:
            high = mid
    return 10.0 ** (0.5 * (low + high))


def rct_area(c: Couple) -> float:
    """Charge-transfer resistance x area (ohm cm2) of the couple at E0' (theta = 1/2).

    Linearising the rate law at eta = 0: dj/d eta = Q k_s n f / 2 (any alpha), so
    R_ct A = 2 / (Q k_s n f).
    """
    return 2.0 / (c.charge * c.k_s * c.n * F_RT)
