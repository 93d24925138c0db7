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
one-sided) is the least certain line here. Detector resolution: FWHM(E)^2 = FWHM(Mn Kα)^2 + 2.5 eV (E -
E_MnKα) (J. I. Goldstein et al., *Scanning Electron Microscopy and X-ray Microanalysis*, 3rd
ed., Springer 2003, ch. 7, with the Fano-limited 2.5 eV factor), FWHM(Mn Kα) = 130 eV (a
silicon drift detector) unless given.

Theoretical k-factors (Williams & Carter, *Transmission Electron Microscopy*, 2nd ed.,
Springer 2009, ch. 35): k_ASi = (Q ω a)_Si A_A / ((Q ω a)_A A_Si), with

- Q: Bethe K-shell ionisation cross-section, Q ∝ ln(c U) / (U E_c^2), U = E0 / E_c,
  c = 0.65 (C. J. Powell, Rev. Mod. Phys. 48 (1976) 33; W&C ch. 4), the constant b and n_s
  cancel between K shells; non-relativistic, so at 200 kV the k-factors are good to ~10-20 %;
- ω: K fluorescence yield, (ω/(1-ω))^(1/4) = 0.015 + 0.0327 Z - 0.64e-6 Z^3 (W. Bambynek et
  al., Rev. Mod. Phys. 44 (1972) 716);
- a: Kα/(Kα+Kβ) line fraction, 1.052 - 4.39e-4 Z^2 for 11 <= Z <= 19, 0.896 - 6.575e-4 Z for
  Z >= 20 (S. Schreiber and A. M. Wims, X-ray Spectrom. 10 (1981) 198, as quoted by Goldstein
  et al.), 1 below Z = 11 (no resolved Kβ);
- detector efficiency taken as 1 and no absorption (the thin-film limit): O K and other
  lines below ~1 keV are underestimated by a windowed detector and by absorption in thick
  regions. A config key may override any k-factor with a measured one (``k_factors``).

Why not exspy (HyperSpy's EDS package): it installs here (with hyperspy 2.5, h5py, traits,
pooch ...) but its Cliff–Lorimer needs the k-factors and the intensities supplied, so it
would add a large dependency stack and seconds of import time for a ratio and a window sum,
and the k-factors would still have to come from here. Why not xraydb: the dozen elements an oxide
battery study needs fit in a cited table below; xraydb would add SQLAlchemy.

Only K lines are quantified (C to Zn); heavier elements (L/M lines) are refused by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import edx_composition_dataset, film_side_last, variable
from interphase.errors import AnalysisError


@dataclass(frozen=True)
class Line:
    """One element's K line data: Z, Kα1 and Kβ1 energies, K edge (keV), atomic weight."""

    z: int
    ka_keV: float
    kb_keV: float | None
    edge_keV: float
    weight: float
    la_keV: float | None = None


# Kα1, Kβ1 and Lα1 emission energies and K-shell binding energies in keV: A. C. Thompson et
# al., *X-ray Data Booklet*, LBNL 2009, Tables 1-1 (binding energies) and 1-2 (emission
# energies). Atomic weights: IUPAC standard atomic weights 2021 (abridged, conventional).
LINES: dict[str, Line] = {
    "C": Line(6, 0.277, None, 0.2842, 12.011),
    "N": Line(7, 0.3924, None, 0.4099, 14.007),
    "O": Line(8, 0.5249, None, 0.5431, 15.999),
    "F": Line(9, 0.6768, None, 0.6967, 18.998),
    "Na": Line(11, 1.0410, 1.0711, 1.0721, 22.990),
    "Mg": Line(12, 1.2536, 1.3022, 1.3050, 24.305),
    "Al": Line(13, 1.4867, 1.5575, 1.5596, 26.982),
    "Si": Line(14, 1.7400, 1.8359, 1.8389, 28.085),
    "P": Line(15, 2.0137, 2.1391, 2.1455, 30.974),
    "S": Line(16, 2.3078, 2.4640, 2.4720, 32.06),
    "Cl": Line(17, 2.6224, 2.8156, 2.8224, 35.45),
    "K": Line(19, 3.3138, 3.5896, 3.6074, 39.098),
    "Ca": Line(20, 3.6917, 4.0127, 4.0381, 40.078, 0.3413),
    "Ti": Line(22, 4.5108, 4.9318, 4.9664, 47.867, 0.4522),
    "V": Line(23, 4.9522, 5.4273, 5.4651, 50.942, 0.5113),
    "Cr": Line(24, 5.4147, 5.9467, 5.9892, 51.996, 0.5728),
    "Mn": Line(25, 5.8988, 6.4904, 6.5390, 54.938, 0.6374),
    "Fe": Line(26, 6.4038, 7.0580, 7.1120, 55.845, 0.7050),
    "Co": Line(27, 6.9303, 7.6494, 7.7089, 58.933, 0.7762),
    "Ni": Line(28, 7.4782, 8.2647, 8.3328, 58.693, 0.8515),
    "Cu": Line(29, 8.0478, 8.9053, 8.9789, 63.546, 0.9297),
    "Zn": Line(30, 8.6389, 9.5720, 9.6586, 65.38, 1.0116),
}

# Elements quantified when a file names none: NMC111 (LiNi1/3Mn1/3Co1/3O2) on LATP
# (Li1+xAlxTi2-x(PO4)3); Li is not seen by EDX.
DEFAULT_ELEMENTS = ("O", "Al", "P", "Ti", "Mn", "Co", "Ni")
# Beam energy assumed when a file gives none (a 200 kV TEM, the common analytical instrument).
DEFAULT_BEAM_KEV = 200.0

# Powell's K-shell constant c in the Bethe cross-section (Powell 1976; W&C ch. 4).
POWELL_C_K = 0.65
# Smallest overvoltage U = E0/E_c for which the Bethe form ln(cU) is positive with margin (1/c = 1.54).
MIN_OVERVOLTAGE = 1.6
# Mn Kα FWHM of a silicon drift detector (eV), the usual specification point.
FWHM_MN_EV = 130.0
# Fano-limited broadening factor of Si detectors, eV (Goldstein et al. 2003, ch. 7).
FANO_FACTOR_EV = 2.5
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


def fwhm_eV(energy_eV: float | np.ndarray, fwhm_mn_eV: float = FWHM_MN_EV) -> float | np.ndarray:
    """Detector FWHM (eV) at an energy (eV) from the Mn Kα FWHM."""
    value = fwhm_mn_eV**2 + FANO_FACTOR_EV * (
        np.asarray(energy_eV, dtype=float) - LINES["Mn"].ka_keV * 1e3
    )
    return np.sqrt(np.maximum(value, 1.0))


def fluorescence_yield_k(z: int) -> float:
    """K-shell fluorescence yield ω_K (Bambynek et al. 1972 fit)."""
    root = 0.015 + 0.0327 * z - 0.64e-6 * z**3
    ratio = root**4
    return ratio / (1.0 + ratio)


def ka_fraction(z: int) -> float:
    """Kα / (Kα + Kβ) (Schreiber & Wims 1981); 1 below Na."""
    if z < 11:
        return 1.0
    if z <= 19:
        return 1.052 - 4.39e-4 * z**2
    return 0.896 - 6.575e-4 * z


def k_cross_section(edge_keV: float, beam_energy_keV: float) -> float:
    """Bethe K-shell ionisation cross-section up to a common factor: ln(cU)/(U E_c^2)."""
    u = beam_energy_keV / edge_keV
    return math.log(POWELL_C_K * u) / (u * edge_keV**2)


def kalpha_yield(line: Line, beam_energy_keV: float) -> float:
    """Kα photons per atom up to a common factor: Q ω a."""
    return (
        k_cross_section(line.edge_keV, beam_energy_keV)
        * fluorescence_yield_k(line.z)
        * ka_fraction(line.z)
    )


def theoretical_k_factor(element: str, beam_energy_keV: float) -> float:
    """Theoretical Cliff–Lorimer k-factor of an element's Kα line relative to Si Kα."""
    line, si = known_line(element), LINES["Si"]
    return (
        kalpha_yield(si, beam_energy_keV)
        * line.weight
        / (kalpha_yield(line, beam_energy_keV) * si.weight)
    )


def known_line(element: str) -> Line:
    """The table entry of an element; ValueError naming the supported ones."""
    if element not in LINES:
        raise ValueError(
            f"no K-line data for {element!r}: quantifiable elements are {', '.join(LINES)}"
        )
    return LINES[element]


def k_factors(
    elements: list[str], beam_energy_keV: float, overrides: dict[str, float] | None = None
) -> tuple[dict[str, float], dict[str, str]]:
    """k-factors relative to Si for the elements, and where each came from."""
    overrides = overrides or {}
    values, sources = {}, {}
    for element in elements:
        if element in overrides:
            values[element], sources[element] = float(overrides[element]), "given"
        else:
            values[element], sources[element] = (
                theoretical_k_factor(element, beam_energy_keV),
                "theoretical",
            )
    return values, sources


def quantifiable(
    element: str, energy_eV: np.ndarray, beam_energy_keV: float, fwhm_mn_eV: float = FWHM_MN_EV
) -> str:
    """'' when the element's Kα window and a side window fit the spectrum and the beam ionises K; else why not."""
    if element not in LINES:
        return f"no K-line data (quantifiable: {', '.join(LINES)})"
    line = LINES[element]
    if math.isfinite(beam_energy_keV) and beam_energy_keV / line.edge_keV < MIN_OVERVOLTAGE:
        return f"K edge {line.edge_keV:g} keV not ionised enough by a {beam_energy_keV:g} keV beam (overvoltage < {MIN_OVERVOLTAGE:g})"
    e = line.ka_keV * 1e3
    half = PEAK_HALF_WIDTH * float(fwhm_eV(e, fwhm_mn_eV))
    if e - half < energy_eV[0] or e + half > energy_eV[-1]:
        return f"Kα {line.ka_keV:g} keV outside the spectrum ({energy_eV[0] / 1e3:g}-{energy_eV[-1] / 1e3:g} keV)"
    return ""


def interfering_lines_eV(exclude: str, present: list[str]) -> np.ndarray:
    """Energies (eV) of the Kα, Kβ and Lα lines of the present elements, less the given element's Kα."""
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
    """The nearest clean side window (lo, hi in eV) below (-1) or above (+1) a line; None if none."""
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
    """Kramers' continuum shape (E0 - E)/E (H. A. Kramers, Phil. Mag. 46 (1923) 836), up to a factor."""
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
    """Net Kα counts, their Poisson stderr for each spectrum (rows of counts), and the background kind.

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


def weight_to_atomic(weight_percent: dict[str, float]) -> dict[str, float]:
    """Atomic percent from weight percent (normalised to 100)."""
    moles = {e: w / known_line(e).weight for e, w in weight_percent.items()}
    total = sum(moles.values())
    return {e: 100.0 * m / total for e, m in moles.items()}


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


def model_spectrum(
    energy_eV: np.ndarray,
    atomic_percent: dict[str, float],
    beam_energy_keV: float,
    line_counts: float,
    background_counts: float,
    fwhm_mn_eV: float = FWHM_MN_EV,
) -> np.ndarray:
    """Expected counts a channel of a thin-film spectrum: Kα+Kβ Gaussians and a Kramers-like background.

    The forward model of :func:`cliff_lorimer`: the Kα counts of element A are proportional to
    x_A A_A / k_ASi (theoretical k), scaled so that all Kα lines hold ``line_counts``; Kβ adds
    (1 - a) / a of that. The background (E0 - E)/E (Kramers 1923), cut below 0.3 keV, holds
    ``background_counts``. For tests and demo data.
    """
    energy_eV = np.asarray(energy_eV, dtype=float)
    step = float(np.mean(np.diff(energy_eV))) if energy_eV.size > 1 else 1.0
    elements = list(atomic_percent)
    k, _ = k_factors(elements, beam_energy_keV)
    strength = {e: atomic_percent[e] * known_line(e).weight / k[e] for e in elements}
    total = sum(strength.values())
    out = np.zeros_like(energy_eV)
    for element in elements:
        line = known_line(element)
        a = ka_fraction(line.z)
        for energy, share in ((line.ka_keV, 1.0), (line.kb_keV, (1.0 - a) / a)):
            if energy is None or share <= 0:
                continue
            sigma = float(fwhm_eV(energy * 1e3, fwhm_mn_eV)) / (
                2.0 * math.sqrt(2.0 * math.log(2.0))
            )
            peak = (
                np.exp(-0.5 * ((energy_eV - energy * 1e3) / sigma) ** 2)
                * step
                / (sigma * math.sqrt(2 * math.pi))
            )
            out += line_counts * strength[element] / total * share * peak
    e_keV = np.clip(energy_eV / 1e3, 1e-3, None)
    brems = np.where(
        (e_keV > 0.3) & (e_keV < beam_energy_keV), (beam_energy_keV - e_keV) / e_keV, 0.0
    )
    if brems.sum() > 0:
        out += background_counts * brems / brems.sum()
    return out


QUANTIFICATION = "Cliff-Lorimer, K-alpha window +-0.6 FWHM, linear background from side windows"
# Silicon: mean energy per electron-hole pair (eV) (Goldstein et al. 2003, §7.2).
SI_PAIR_ENERGY_EV = 3.8
# Gaussian FWHM / sigma.
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


def detector_fwhm_mn_eV(attrs: dict) -> tuple[float, str]:
    """Mn Kα FWHM (eV) from the detector's zero-energy FWHM (eV) and Fano factor, else default.

    FWHM(E)^2 = FWHM(0)^2 + (2.355)^2 F ε E (Goldstein et al. 2003, ch. 7), ε = 3.8 eV in Si.
    """
    zero = float(attrs.get("detector_zero_fwhm_eV", math.nan))
    fano = float(attrs.get("detector_fano", math.nan))
    if not (zero > 0 and fano > 0):
        return FWHM_MN_EV, "default (silicon drift detector)"
    sigma2 = fano * SI_PAIR_ENERGY_EV * LINES["Mn"].ka_keV * 1e3
    fwhm = math.sqrt(zero**2 + FWHM_PER_SIGMA**2 * sigma2)
    return float(fwhm), "detector zero-energy FWHM and Fano factor in the file"


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
