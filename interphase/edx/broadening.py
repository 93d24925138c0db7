"""Probe and beam broadening of EDX line profiles, and the widths corrected for them.

The measured profile is the true one convolved with the probe and with the beam's spread in
the foil; for Gaussians the variances add, so sigma^2 = sigma_meas^2 - sigma_probe^2 -
sigma_beam^2. The beam broadening is the single-scattering estimate of J. I. Goldstein,
J. L. Costley, G. W. Lorimer, S. J. B. Reed, "Quantitative X-ray analysis in the electron
microscope", SEM/1977 vol. 1 (IITRI, Chicago), p. 315, as given by D. B. Williams and
C. B. Carter, *Transmission Electron Microscopy*, 2nd ed. (Springer 2009), eq. 36.3:
b = 6.25e5 (Z/E0) (rho/A)^(1/2) t^(3/2), with b and t in cm, E0 in eV, rho in g cm-3, A in
g mol-1 (b: the diameter holding 90 % of the electrons at the exit surface). Convention here:
the probe FWHM and b are both treated as the FWHM of a Gaussian, sigma = FWHM/2.355, as in
Goldstein's spatial resolution R = (d^2 + b^2)^(1/2); this somewhat over-corrects when b is
read as a 90 % diameter. Z, A are atom-fraction means and rho the X-ray density of the
specimen (:data:`MATERIALS`). Nothing is corrected unless ``probe_fwhm_nm`` or
``specimen_thickness_nm`` is set; the corrected width is NaN, with a note, when the
broadening exceeds the measured width. Its stderr propagates sigma's only (the probe size,
thickness and the model are taken as exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from interphase.edx.profile import StepFit
from interphase.interface import WIDTH_10_90_PER_SIGMA

# FWHM of a Gaussian = 2 sqrt(2 ln 2) sigma.
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
# Goldstein et al. (1977) single-scattering beam broadening, b = 6.25e5 (Z/E0)(rho/A)^0.5 t^1.5
# with b, t in cm and E0 in eV (Williams & Carter 2009, eq. 36.3).
GOLDSTEIN_PREFACTOR = 6.25e5
# Atomic numbers and standard atomic weights (IUPAC 2021, abridged), g mol-1.
ATOMS = {
    "Li": (3, 6.94),
    "O": (8, 15.999),
    "Al": (13, 26.982),
    "P": (15, 30.974),
    "Ti": (22, 47.867),
    "Mn": (25, 54.938),
    "Co": (27, 58.933),
    "Ni": (28, 58.693),
}
# Formula units and X-ray densities (g cm-3) from the lattice parameters:
# LiNi1/3Co1/3Mn1/3O2, R-3m, a = 2.86 A, c = 14.22 A, Z = 3 -> 4.77 g cm-3 (N. Yabuuchi,
# T. Ohzuku, J. Power Sources 119-121, 171 (2003)); Li1.3Al0.3Ti1.7(PO4)3, R-3c, a = 8.50 A,
# c = 20.82 A, Z = 6 -> 2.94 g cm-3 (H. Aono et al., J. Electrochem. Soc. 137, 1023 (1990)).
FORMULAS = {
    "NMC111": ({"Li": 1.0, "Ni": 1 / 3, "Co": 1 / 3, "Mn": 1 / 3, "O": 2.0}, 4.77),
    "LATP": ({"Li": 1.3, "Al": 0.3, "Ti": 1.7, "P": 3.0, "O": 12.0}, 2.94),
}


def _mean_z_a(formula: dict[str, float]) -> tuple[float, float]:
    """Atom-fraction mean atomic number and atomic weight of a formula."""
    n = sum(formula.values())
    z = sum(k * ATOMS[el][0] for el, k in formula.items()) / n
    a = sum(k * ATOMS[el][1] for el, k in formula.items()) / n
    return z, a


def _materials() -> dict[str, tuple[float, float, float]]:
    """Mean Z, mean A and density of NMC111, LATP and their 1:1 mean (the interface)."""
    out = {}
    for name, (formula, rho) in FORMULAS.items():
        out[name] = (*_mean_z_a(formula), rho)
    out["NMC111/LATP"] = tuple((a + b) / 2.0 for a, b in zip(out["NMC111"], out["LATP"]))
    return out


MATERIALS = _materials()


def beam_broadening_nm(
    mean_z: float, mean_a: float, density_g_cm3: float, thickness_nm: float, beam_energy_keV: float
) -> float:
    """Goldstein et al. (1977) beam broadening b (nm) at the exit surface of a foil t thick."""
    t_cm = thickness_nm * 1e-7
    rho_a = math.sqrt(density_g_cm3 / mean_a)
    b_cm = GOLDSTEIN_PREFACTOR * (mean_z / (beam_energy_keV * 1e3)) * rho_a * t_cm**1.5
    return b_cm * 1e7


def deconvolve_sigma(
    sigma: float, sigma_stderr: float, sigma_instrument: float
) -> tuple[float, float]:
    """sqrt(sigma^2 - sigma_instrument^2) and its propagated stderr; NaN when not positive."""
    rest = sigma**2 - sigma_instrument**2
    if not (math.isfinite(rest) and rest > 0):
        return math.nan, math.nan
    corrected = math.sqrt(rest)
    return corrected, sigma / corrected * sigma_stderr


@dataclass
class Instrument:
    """Probe and beam-broadening sigmas (nm) of a line, or why there are none."""

    enabled: bool = False
    sigma_probe: float = 0.0
    sigma_beam: float = 0.0
    sigma: float = math.nan
    beam_broadening_nm: float = math.nan
    beam_energy_keV: float = math.nan
    note: str = ""


def _check(params: dict) -> None:
    """ValueError for a negative or non-numeric size, or an unknown specimen material."""
    for key in ("probe_fwhm_nm", "specimen_thickness_nm", "beam_energy_keV"):
        value = params.get(key)
        if value is not None and not (isinstance(value, (int, float)) and value >= 0):
            raise ValueError(f"edx.{key} must be a number >= 0 or null, got {value!r}")
    name = params.get("specimen_material", "NMC111/LATP")
    if name not in MATERIALS:
        raise ValueError(f"edx.specimen_material must be one of {list(MATERIALS)}, got {name!r}")


def instrument_sigma(params: dict, attrs: dict) -> Instrument:
    """Probe and beam sigmas (nm) from the config (and the file's beam energy), with notes.

    ``enabled`` is False when neither probe_fwhm_nm nor specimen_thickness_nm is set.
    """
    _check(params)
    probe = params.get("probe_fwhm_nm")
    thickness = params.get("specimen_thickness_nm")
    out = Instrument(enabled=probe is not None or thickness is not None)
    if not out.enabled:
        out.note = "no probe size or specimen thickness configured: widths not corrected"
        return out
    if probe is not None:
        out.sigma_probe = float(probe) / FWHM_PER_SIGMA
    if thickness is not None:
        energy = params.get("beam_energy_keV")
        if energy is None:
            energy = attrs.get("beam_energy_keV")
        energy = float(energy) if energy is not None else math.nan
        if math.isfinite(energy) and energy > 0:
            material = MATERIALS[params.get("specimen_material", "NMC111/LATP")]
            b = beam_broadening_nm(*material, float(thickness), energy)
            out.beam_broadening_nm = b
            out.beam_energy_keV = energy
            out.sigma_beam = b / FWHM_PER_SIGMA
        else:
            out.sigma_beam = math.nan
            out.note = (
                "specimen thickness given but no beam energy (edx.beam_energy_keV or the file):"
                " not corrected"
            )
    out.sigma = math.sqrt(out.sigma_probe**2 + out.sigma_beam**2)
    return out


@dataclass
class CorrectedWidth:
    """A broadening-corrected 10-90 % width (nm), its stderr and why it is missing."""

    value: float = math.nan
    stderr: float = math.nan
    note: str = ""


def corrected_width(fit: StepFit, instrument: Instrument) -> CorrectedWidth:
    """The element's 10-90 % width with probe and beam broadening removed in quadrature."""
    if not instrument.enabled or fit.status == "failed":
        return CorrectedWidth()
    if not math.isfinite(instrument.sigma):
        return CorrectedWidth(note=instrument.note)
    sigma, err = deconvolve_sigma(fit.value["sigma"], fit.stderr["sigma"], instrument.sigma)
    if not math.isfinite(sigma):
        return CorrectedWidth(
            note=f"probe+beam broadening (sigma {instrument.sigma:.3g} nm) exceeds the measured "
            f"sigma {fit.value['sigma']:.3g} nm"
        )
    return CorrectedWidth(WIDTH_10_90_PER_SIGMA * sigma, WIDTH_10_90_PER_SIGMA * err)
