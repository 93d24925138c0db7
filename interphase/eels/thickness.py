"""Specimen thickness t/λ along an EELS line from its low-loss spectra: the log-ratio method.

t/λ = ln(I_t / I_0), with I_0 the zero-loss intensity and I_t the total intensity of a
low-loss spectrum (Poisson statistics of independent inelastic events: T. Malis, S. C.
Cheng, R. F. Egerton, J. Electron Microsc. Tech. 8, 193 (1988); R. F. Egerton, *Electron
Energy-Loss Spectroscopy in the Electron Microscope*, 3rd ed., 2011, Sec. 5.1). λ is the
total inelastic mean free path, so t/λ needs no material constant; converting it to a
thickness in nm would (Malis et al. give λ from Z_eff, E0 and β) and is not needed for the
check made here.

Per spectrum:

- zero-loss peak: the highest channel within ZLP_SEARCH_EV of 0 eV; I_0 = the counts from the
  first channel up to the minimum of the (3-channel smoothed) spectrum in the
  ZLP_MINIMUM_SEARCH_EV above the peak, "the first minimum" of Egerton (2011, Sec. 5.1);
- I_t = all counts, plus the tail beyond the last channel extrapolated with a power law
  A·E^-r fitted to the last TAIL_FRACTION of the spectrum (when r > 1, so that it converges);
  ``low_loss_tail_fraction`` says how much of I_t that tail is;
- stderr from Poisson counting, var(t/λ) = 1/I_0 - 1/I_t (I_0 is part of I_t), plus the
  tail's uncertainty (its power law's covariance) relative to I_t.

Plural scattering redistributes core-loss intensity by a plasmon energy (~20-30 eV) and so
raises the L3/L2 ratio measured with a post-edge continuum window: positions thicker than
``eels.max_t_over_lambda`` are left out of the bulk and interface ratios (default 0.5, below
which Wang, Yin & Jiang, Micron 31, 571 (2000) found the thickness dependence of L3/L2 weak;
it is not zero: a test in tests/eels/test_thickness.py measures it).

Low-loss spectra reach the analysis inside the clean dataset (:func:`attach_low_loss`, called
by the clean step for a measurement whose ``low_loss`` column names a file or folder): the
variable ``low_loss_intensity`` (low_loss_distance, low_loss_energy) in counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from interphase.datasets import variable
from interphase.errors import AnalysisError

# The zero-loss peak is looked for within this distance of 0 eV (spectra without a drift
# correction are often off by a few eV).
ZLP_SEARCH_EV = 5.0
# The first minimum after the zero-loss peak is looked for this far above it: beyond the
# tail of a ~1-2 eV wide peak and before the plasmon maximum (15-30 eV in oxides).
ZLP_MINIMUM_SEARCH_EV = 10.0
# Fraction of the spectrum (at its high-energy end) fitted by the tail's power law, in bins.
TAIL_FRACTION = 0.2
TAIL_BINS = 5
MIN_TAIL_BIN_COUNTS = 100
MIN_TAIL_EXPONENT = 1.5
# A tail larger than this fraction of I_t makes t/λ depend on the extrapolation: flagged.
MAX_TAIL_FRACTION = 0.05
NOT_CHECKED = "thickness not checked: no low-loss spectra (measurements.tsv column low_loss)"


@dataclass
class LogRatio:
    """t/λ of one low-loss spectrum with its stderr, the integrals and a note."""

    t_over_lambda: float = math.nan
    stderr: float = math.nan
    zero_loss: float = math.nan
    total: float = math.nan
    tail_fraction: float = math.nan
    note: str = ""


def _smooth(counts: np.ndarray) -> np.ndarray:
    """3-channel running mean."""
    return np.convolve(counts, np.ones(3) / 3.0, mode="same")


def zero_loss_integral(energy: np.ndarray, counts: np.ndarray) -> tuple[float, str]:
    """I_0: counts up to the first minimum after the zero-loss peak; NaN and why if none."""
    near = np.nonzero(np.abs(energy) <= ZLP_SEARCH_EV)[0]
    if near.size == 0:
        return math.nan, (
            f"no zero-loss peak: the low-loss spectrum covers {energy[0]:.4g}-{energy[-1]:.4g} eV"
        )
    peak = int(near[np.argmax(counts[near])])
    after = np.nonzero((energy > energy[peak]) & (energy <= energy[peak] + ZLP_MINIMUM_SEARCH_EV))
    after = after[0]
    if after.size < 2:
        return math.nan, "the low-loss spectrum ends at its zero-loss peak"
    minimum = int(after[np.argmin(_smooth(counts)[after])])
    return float(np.sum(counts[:minimum])), ""


def _tail(log_level: float, r: float, end: float, dispersion: float) -> float:
    """Counts beyond ``end`` of a power law exp(log_level)·E^-r a channel of ``dispersion``."""
    return math.exp(log_level) * end ** (1.0 - r) / ((r - 1.0) * dispersion)


def tail_integral(energy: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """Counts beyond the last channel by a power law fitted to the spectrum's end, and their
    stderr from the fit's covariance; (0, 0) when there is no usable tail.

    The last TAIL_FRACTION of the channels is summed in TAIL_BINS bins (so that a few counts a
    channel still give an unbiased fit of ln(counts) on ln(E)); no tail when a bin holds fewer
    than MIN_TAIL_BIN_COUNTS or the exponent is below MIN_TAIL_EXPONENT (a tail that would
    hardly converge).
    """
    n = max(int(TAIL_FRACTION * energy.size) // TAIL_BINS, 1) * TAIL_BINS
    e, c = energy[-n:], counts[-n:]
    if n < 2 * TAIL_BINS or e[0] <= 0:
        return 0.0, 0.0
    sums = c.reshape(TAIL_BINS, -1).sum(axis=1)
    centres = e.reshape(TAIL_BINS, -1).mean(axis=1)
    if sums.min() < MIN_TAIL_BIN_COUNTS:
        return 0.0, 0.0
    (slope, intercept), cov = np.polyfit(
        np.log(centres), np.log(sums / (n // TAIL_BINS)), 1, cov=True
    )
    if not -slope > MIN_TAIL_EXPONENT:
        return 0.0, 0.0
    dispersion = float(np.median(np.diff(energy)))
    end = float(energy[-1]) + dispersion / 2.0
    tail = _tail(intercept, -slope, end, dispersion)
    grad = np.array(
        [
            (_tail(intercept, -(slope + 1e-6), end, dispersion) - tail) / 1e-6,
            tail,  # d tail / d intercept
        ]
    )
    return tail, float(math.sqrt(max(float(grad @ cov @ grad), 0.0)))


def log_ratio(energy: np.ndarray, counts: np.ndarray) -> LogRatio:
    """t/λ = ln(I_t/I_0) of one low-loss spectrum (Malis et al. 1988), with its stderr."""
    counts = np.clip(np.asarray(counts, float), 0.0, None)
    i0, why = zero_loss_integral(energy, counts)
    if not i0 > 0:
        return LogRatio(note=why or "no counts in the zero-loss peak")
    tail, tail_se = tail_integral(energy, counts)
    total = float(np.sum(counts)) + tail
    value = math.log(total / i0)
    variance = max(1.0 / i0 - 1.0 / total, 0.0) + (tail_se / total) ** 2
    out = LogRatio(value, math.sqrt(variance), i0, total, tail / total)
    if out.tail_fraction > MAX_TAIL_FRACTION:
        out.note = (
            f"the low-loss spectrum ends at {energy[-1]:.4g} eV: {100 * out.tail_fraction:.0f} % "
            "of I_t extrapolated"
        )
    elif tail == 0.0 and _unseen(energy, counts) > MAX_TAIL_FRACTION * total:
        out.note = (
            f"the low-loss spectrum ends at {energy[-1]:.4g} eV before its tail falls off and the "
            "tail could not be extrapolated: t/λ is underestimated"
        )
    return out


def _unseen(energy: np.ndarray, counts: np.ndarray) -> float:
    """A rough size of the intensity beyond the spectrum: its last level as an E^-2 tail."""
    dispersion = float(np.median(np.diff(energy)))
    return float(np.mean(counts[-10:])) * max(float(energy[-1]), 0.0) / dispersion


@dataclass
class Thickness:
    """t/λ per position of the core-loss line (NaN where unknown), with a line-level note."""

    t_over_lambda: np.ndarray
    stderr: np.ndarray
    tail_fraction: np.ndarray
    checked: bool = False
    notes: list[str] = field(default_factory=list)


def has_low_loss(clean: xr.Dataset) -> bool:
    """True when the clean dataset carries low-loss spectra."""
    return "low_loss_intensity" in clean


def _on_line(x: np.ndarray, x_low: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Values measured at x_low on the core-loss positions x (interpolated; NaN outside)."""
    if x_low.size == 1:
        return np.full(x.size, values[0])
    if x_low.size == x.size and np.allclose(x_low, x, atol=1e-6):
        return values.copy()
    order = np.argsort(x_low)
    inside = (x >= x_low.min()) & (x <= x_low.max())
    return np.where(inside, np.interp(x, x_low[order], values[order]), math.nan)


def line_thickness(clean: xr.Dataset) -> Thickness:
    """t/λ at every position of an eels_line clean dataset (all NaN without low-loss spectra)."""
    x = np.asarray(clean["distance"].values, float)
    nan = np.full(x.size, math.nan)
    if not has_low_loss(clean):
        return Thickness(nan, nan.copy(), nan.copy(), checked=False, notes=[NOT_CHECKED])
    energy = np.asarray(clean["low_loss_energy"].values, float)
    x_low = np.atleast_1d(np.asarray(clean["low_loss_distance"].values, float))
    spectra = np.atleast_2d(np.asarray(clean["low_loss_intensity"].values, float))
    results = [log_ratio(energy, s) for s in spectra]
    notes = sorted({r.note for r in results if r.note})
    if x_low.size == 1:
        notes.append("one low-loss spectrum for the whole line")
    elif not (x_low.size == x.size and np.allclose(x_low, x, atol=1e-6)):
        notes.append("t/λ interpolated from the low-loss positions onto the core-loss ones")

    def per_position(name: str) -> np.ndarray:
        """One LogRatio field on the core-loss positions."""
        return _on_line(x, x_low, np.array([getattr(r, name) for r in results], float))

    return Thickness(
        per_position("t_over_lambda"),
        per_position("stderr"),
        per_position("tail_fraction"),
        checked=True,
        notes=notes,
    )


def usable(thickness: Thickness, limit: float) -> np.ndarray:
    """Positions whose t/λ is not known to exceed ``limit`` (unknown t/λ counts as usable)."""
    return ~(thickness.t_over_lambda > limit)


def thickness_note(thickness: Thickness, limit: float) -> str:
    """One line: t/λ range and how many positions were left out, or that it was not checked."""
    if not thickness.checked:
        return "; ".join(thickness.notes)
    t = thickness.t_over_lambda[np.isfinite(thickness.t_over_lambda)]
    if t.size == 0:
        return "; ".join(
            ["thickness not checked: no t/λ from the low-loss spectra", *thickness.notes]
        )
    parts = [f"t/λ {t.min():.2f}-{t.max():.2f} (log-ratio)"]
    thick = int(np.sum(thickness.t_over_lambda > limit))
    if thick:
        parts.append(
            f"{thick} positions with t/λ > {limit:g} left out of the bulk/interface ratios"
        )
    unknown = int(np.sum(~np.isfinite(thickness.t_over_lambda)))
    if unknown:
        parts.append(f"{unknown} positions without t/λ")
    return "; ".join(parts + thickness.notes)


def attach_low_loss(clean: xr.Dataset, low_loss: xr.Dataset, source: str = "") -> xr.Dataset:
    """The clean core-loss line with the low-loss spectra of the same line added to it.

    ``low_loss`` is an eels_line dataset (as any EELS reader returns it: distance,
    energy_loss, intensity); its positions are those of the low-loss spectra along the same
    line (one spectrum stands for the whole line). AnalysisError when it holds no zero-loss
    peak (energy from below ZLP_SEARCH_EV).
    """
    energy = np.asarray(low_loss["energy_loss"].values, float)
    if energy.size == 0 or energy[0] > ZLP_SEARCH_EV:
        found = f"{energy[0]:.4g}-{energy[-1]:.4g} eV" if energy.size else "no energy axis"
        raise AnalysisError(
            source or None,
            "energy axis",
            f"a low-loss spectrum holding the zero-loss peak (from below {ZLP_SEARCH_EV:g} eV)",
            found,
        )
    counts = np.atleast_2d(np.asarray(low_loss["intensity"].values, float))
    distance = np.atleast_1d(np.asarray(low_loss["distance"].values, float))
    out = clean.copy()
    out = out.assign_coords(
        low_loss_distance=variable(
            "low_loss_distance", distance, "nm", "position of the low-loss spectrum on the line"
        ),
        low_loss_energy=variable("low_loss_energy", energy, "eV", "energy loss (low loss)"),
    )
    out["low_loss_intensity"] = variable(
        ("low_loss_distance", "low_loss_energy"), counts, "count", "low-loss spectrum"
    )
    out.attrs["low_loss_source"] = source
    return out
