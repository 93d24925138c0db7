"""Built-in reference patterns at any wavelength from the shipped data file, without pymatgen.

The file (``interphase/data/xrd_references.json``, written by
:mod:`interphase.xrd.build_references`) holds, per built-in phase and reflection, the hkl
label, d (Å) and Σ|F|² over the symmetry-equivalent reflections. For a wavelength λ this
module does what pymatgen's ``XRDCalculator.get_pattern`` does after the structure factors:

- 2θ = 2 arcsin(λ / 2d) for the reflections inside the 2θ range;
- intensity = Σ|F|² × (1 + cos²2θ) / (sin²θ cosθ) (pymatgen's Lorentz–polarisation factor);
- reflections whose 2θ round to the same multiple of 10⁻⁵° merge (pymatgen's
  ``TWO_THETA_TOL``; position and label of the first, largest d), those weaker than 10⁻⁵ of
  the strongest in the range are dropped (its ``SCALED_INTENSITY_TOL``), and the strongest is
  scaled to 100.

tests/xrd/test_reference_data.py checks the result against pymatgen itself at Cu Kα1 and Mo
Kα1. A phase whose recorded inputs differ from its structure in
:data:`interphase.xrd.references.LIBRARY` is *stale*: it is not used (the caller falls back to
pymatgen and says so), and a test fails until the file is rebuilt.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interphase.xrd.references import LIBRARY, Pattern, spec_record

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "xrd_references.json"
# pymatgen's AbstractDiffractionPatternCalculator constants (pymatgen/analysis/diffraction/core.py)
TWO_THETA_TOL = 1e-5  # deg: reflections closer than this are one peak
SCALED_INTENSITY_TOL = 1e-3  # on the 0-100 scale: weaker reflections are numerical zeros


@dataclass(frozen=True)
class Reflections:
    """The wavelength-independent reflections of one phase, largest d first."""

    hkl: tuple[str, ...]
    d: np.ndarray
    f2: np.ndarray


@functools.lru_cache(maxsize=1)
def load() -> dict:
    """The data file, read once per process."""
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def stale_reason(name: str) -> str:
    """Why the file cannot stand for a built-in phase ('' when it can)."""
    phases = load()["phases"]
    if name not in phases:
        return f"{name} is not in {DATA_FILE.name}"
    if phases[name]["inputs"] != spec_record(LIBRARY[name]):
        return f"{DATA_FILE.name} is stale for {name}: its structure in references.py changed"
    return ""


@functools.lru_cache(maxsize=None)
def reflections(name: str) -> Reflections:
    """The stored reflections of one phase."""
    rows = load()["phases"][name]["reflections"]
    return Reflections(
        tuple(str(r[0]) for r in rows),
        np.array([r[1] for r in rows], dtype=float),
        np.array([r[2] for r in rows], dtype=float),
    )


def covered_two_theta_max(wavelength: float) -> float:
    """The largest 2θ (deg) up to which the file holds every reflection at this wavelength."""
    ratio = wavelength / (2.0 * float(load()["d_min_angstrom"]))
    return 180.0 if ratio >= 1.0 else math.degrees(2.0 * math.asin(ratio))


def lorentz_polarisation(two_theta: np.ndarray) -> np.ndarray:
    """pymatgen's Lorentz–polarisation factor (1 + cos²2θ) / (sin²θ cosθ), 2θ in degrees."""
    theta = np.radians(two_theta) / 2.0
    return (1.0 + np.cos(2.0 * theta) ** 2) / (np.sin(theta) ** 2 * np.cos(theta))


def _merge(two_theta: np.ndarray, intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First index and summed intensity of each group of reflections in one 10⁻⁵° bin."""
    keys = np.round(two_theta / TWO_THETA_TOL).astype(np.int64)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return starts, np.add.reduceat(intensity, starts) if starts.size else intensity[:0]


def pattern(name: str, wavelength: float, lo: float, hi: float) -> Pattern | str:
    """The built-in phase's pattern, or the reason the file cannot give it."""
    why = stale_reason(name)
    if why:
        return why
    if hi > covered_two_theta_max(wavelength):
        d_min = load()["d_min_angstrom"]
        return f"2θ up to {hi:g}° at {wavelength:g} Å needs reflections with d < {d_min} Å"
    refl = reflections(name)
    ratio = np.clip(wavelength / (2.0 * refl.d), -1.0, 1.0)
    two_theta = np.degrees(2.0 * np.arcsin(ratio))
    inside = np.flatnonzero(
        (wavelength / (2.0 * refl.d) <= 1.0) & (two_theta >= lo) & (two_theta <= hi)
    )
    tt = two_theta[inside]
    starts, intensity = _merge(tt, refl.f2[inside] * lorentz_polarisation(tt))
    position, hkl = tt[starts], [refl.hkl[inside[i]] for i in starts]
    if intensity.size:
        keep = intensity / intensity.max() * 100.0 > SCALED_INTENSITY_TOL
        position, intensity = position[keep], 100.0 * intensity[keep] / intensity[keep].max()
        hkl = [h for h, k in zip(hkl, keep) if k]
    return Pattern(name, position, intensity, tuple(hkl), wavelength, LIBRARY[name].source)
