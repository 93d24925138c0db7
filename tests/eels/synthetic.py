"""Synthetic EELS lines for the tests, written out here: no code of interphase.eels or the demo.

A line crosses a film (Mn, Co, Ni in it) into an electrolyte: each element's concentration
falls as an erf step at ``interface`` with a 10-90 % width ``width``; a core-loss spectrum a
position is a power-law background plus, per element, Gaussian L3 and L2 white lines (areas
in the ratio asked) on an erf-broadened 2:1 double step that decays as (E/E_L2)^-1.5 past
the L2 line. Any energy range and dispersion; the line may run either way; plural scattering
(a Poisson sum of Lorentzian plasmons convolved in) and the matching low-loss spectra with a
zero-loss peak are optional. Counts are per channel and scale with the dispersion.

Edge energies: near the literature white-line maxima of Mn, Co, Ni oxides (EELS Atlas onsets
640/651, 779/794, 855/872 eV plus 1-2 eV), deliberately a few tenths of an eV off the
analysis table so that its calibration has something to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from scipy.special import erf

# (L3, L2) white-line maxima (eV), FWHM (eV) of the two lines and the sizes, per eV of
# dispersion: continuum step height and white-line area (counts) in the film.
LINES_EV = {"Mn": (642.2, 653.2), "Co": (779.8, 795.2), "Ni": (854.8, 872.3)}
FWHM_EV = {"Mn": (2.4, 3.0), "Co": (2.6, 3.2), "Ni": (2.2, 3.0)}
STEP_PER_EV = {"Mn": 1600.0, "Co": 1200.0, "Ni": 1000.0}
AREA = {"Mn": 80000.0, "Co": 64000.0, "Ni": 50000.0}
BACKGROUND_PER_EV = 16000.0  # at 600 eV
BACKGROUND_EXPONENT = 3.0
CONTINUUM_DECAY = 1.5
TEN_NINETY = 2.5631031310892007  # 2 sqrt(2) erfinv(0.8)
PLASMON_EV, PLASMON_FWHM_EV, ZERO_LOSS_FWHM_EV = 22.0, 7.0, 0.8


@dataclass
class Line:
    """What to make: positions, energies, which elements and how their ratios vary."""

    x: np.ndarray = field(default_factory=lambda: np.arange(0.0, 100.0, 2.5))
    energy: np.ndarray = field(default_factory=lambda: 600.0 + 0.5 * np.arange(501))
    ratios: dict = field(default_factory=lambda: {"Mn": 2.0, "Co": 2.3})
    interface: float = 47.0
    width: float = 30.0
    film_last: bool = False
    scale: float = 1.0
    t_over_lambda: object = 0.0  # a number or an array over x
    co_interface_ratio: float | None = None  # Co ratio within 6 nm of the interface
    decay: float = CONTINUUM_DECAY  # 0: a flat continuum past L2 (Pearson's assumption)
    far: dict = field(default_factory=dict)  # element -> fraction of its film level kept beyond


def gaussian_area(energy: np.ndarray, centre: float, fwhm: float, area: float) -> np.ndarray:
    """Counts per channel of a Gaussian line of total ``area`` counts."""
    sigma = fwhm / (2.0 * math.sqrt(2.0 * math.log(2.0)))
    d = float(energy[1] - energy[0])
    return (
        area
        * d
        / (sigma * math.sqrt(2 * math.pi))
        * np.exp(-0.5 * ((energy - centre) / sigma) ** 2)
    )


def edge(
    energy: np.ndarray, el: str, fraction: float, ratio: float, decay: float = CONTINUUM_DECAY
) -> np.ndarray:
    """Continuum double step and white lines of one element at a concentration fraction."""
    d = float(energy[1] - energy[0])
    l3, l2 = LINES_EV[el]
    step = (2 / 3) * 0.5 * (1 + erf((energy - l3) / 0.8)) + (1 / 3) * 0.5 * (
        1 + erf((energy - l2) / 0.8)
    )
    step = step * (np.maximum(energy, l2) / l2) ** -decay * STEP_PER_EV[el] * d
    area = AREA[el]
    lines = gaussian_area(energy, l3, FWHM_EV[el][0], area * ratio / (1 + ratio))
    lines += gaussian_area(energy, l2, FWHM_EV[el][1], area / (1 + ratio))
    return fraction * (step + lines)


def concentration(line: Line, x: np.ndarray) -> np.ndarray:
    """Film fraction of every film element along the line (film side first)."""
    sigma = line.width / TEN_NINETY
    return 0.5 * (1 - erf((x - line.interface) / (math.sqrt(2) * sigma)))


def ratio_at(line: Line, el: str, x: float) -> float:
    """The true L3/L2 of an element at x."""
    if el == "Co" and line.co_interface_ratio is not None and abs(x - line.interface) <= 6.0:
        return line.co_interface_ratio
    return line.ratios[el]


def single(line: Line, x: float, energy: np.ndarray) -> np.ndarray:
    """Noise-free single-scattering core-loss spectrum at x."""
    d = float(energy[1] - energy[0])
    out = BACKGROUND_PER_EV * d * (energy / 600.0) ** -BACKGROUND_EXPONENT
    c = float(concentration(line, np.array([x]))[0])
    for el in line.ratios:
        level = line.far.get(el, 0.0)
        fraction = level + (1.0 - level) * c
        out = out + edge(energy, el, fraction, ratio_at(line, el, x), line.decay)
    return line.scale * out


def lorentzian(loss: np.ndarray, centre: float, fwhm: float) -> np.ndarray:
    """A Lorentzian on positive losses, normalised to sum 1 over the grid."""
    g = fwhm / 2
    shape = np.where(loss > 0, g / ((loss - centre) ** 2 + g**2), 0.0)
    return shape / shape.sum()


def poisson_kernel(d: float, tau: float, span: float) -> np.ndarray:
    """Σ_n e^-τ τ^n/n! P^{*n} on losses 0, d, 2d, ... span (via FFT)."""
    n = int(round(span / d)) + 1
    plasmon = lorentzian(d * np.arange(n), PLASMON_EV, PLASMON_FWHM_EV)
    size = 2 * n
    p = np.fft.rfft(plasmon, size)
    # Σ e^-τ (τ P)^n / n! = exp(τ (P - 1)) in Fourier space
    return np.fft.irfft(np.exp(tau * (p - 1.0)), size)[:n]


def plural(line: Line, x: float, tau: float) -> np.ndarray:
    """Core-loss spectrum at x with plural scattering of relative thickness tau."""
    e = line.energy
    if tau <= 0:
        return single(line, x, e)
    d = float(e[1] - e[0])
    span = 10 * PLASMON_EV
    pad = int(round(span / d))
    wide = e[0] + d * np.arange(-pad, e.size)
    return np.convolve(single(line, x, wide), poisson_kernel(d, tau, span))[pad : pad + e.size]


def taus(line: Line) -> np.ndarray:
    """t/λ at every position."""
    return np.broadcast_to(np.asarray(line.t_over_lambda, float), line.x.shape).astype(float)


def expected(line: Line) -> np.ndarray:
    """Noise-free spectra (position x energy), in recording order."""
    out = np.array([plural(line, float(x), t) for x, t in zip(line.x, taus(line))])
    return out[::-1] if line.film_last else out


def low_loss_energy() -> np.ndarray:
    """-10 to 250 eV at 0.1 eV/channel."""
    return -10.0 + 0.1 * np.arange(2601)


def low_loss(tau: float, electrons: float = 2e6, energy: np.ndarray | None = None) -> np.ndarray:
    """Noise-free low-loss spectrum: zero-loss Gaussian convolved with the Poisson kernel."""
    energy = low_loss_energy() if energy is None else energy
    d = float(energy[1] - energy[0])
    zero = gaussian_area(energy, 0.0, ZERO_LOSS_FWHM_EV, 1.0)
    kernel = poisson_kernel(d, tau, float(energy[-1] - energy[0]))
    return electrons * np.convolve(zero, kernel)[: energy.size]


def dataset(line: Line, rng: np.random.Generator | None = None, with_low_loss: bool = False):
    """An eels_line clean dataset (Poisson noise when rng is given), low loss optional."""
    counts = expected(line)
    if rng is not None:
        counts = rng.poisson(counts).astype(float)
    x = line.x if not line.film_last else line.x.min() + line.x.max() - line.x[::-1]
    ds = xr.Dataset(
        {
            "intensity": (
                ("distance", "energy_loss"),
                counts,
                {"units": "count", "long_name": "intensity"},
            )
        },
        coords={
            "distance": ("distance", x, {"units": "nm", "long_name": "distance"}),
            "energy_loss": (
                "energy_loss",
                line.energy,
                {"units": "eV", "long_name": "energy loss"},
            ),
        },
        attrs={"sample": "S", "sintering_temperature_C": 800.0, "technique": "eels_line"},
    )
    if not with_low_loss:
        return ds
    energy = low_loss_energy()
    spectra = np.array([low_loss(t, energy=energy) for t in taus(line)])
    spectra = spectra[::-1] if line.film_last else spectra
    if rng is not None:
        spectra = rng.poisson(spectra).astype(float)
    low = xr.Dataset(
        {
            "intensity": (
                ("distance", "energy_loss"),
                spectra,
                {"units": "count", "long_name": "low loss"},
            )
        },
        coords={
            "distance": ("distance", x, {"units": "nm", "long_name": "distance"}),
            "energy_loss": ("energy_loss", energy, {"units": "eV", "long_name": "energy loss"}),
        },
    )
    return ds, low
