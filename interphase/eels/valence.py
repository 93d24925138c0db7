"""Oxidation state from the L3/L2 white-line ratio: a calibration table and linear interpolation.

The L3/L2 ratio of a 3d metal changes with its d-electron count, so reference oxides of known
valence calibrate it (Pearson, Ahn & Fultz, Phys. Rev. B 47, 8471 (1993); Wang, Yin & Jiang,
Micron 31, 571 (2000)). A measured ratio is converted to a valence by linear interpolation
between the two standards whose ratios bracket it (linear extrapolation from the nearest
segment outside them, flagged). The built-in standards are literature values for the same
method as :mod:`interphase.eels.integration` (power-law background, Pearson double step):

- Mn: MnO (Mn2+) 4.0, Mn2O3 (Mn3+) 2.7, MnO2 (Mn4+) 1.9 -- Z. L. Wang, J. S. Yin, Y. D. Jiang,
  Micron 31, 571 (2000), Table 1 / Fig. 6; T. Riedl, T. Gemming, K. Wetzig, Ultramicroscopy 106,
  284 (2006), Pearson-method values; H. Kurata, C. Colliex, Phys. Rev. B 48, 2102 (1993).
- Co: CoO (Co2+) 4.8, LiCoO2 (Co3+) 2.4 -- Wang et al. (2000), Table 1 (Co2+ and Co3+ in
  CoO / Co3O4); Co3+ in LiCoO2 after J. Graetz, C. C. Ahn, H. Ouyang, P. Rez, B. Fultz, Phys.
  Rev. B 69, 235103 (2004); Z. Zhang, Ultramicroscopy 107, 598 (2007) (CoO and Co3O4 particles).

The values are read from the papers' tables and figures to about +-0.1-0.2, and published
ratios for one oxide differ between laboratories by more than that: the ratio depends on the
integration windows, on the background and step model, on the energy resolution and on the
specimen thickness (plural scattering redistributes intensity towards L2 and beyond; the
thickness dependence is weak below t/lambda ~ 0.5, Wang et al. 2000, but not zero). A valence
from the built-in table is therefore an estimate for comparing positions and samples measured
the same way, not an absolute oxidation state. For absolute values measure your own standards
with the same microscope, windows and thickness and give them in the config
(``eels.valence_standards``: element -> list of {valence, ratio, ratio_stderr?, source?}),
which replaces the built-in list of that element.

Uncertainty: the measured ratio's stderr is propagated through the interpolating segment,
sigma_V^2 = s^2 [sigma_R^2 + (1 - u)^2 sigma_a^2 + u^2 sigma_b^2] with s the segment's slope
dV/dR, u the fractional position between standards a and b, and sigma_a, sigma_b the standards'
own ratio stderrs: the lab's where given, and LITERATURE_RATIO_STDERR for every built-in
standard (the upper end of the +-0.1-0.2 to which the literature values were read, as a
standard uncertainty; the differences between laboratories can be larger, so this is a
floor of the calibration's uncertainty, not its full size).

Why not a library: no maintained package holds white-line calibrations (exspy and pyTEMlib
fit edges but leave the valence to the user); the interpolation is a few lines of numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Standard:
    """One reference: oxidation state, its L3/L2 ratio (stderr NaN when unknown) and the source."""

    valence: float
    ratio: float
    ratio_stderr: float = math.nan
    compound: str = ""
    source: str = ""


_WANG = "Z. L. Wang, J. S. Yin, Y. D. Jiang, Micron 31, 571 (2000)"
# Standard uncertainty of every built-in ratio: the +-0.1-0.2 reading precision of the cited
# tables and figures, at its upper end (module docstring).
LITERATURE_RATIO_STDERR = 0.2
STANDARDS: dict[str, tuple[Standard, ...]] = {
    "Mn": (
        Standard(
            2.0,
            4.0,
            LITERATURE_RATIO_STDERR,
            compound="MnO",
            source=f"{_WANG}; T. Riedl et al., Ultramicroscopy 106, 284 (2006)",
        ),
        Standard(
            3.0,
            2.7,
            LITERATURE_RATIO_STDERR,
            compound="Mn2O3",
            source=f"{_WANG}; H. Kurata, C. Colliex, Phys. Rev. B 48, 2102 (1993)",
        ),
        Standard(
            4.0,
            1.9,
            LITERATURE_RATIO_STDERR,
            compound="MnO2",
            source=f"{_WANG}; T. Riedl et al., Ultramicroscopy 106, 284 (2006)",
        ),
    ),
    "Co": (
        Standard(
            2.0,
            4.8,
            LITERATURE_RATIO_STDERR,
            compound="CoO",
            source=f"{_WANG}; Z. Zhang, Ultramicroscopy 107, 598 (2007)",
        ),
        Standard(
            3.0,
            2.4,
            LITERATURE_RATIO_STDERR,
            compound="LiCoO2",
            source=f"{_WANG}; J. Graetz et al., Phys. Rev. B 69, 235103 (2004)",
        ),
    ),
}


def standards_from_config(config: dict | None) -> dict[str, tuple[Standard, ...]]:
    """The calibration table, the lab's ``eels.valence_standards`` replacing built-in elements."""
    table = dict(STANDARDS)
    for element, entries in (config or {}).items():
        if not isinstance(entries, (list, tuple)) or len(entries) < 2:
            raise ValueError(
                f"eels.valence_standards.{element}: give at least two standards, got {entries!r}"
            )
        out = []
        for k, entry in enumerate(entries):
            try:
                valence, ratio = float(entry["valence"]), float(entry["ratio"])
                err = float(
                    entry.get("ratio_stderr", math.nan)
                    if entry.get("ratio_stderr") is not None
                    else math.nan
                )
            except (KeyError, TypeError, ValueError):
                raise ValueError(
                    f"eels.valence_standards.{element}[{k}]: expected "
                    f"{{valence: number, ratio: number, "
                    f"ratio_stderr: number (optional), source: text (optional)}}, got {entry!r}"
                ) from None
            if not ratio > 0:
                raise ValueError(
                    f"eels.valence_standards.{element}[{k}].ratio must be > 0, got {ratio!r}"
                )
            out.append(
                Standard(
                    valence,
                    ratio,
                    err,
                    str(entry.get("compound", "")),
                    str(entry.get("source", "lab standard")),
                )
            )
        ratios = sorted(s.ratio for s in out)
        if any(b <= a for a, b in zip(ratios, ratios[1:])):
            raise ValueError(f"eels.valence_standards.{element}: ratios must differ, got {ratios}")
        table[element] = tuple(out)
    return table


def segment(ratio: float, standards: tuple[Standard, ...]) -> tuple[Standard, Standard]:
    """The two standards (by ratio) whose segment holds ``ratio``, or the nearest end segment."""
    ordered = sorted(standards, key=lambda s: s.ratio)
    for a, b in zip(ordered, ordered[1:]):
        if ratio <= b.ratio:
            return a, b
    return ordered[-2], ordered[-1]


def estimate(
    ratio: float, ratio_stderr: float, standards: tuple[Standard, ...]
) -> tuple[float, float, bool]:
    """(valence, stderr, inside) of one ratio; inside is False when extrapolated beyond them."""
    if not (math.isfinite(ratio) and standards and len(standards) >= 2):
        return math.nan, math.nan, False
    a, b = segment(ratio, standards)
    slope = (b.valence - a.valence) / (b.ratio - a.ratio)
    u = (ratio - a.ratio) / (b.ratio - a.ratio)
    valence = a.valence + slope * (ratio - a.ratio)
    terms = [ratio_stderr**2 if math.isfinite(ratio_stderr) else math.nan]
    terms += [((1 - u) * a.ratio_stderr) ** 2 if math.isfinite(a.ratio_stderr) else 0.0]
    terms += [(u * b.ratio_stderr) ** 2 if math.isfinite(b.ratio_stderr) else 0.0]
    stderr = abs(slope) * math.sqrt(sum(terms))
    lo, hi = min(s.ratio for s in standards), max(s.ratio for s in standards)
    return valence, stderr, lo <= ratio <= hi


def within(
    ratio: float, ratio_stderr: float, standards: tuple[Standard, ...], k: float = 2.0
) -> bool:
    """True when ``ratio`` lies inside the calibrated range or less than k stderr outside it."""
    lo, hi = min(s.ratio for s in standards), max(s.ratio for s in standards)
    err = ratio_stderr if math.isfinite(ratio_stderr) else 0.0
    return lo - k * err <= ratio <= hi + k * err


def ratio_range(standards: tuple[Standard, ...]) -> str:
    """The calibrated L3/L2 range as text, e.g. '1.9-4'."""
    return f"{min(s.ratio for s in standards):g}-{max(s.ratio for s in standards):g}"


def describe(standards: tuple[Standard, ...]) -> str:
    """One line naming the standards: 'MnO 2+: 4 ± 0.2; ... (sources)'."""
    parts = [
        f"{s.compound or 'standard'} {s.valence:g}+: {s.ratio:g}"
        + (f" ± {s.ratio_stderr:g}" if math.isfinite(s.ratio_stderr) else "")
        for s in sorted(standards, key=lambda s: s.valence)
    ]
    sources = sorted({s.source for s in standards if s.source})
    return "; ".join(parts) + (f" ({' | '.join(sources)})" if sources else "")
