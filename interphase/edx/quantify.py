"""EDX quantification of thin-film spectra: net K-line intensities and Cliff–Lorimer at%.

Cliff–Lorimer ratio method (G. Cliff and G. W. Lorimer, J. Microsc. 103 (1975) 203):
for a thin film, weight fractions follow C_A / C_B = k_AB * I_A / I_B, with I the net
(background-subtracted) characteristic intensities. With every k-factor relative to Si,
C_A ∝ k_ASi * I_A; normalising sum(C) = 1 gives weight fractions, and dividing by the atomic
weights gives atomic percent.

Net intensities: the counts in a window of ±0.6 FWHM around each element's Kα line (84 % of
a Gaussian peak, the same fraction for every line, so it cancels in the ratios; channels
weighted by their fraction inside the window) minus a background from two side windows (0.5
FWHM wide, from 1.2 FWHM out), linear between them. A side window within one FWHM of a line
(Kα, Kβ, Lα) of an element being quantified is moved further out (up to 4.2 FWHM); where only
one side is clean, the background follows Kramers' continuum shape (E0 - E)/E scaled to that
window (a straight line through a second, farther window was tried: on the curved low-energy
continuum, cut by the detector window below ~0.3 keV, it oversubtracted O K). Real low-energy
continua are flatter than Kramers' (detector absorption), so O K (between Ti L and Mn L,
one-sided) is the least certain line here.

Theoretical k-factors, line data and the detector resolution: :mod:`interphase.edx.kfactors`.

Why not exspy (HyperSpy's EDS package): it installs here (with hyperspy 2.5, h5py, traits,
pooch ...) but its Cliff–Lorimer needs the k-factors and the intensities supplied, so it
would add a large dependency stack and seconds of import time for a ratio and a window sum,
and the k-factors would still have to come from here.

Only K lines are quantified (C to Zn); heavier elements (L/M lines) are refused by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import edx_composition_dataset, film_side_last, variable
from interphase.edx.kfactors import (  # noqa: F401 (re-exported: the quantification's physics)
    DEFAULT_BEAM_KEV,
    DEFAULT_ELEMENTS,
    FWHM_MN_EV,
    LINES,
    MIN_OVERVOLTAGE,
    Line,
    detector_fwhm_mn_eV,
    fluorescence_yield_k,
    fwhm_eV,
    k_factors,
    ka_fraction,
    known_line,
    model_spectrum,
    theoretical_k_factor,
    weight_to_atomic,
)
from interphase.errors import AnalysisError

# Window half width and side-window geometry, in units of the local FWHM.
PEAK_HALF_WIDTH = 0.6
SIDE_START = 1.2
SIDE_WIDTH = 0.5
SIDE_MAX_START = 4.2


@dataclass
class Quantification:
    """Cliff–Lorimer result for n positions: at% and its stderr, net counts, k-factors."""

    elements: list[str]
    atomic_percent: np.ndarray  # (n, elements)
    atomic_percent_stderr: np.ndarray
    net_counts: np.ndarray
    net_counts_stderr: np.ndarray
    k_factors: dict[str, float]
    k_source: dict[str, str]
    beam_energy_keV: float
    background: list[str]


def quantifiable(
    element: str, energy_eV: np.ndarray, beam_energy_keV: float, fwhm_mn_eV: float = FWHM_MN_EV
) -> str:
    """'' when the Kα window and a side window fit the spectrum and the beam ionises K; else why."""
    if element not in LINES:
        return f"no K-line data (quantifiable: {', '.join(LINES)})"
    line = LINES[element]
    if math.isfinite(beam_energy_keV) and beam_energy_keV / line.edge_keV < MIN_OVERVOLTAGE:
        return (
            f"K edge {line.edge_keV:g} keV not ionised enough by a {beam_energy_keV:g} keV beam"
            f" (overvoltage < {MIN_OVERVOLTAGE:g})"
        )
    e = line.ka_keV * 1e3
    half = PEAK_HALF_WIDTH * float(fwhm_eV(e, fwhm_mn_eV))
    if e - half < energy_eV[0] or e + half > energy_eV[-1]:
        span = f"{energy_eV[0] / 1e3:g}-{energy_eV[-1] / 1e3:g} keV"
        return f"Kα {line.ka_keV:g} keV outside the spectrum ({span})"
    return ""


def interfering_lines_eV(exclude: str, present: list[str]) -> np.ndarray:
    """Energies (eV) of the Kα, Kβ and Lα lines of the present elements, less ``exclude``'s Kα."""
    out = []
    for element in present:
        line = known_line(element)
        for energy in (line.ka_keV, line.kb_keV, line.la_keV):
            if energy is not None and not (element == exclude and energy == line.ka_keV):
                out.append(energy * 1e3)
    return np.array(out)


def side_window(
    centre_eV: float, fwhm: float, sign: int, others: np.ndarray, energy_eV: np.ndarray
) -> tuple[float, float] | None:
    """The nearest clean side window (lo, hi in eV) below (-1) or above (+1) a line, or None."""
    start = SIDE_START
    while start <= SIDE_MAX_START + 1e-9:
        a = centre_eV + sign * start * fwhm
        b = centre_eV + sign * (start + SIDE_WIDTH) * fwhm
        lo, hi = min(a, b), max(a, b)
        near = np.abs(others - 0.5 * (lo + hi)) < 0.5 * (hi - lo) + fwhm
        inside = lo >= energy_eV[0] and hi <= energy_eV[-1]
        if inside and not near.any():
            return lo, hi
        start += 0.5
    return None


def window_weights(energy_eV: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """The fraction of each channel (centred at its energy, one channel wide) inside [lo, hi] eV."""
    step = float(np.mean(np.diff(energy_eV))) if energy_eV.size > 1 else 1.0
    left, right = energy_eV - step / 2, energy_eV + step / 2
    return np.clip((np.minimum(right, hi) - np.maximum(left, lo)) / step, 0.0, 1.0)


def kramers(energy_eV: float, beam_energy_keV: float) -> float:
    """Kramers' continuum shape (E0 - E)/E (H. A. Kramers, Phil. Mag. 46 (1923) 836), unscaled."""
    e = energy_eV / 1e3
    return max(beam_energy_keV - e, 1e-9) / e


def net_intensity(
    energy_eV: np.ndarray,
    counts: np.ndarray,
    element: str,
    present: list[str],
    fwhm_mn_eV: float = FWHM_MN_EV,
    beam_energy_keV: float = DEFAULT_BEAM_KEV,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Net Kα counts and their Poisson stderr for each spectrum (rows), and the background kind.

    ``present``: the elements in the specimen, whose lines the side windows avoid. Channels are
    weighted by the fraction of their width inside a window, so that the window holds the same
    fraction of every peak whatever the channel width.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    centre = known_line(element).ka_keV * 1e3
    fwhm = float(fwhm_eV(centre, fwhm_mn_eV))
    peak = window_weights(
        energy_eV, centre - PEAK_HALF_WIDTH * fwhm, centre + PEAK_HALF_WIDTH * fwhm
    )
    if not peak.any():
        raise ValueError(f"{element}: no channel in the Kα window")
    others = interfering_lines_eV(element, present)
    below = side_window(centre, fwhm, -1, others, energy_eV)
    above = side_window(centre, fwhm, +1, others, energy_eV)
    gross = counts @ peak
    n_peak = float(peak.sum())
    e_peak = float(energy_eV @ peak / n_peak)
    if below is None and above is None:
        return gross, np.sqrt(np.maximum(gross, 1.0)), "none"
    windows = [w for w in (below, above) if w is not None]
    means, variances, centres = [], [], []
    for lo, hi in windows:
        w = window_weights(energy_eV, lo, hi)
        n = max(float(w.sum()), 1e-9)
        means.append(counts @ w / n)
        variances.append(np.maximum(counts @ (w**2), 1.0) / n**2)
        centres.append(float(energy_eV @ w / n))
    if len(windows) == 1:
        # one clean side: the Kramers continuum shape (E0 - E)/E scaled to that window
        scale = kramers(e_peak, beam_energy_keV) / kramers(centres[0], beam_energy_keV)
        background, bg_var = n_peak * scale * means[0], (n_peak * scale) ** 2 * variances[0]
        kind = "Kramers, one side"
    else:
        # linear background through the two window means, summed over the peak window
        t = (e_peak - centres[0]) / (centres[1] - centres[0])
        background = n_peak * ((1 - t) * means[0] + t * means[1])
        bg_var = n_peak**2 * ((1 - t) ** 2 * variances[0] + t**2 * variances[1])
        kind = "linear"
    return gross - background, np.sqrt(np.maximum(gross, 1.0) + bg_var), kind


def cliff_lorimer(
    net: np.ndarray, net_stderr: np.ndarray, elements: list[str], k: dict[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Atomic percent (n, elements) and its stderr from net intensities by Cliff–Lorimer."""
    net = np.atleast_2d(np.asarray(net, dtype=float))
    kk = np.array([k[e] for e in elements])
    weights = np.array([known_line(e).weight for e in elements])
    moles = np.clip(net, 0.0, None) * kk / weights  # C_i / A_i up to a common factor
    total = moles.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(total > 0, moles / total, np.nan)
        rel = np.where(net > 0, np.asarray(net_stderr) / net, np.nan)
    # first-order error of x_i = m_i / sum(m): var = sum_j (dx_i/dm_j)^2 var(m_j)
    m_err = moles * np.nan_to_num(rel)
    others = np.sum(m_err**2, axis=1, keepdims=True) - m_err**2
    var = ((1 - x) ** 2 * m_err**2 + x**2 * others) / np.where(total > 0, total, np.nan) ** 2
    return 100.0 * x, 100.0 * np.sqrt(var)


def quantify(
    energy_eV: np.ndarray,
    counts: np.ndarray,
    elements: list[str],
    beam_energy_keV: float,
    k_overrides: dict[str, float] | None = None,
    fwhm_mn_eV: float = FWHM_MN_EV,
) -> Quantification:
    """Cliff–Lorimer atomic percent of the elements in each spectrum (rows of counts)."""
    energy_eV = np.asarray(energy_eV, dtype=float)
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    if not elements:
        raise ValueError("no elements to quantify")
    nets, errs, kinds = [], [], []
    for element in elements:
        net, err, kind = net_intensity(
            energy_eV, counts, element, list(elements), fwhm_mn_eV, beam_energy_keV
        )
        kinds.append(kind)
        nets.append(net)
        errs.append(err)
    net = np.column_stack(nets)
    err = np.column_stack(errs)
    k, source = k_factors(elements, beam_energy_keV, k_overrides)
    at, at_err = cliff_lorimer(net, err, elements, k)
    return Quantification(list(elements), at, at_err, net, err, k, source, beam_energy_keV, kinds)


def line_dataset(
    path: Path | str | None,
    distances_nm: np.ndarray,
    energy_eV: np.ndarray,
    counts: np.ndarray,
    elements: list[str],
    beam_energy_keV: float,
    *,
    elements_source: str,
    notes: list[str] | tuple[str, ...] = (),
    labels: list[str] | None = None,
    k_overrides: dict[str, float] | None = None,
    fwhm_mn_eV: float = FWHM_MN_EV,
) -> xr.Dataset:
    """The edx_line composition: Cliff–Lorimer at% of each spectrum (rows), film side first."""
    notes = list(notes)
    energy_eV = np.asarray(energy_eV, dtype=float)
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    if not math.isfinite(beam_energy_keV):
        notes.append(f"no beam energy in the file: k-factors for {DEFAULT_BEAM_KEV:g} kV")
        beam_energy_keV = DEFAULT_BEAM_KEV
    kept = []
    for element in dict.fromkeys(elements):
        why = quantifiable(element, energy_eV, beam_energy_keV, fwhm_mn_eV)
        if why:
            notes.append(f"{element} left out: {why}")
        else:
            kept.append(element)
    if len(kept) < 2:
        raise AnalysisError(
            path,
            "spectrum",
            "two or more elements whose Kα line lies inside the spectrum (Cliff–Lorimer)",
            f"{', '.join(kept) or 'none'} of {', '.join(elements)} ({_describe_range(energy_eV)})",
        )
    result = quantify(energy_eV, counts, kept, beam_energy_keV, k_overrides, fwhm_mn_eV)
    empty = int(np.sum(~np.any(result.net_counts > 0, axis=1)))
    if empty:
        notes.append(
            f"{empty} of {counts.shape[0]} spectra have no positive net counts for any element:"
            " composition NaN there"
        )
    distances = np.asarray(distances_nm, dtype=float)
    arrays = [
        result.atomic_percent,
        result.atomic_percent_stderr,
        result.net_counts,
        result.net_counts_stderr,
    ]
    reversed_ = film_side_last(result.atomic_percent, kept)
    labels_array = np.array(labels if labels is not None else [""] * distances.size, dtype=object)
    if reversed_:
        distances = distances.max() - distances[::-1]
        arrays = [a[::-1] for a in arrays]
        labels_array = labels_array[::-1]
    at, at_err, net, net_err = arrays
    dims = ("distance", "element")
    extra = {
        "composition_stderr": variable(
            dims, at_err, "percent", "standard error of the composition from counting statistics"
        ),
        "net_counts": variable(
            dims, net, "count", "net K-alpha counts (window less linear background)"
        ),
        "net_counts_stderr": variable(
            dims, net_err, "count", "standard error of the net counts (Poisson)"
        ),
        "k_factor": variable(
            "element",
            np.array([result.k_factors[e] for e in kept]),
            "1",
            "Cliff-Lorimer k-factor relative to Si K-alpha",
        ),
        "spectrum_file": variable("distance", labels_array, "1", "source spectrum"),
    }
    long_name = "composition (atomic percent, Cliff-Lorimer)"
    ds = edx_composition_dataset(distances, kept, at, {}, long_name=long_name, extra=extra)
    ds.attrs = {
        "composition_kind": "atomic_percent",
        "quantification": QUANTIFICATION,
        "k_factor_source": ", ".join(f"{e}: {result.k_source[e]}" for e in kept),
        "background": ", ".join(f"{e}: {b}" for e, b in zip(kept, result.background)),
        "elements_source": elements_source,
        "beam_energy_keV": float(beam_energy_keV),
        "detector_fwhm_mn_eV": float(fwhm_mn_eV),
        "dispersion_eV": float(
            np.round((energy_eV[-1] - energy_eV[0]) / max(energy_eV.size - 1, 1), 9)
        ),
        "energy_offset_eV": float(energy_eV[0]),
        "energy_last_eV": float(energy_eV[-1]),
        "n_channels": int(energy_eV.size),
        "n_spectra": int(counts.shape[0]),
        "distance_reversed": int(reversed_),
        "quantification_notes": "; ".join(notes),
    }
    return ds


def _describe_range(energy_eV: np.ndarray) -> str:
    """'spectrum 0.2-0.99 keV'."""
    return f"spectrum {energy_eV[0] / 1e3:.4g}-{energy_eV[-1] / 1e3:.4g} keV"


QUANTIFICATION = "Cliff-Lorimer, K-alpha window +-0.6 FWHM, linear background from side windows"


def named_elements(attrs: dict) -> tuple[list[str], str]:
    """The elements to quantify: those the file names (with K-line data), else the default."""
    named = [e.strip() for e in str(attrs.get("elements_named", "")).split(",") if e.strip()]
    if named:
        return named, str(attrs.get("elements_source") or "named in the file")
    return list(DEFAULT_ELEMENTS), "default (NMC on LATP)"


def composition_line(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """The composition variant of an ``edx_line`` of X-ray spectra: Cliff–Lorimer atomic %.

    ``clean`` holds the spectra as measured (``counts`` (distance, energy), energy in eV;
    :func:`interphase.datasets.edx_spectra_dataset`); ``params`` is the config's ``edx``
    section, whose ``k_factors`` replace the theoretical k-factors of the elements named.
    The line is turned round when the film is at its end (film side first, as the layout
    wants). Fewer than two quantifiable elements is an AnalysisError.
    """
    elements, source = named_elements(clean.attrs)
    fwhm, fwhm_source = detector_fwhm_mn_eV(clean.attrs)
    labels = [str(v) for v in clean["spectrum_file"].values] if "spectrum_file" in clean else None
    ds = line_dataset(
        clean.attrs.get("source_file"),
        np.asarray(clean["distance"].values, dtype=float),
        np.asarray(clean["energy"].values, dtype=float),
        np.asarray(clean["counts"].values, dtype=float),
        elements,
        float(clean.attrs.get("beam_energy_keV", math.nan)),
        elements_source=source,
        labels=labels,
        k_overrides=dict(params.get("k_factors") or {}) or None,
        fwhm_mn_eV=fwhm,
    )
    ds.attrs = {**clean.attrs, **ds.attrs, "detector_fwhm_source": fwhm_source}
    return ds
