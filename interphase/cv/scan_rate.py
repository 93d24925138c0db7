"""Scan-rate dependence of the CV peak current density of one sample: log|j_p| vs log v.

For a surface-confined (thin-film, no diffusion limitation) redox couple the peak current
grows linearly with the scan rate, j_p ∝ v (slope 1 in log-log); for semi-infinite linear
diffusion it follows Randles-Ševčík, j_p ∝ v^(1/2) (slope 0.5) (Bard & Faulkner,
Electrochemical Methods, 2nd ed. 2001, §6.2 and §14.3). The slope is the ordinary
least-squares slope of log10|j_p| on log10 v (``scipy.stats.linregress``), its standard error
from the same regression (none with only two scan rates: a line through two points has no
residual to estimate it from).

Input: the CV fit datasets (:func:`interphase.cv.analysis.analyse`) of ONE sample at several
scan rates (attr ``scan_rate_V_s``). The first passing couple of each fit (lowest E_half) is
used; fits that failed, have no passing couple or no scan rate are left out (the note counts
them). Fewer than two distinct scan rates give no rows.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.stats import linregress

from interphase.summary import row

SLOPE_NOTE = "0.5 = diffusion-limited, 1 = thin film / surface-confined"


def first_couple_currents(fit: xr.Dataset) -> tuple[float, float] | None:
    """|j_pa| and |j_pc| (A cm-2) of the first passing couple of a fit; None when it has none."""
    if fit.attrs.get("status") == "failed" or "couple_passes" not in fit:
        return None
    if fit.sizes.get("couple", 0) == 0:
        return None
    passing = np.flatnonzero(np.asarray(fit["couple_passes"].values) == 1)
    if passing.size == 0:
        return None
    k = int(passing[0])
    return abs(float(fit["j_pa"].values[k])), abs(float(fit["j_pc"].values[k]))


def scan_rate(fit: xr.Dataset) -> float:
    """The fit's scan rate (V/s), NaN when unknown."""
    try:
        value = float(fit.attrs.get("scan_rate_V_s", math.nan))
    except (TypeError, ValueError):
        return math.nan
    return value if math.isfinite(value) and value > 0 else math.nan


def log_slope(rates: np.ndarray, currents: np.ndarray) -> tuple[float, float]:
    """Slope of log10 current vs log10 rate and its standard error (NaN for two points)."""
    fit = linregress(np.log10(rates), np.log10(currents))
    stderr = float(fit.stderr) if rates.size > 2 else math.nan
    return float(fit.slope), stderr


def scan_rate_series(fits: list[xr.Dataset]) -> list[dict]:
    """Rows ip_scan_rate_slope_anodic / _cathodic for one sample's CVs at several scan rates."""
    samples = {str(f.attrs.get("sample", "")) for f in fits}
    if len(samples) > 1:
        raise ValueError(f"scan_rate_series takes the fits of one sample, got {sorted(samples)}")
    usable = []
    for fit in fits:
        v = scan_rate(fit)
        j = first_couple_currents(fit)
        if math.isfinite(v) and j is not None and j[0] > 0 and j[1] > 0:
            usable.append((v, *j))
    rates = np.array([u[0] for u in usable], dtype=float)
    if np.unique(rates).size < 2:
        return []
    left_out = len(fits) - len(usable)
    n = f"{rates.size} scan rates ({rates.min() * 1e3:g}-{rates.max() * 1e3:g} mV s-1)"
    if left_out:
        plural = "s" if left_out > 1 else ""
        n += f", {left_out} CV{plural} without a passing couple or scan rate left out"
    out = []
    for name, column in (("ip_scan_rate_slope_anodic", 1), ("ip_scan_rate_slope_cathodic", 2)):
        slope, stderr = log_slope(rates, np.array([u[column] for u in usable], dtype=float))
        out.append(row(name, slope, "1", stderr=stderr, note=f"{SLOPE_NOTE}; {n}; first couple"))
    return out
