"""The X-ray source of a scan: Kα1 and Kα2 wavelengths and the Kα2/Kα1 intensity ratio."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Cu Kα1 wavelength, Å; the default when a file gives none.
CU_KA1_ANGSTROM = 1.540598


@dataclass(frozen=True)
class Source:
    """Kα1, Kα2 (Å, NaN when absent) and the Kα2/Kα1 ratio (0 when Kα1 only)."""

    ka1: float
    ka2: float
    ratio: float

    @property
    def has_ka2(self) -> bool:
        """True when a Kα2 line is to be modelled next to every Kα1 reflection."""
        return self.ratio > 0 and math.isfinite(self.ka2)


def from_attrs(attrs: dict) -> Source:
    """The source from a clean dataset's attributes; Cu Kα1 when the file gives no wavelength."""
    ka1 = float(attrs.get("wavelength_ka1_angstrom", math.nan))
    ka2 = float(attrs.get("wavelength_ka2_angstrom", math.nan))
    ratio = float(attrs.get("ka2_ka1_ratio", 0.0) or 0.0)
    if not math.isfinite(ka1):
        ka1 = CU_KA1_ANGSTROM
    if not math.isfinite(ka2) or not math.isfinite(ratio):
        ratio = 0.0
    return Source(ka1, ka2, ratio)
