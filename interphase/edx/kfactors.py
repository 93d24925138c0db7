"""X-ray line data, theoretical Cliff–Lorimer k-factors and the detector resolution (EDX).

The physics :mod:`interphase.edx.quantify` uses: K-line energies and atomic weights of the
elements of oxide battery materials, the detector FWHM at an energy, and theoretical
k-factors (Williams & Carter, *Transmission Electron Microscopy*, 2nd ed., Springer 2009,
ch. 35): k_ASi = (Q ω a)_Si A_A / ((Q ω a)_A A_Si), with

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
  regions. The config key ``edx.k_factors`` overrides any k-factor with a measured one.

Detector resolution: FWHM(E)^2 = FWHM(Mn Kα)^2 + 2.5 eV (E - E_MnKα) (J. I. Goldstein et
al., *Scanning Electron Microscopy and X-ray Microanalysis*, 3rd ed., Springer 2003, ch. 7,
with the Fano-limited 2.5 eV factor), FWHM(Mn Kα) = 130 eV (a silicon drift detector) unless
the file gives the detector's zero-energy FWHM and Fano factor.

Why not xraydb: the dozen elements an oxide battery study needs fit in the cited table
below; xraydb would add SQLAlchemy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


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

# Smallest overvoltage U = E0/E_c where the Bethe form ln(cU) is positive with margin (1/c = 1.54).
MIN_OVERVOLTAGE = 1.6

# Mn Kα FWHM of a silicon drift detector (eV), the usual specification point.
FWHM_MN_EV = 130.0

# Fano-limited broadening factor of Si detectors, eV (Goldstein et al. 2003, ch. 7).
FANO_FACTOR_EV = 2.5


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


def weight_to_atomic(weight_percent: dict[str, float]) -> dict[str, float]:
    """Atomic percent from weight percent (normalised to 100)."""
    moles = {e: w / known_line(e).weight for e, w in weight_percent.items()}
    total = sum(moles.values())
    return {e: 100.0 * m / total for e, m in moles.items()}


def model_spectrum(
    energy_eV: np.ndarray,
    atomic_percent: dict[str, float],
    beam_energy_keV: float,
    line_counts: float,
    background_counts: float,
    fwhm_mn_eV: float = FWHM_MN_EV,
) -> np.ndarray:
    """Expected counts a channel of a thin-film spectrum: Kα+Kβ Gaussians on a Kramers background.

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
