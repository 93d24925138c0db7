"""The detection limit of a CV: the smallest peak charge the data would have shown.

A peak is found when its prominence reaches the threshold T = ``min_peak_snr`` x noise (A cm-2,
the noise measured on the data). A peak's height and charge are tied by its width and the scan
rate: swept at v, a peak holding Q (C cm-2) has integral Q v over potential (j dE = j v dt),
so for a peak of shape s and half-height width W

    j_p = Q v / (k W),   k = (integral of s) / (peak of s x FWHM of s).

The reference shape is the kinetically irreversible surface (thin-film) peak of Laviron (1979,
J. Electroanal. Chem. 101, 19), j = Q v a exp(x) exp(-e^x) with x = a (E - E*) and
a = alpha n F / RT: its peak is Q v a / e and its FWHM 2.4464 / a, so k = e / 2.4464 = 1.111.
(A Nernstian surface peak gives 1.135, a Gaussian 1.064: the shape hardly matters, the width
does.) The limit is therefore

    Q_lim = k T W / v,

with W = ``detection_limit_fwhm_V`` (default 0.125 V: the Laviron peak of a one-electron couple
with alpha = 0.5, 2.44 RT / (alpha F) at 25 °C, which is what a slow, wide couple shows; a
reversible surface peak is narrower, 90.6 mV, and so easier to see). It is at least the charge
gate ``min_peak_charge_C_cm2``. A couple is seen when both its peaks are, so Q_lim is also the
smallest couple charge (per sweep) the data would have shown. Assumed: a background whose slope
is small next to the peak's flanks (a peak on a steep faradaic onset is a shoulder, not a peak).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# FWHM, in units of 1/a, of the Laviron irreversible surface peak exp(x) exp(-e^x): the
# distance between the two roots of u exp(-u) = 1 / (2 e), u = e^x (solved numerically).
LAVIRON_FWHM = 2.446386
# Integral over (peak height x FWHM) of that shape: e / 2.446386.
LAVIRON_SHAPE = math.e / LAVIRON_FWHM


@dataclass(frozen=True)
class DetectionLimit:
    """The smallest peak charge the data would have shown (C cm-2) and how it was derived."""

    charge: float
    scan_rate: float
    fwhm: float
    threshold: float
    gate: str  # "prominence" or "charge": which criterion sets the limit


def sweep_rate(potential: np.ndarray, time: np.ndarray) -> float:
    """The median |dE/dt| of a sweep (V s-1); NaN when the time axis gives none."""
    de, dt = np.diff(potential), np.diff(time)
    ok = (dt > 0) & np.isfinite(de) & np.isfinite(dt)
    if not ok.any():
        return math.nan
    return float(np.median(np.abs(de[ok] / dt[ok])))


def detection_limit(
    threshold: float, fwhm: float, scan_rate: float, min_charge: float
) -> DetectionLimit:
    """Q_lim = k T W / v, at least the charge gate (see the module docstring)."""
    by_prominence = LAVIRON_SHAPE * threshold * fwhm / scan_rate if scan_rate > 0 else math.nan
    if math.isfinite(by_prominence) and by_prominence >= min_charge:
        return DetectionLimit(by_prominence, scan_rate, fwhm, threshold, "prominence")
    if not math.isfinite(by_prominence):
        return DetectionLimit(math.nan, scan_rate, fwhm, threshold, "prominence")
    return DetectionLimit(min_charge, scan_rate, fwhm, threshold, "charge")
