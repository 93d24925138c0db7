"""Peaks in a 2θ scan: background, noise, detection, Kα2 handling and pseudo-Voigt fits.

Library choices: scipy (``signal.find_peaks``, ``signal.savgol_filter``,
``optimize.curve_fit``) does detection, smoothing and least squares. The background is
SNIP (Ryan et al., Nucl. Instrum. Methods B 34, 396 (1988); with the LLS operator and
clipping as in Morháč et al., Nucl. Instrum. Methods A 401, 113 (1997)): a dozen lines
here, so no extra dependency (pybaselines would also do it).

Noise: a local robust standard deviation of the second differences (median absolute
value × 1.4826 / √6 for white noise), which needs no assumption about counts vs cps.

Kα2: when the file gives Kα2 and a non-zero Kα2/Kα1 ratio, every peak is fitted as a
doublet (Kα1 at the fitted position, Kα2 at the position Bragg's law gives for λ2, area ×
ratio, same width), and a detected maximum that sits at the Kα2 position of a stronger
peak is dropped as its shoulder instead of being counted as a peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, optimize, signal

from interphase.xrd.wavelength import Source

# MAD → standard deviation for a normal distribution.
MAD_TO_SIGMA = 1.4826
# Width of the SNIP clipping window, degrees 2θ: wider than any Bragg peak here, narrower than
# an amorphous hump.
SNIP_WINDOW_DEG = 1.5
# Boxcar smoothing (degrees 2θ) of the scan before SNIP. SNIP follows the lower envelope of
# the noise, so on raw low-count data it sits ~2σ below the true background (every point of
# the net signal then carries a positive offset that hides weak peaks); smoothing first is
# the remedy recommended with the method (Morháč et al. 1997, §2). Peaks are only broadened
# by it, and SNIP clips them anyway. On a flat Poisson background (10-1000 counts) the bias
# falls from about -2.6σ without smoothing to about -0.5σ with 0.4° (tests/xrd/test_peaks.py).
BACKGROUND_SMOOTHING_DEG = 0.4
# Window of the local noise estimate, degrees 2θ.
NOISE_WINDOW_DEG = 3.0


@dataclass(frozen=True)
class Peak:
    """One fitted peak (Kα1 component): position, FWHM, area, height with standard errors."""

    position: float
    position_stderr: float
    fwhm: float
    fwhm_stderr: float
    area: float
    area_stderr: float
    height: float
    eta: float
    noise: float


def snip_background(y: np.ndarray, half_width: int) -> np.ndarray:
    """SNIP background with the LLS (log-log-sqrt) operator and clipping windows 1..half_width."""
    y = np.asarray(y, dtype=float)
    offset = min(0.0, float(np.nanmin(y)))
    v = np.log(np.log(np.sqrt(y - offset + 1.0) + 1.0) + 1.0)
    n = v.size
    for p in range(1, max(1, half_width) + 1):
        if 2 * p >= n:
            break
        mean = 0.5 * (v[: n - 2 * p] + v[2 * p :])
        v[p : n - p] = np.minimum(v[p : n - p], mean)
    return (np.exp(np.exp(v) - 1.0) - 1.0) ** 2 - 1.0 + offset


def local_noise(y: np.ndarray, window: int) -> np.ndarray:
    """Local robust noise σ per point from the second differences (MAD in a moving window)."""
    y = np.asarray(y, dtype=float)
    if y.size < 5:
        return np.full(y.size, float(np.std(y)) or 1.0)
    d2 = np.abs(np.diff(y, 2))
    d2 = np.concatenate([[d2[0]], d2, [d2[-1]]])
    size = max(5, min(window, y.size) | 1)
    sigma = MAD_TO_SIGMA * ndimage.median_filter(d2, size=size, mode="mirror") / math.sqrt(6.0)
    floor = max(float(np.median(sigma)) * 0.05, 1e-12)
    return np.maximum(sigma, floor)


def ka2_position(two_theta_ka1: np.ndarray | float, ka1: float, ka2: float) -> np.ndarray | float:
    """2θ of the Kα2 reflection of the planes that reflect Kα1 at ``two_theta_ka1`` (Bragg)."""
    s = np.sin(np.radians(np.asarray(two_theta_ka1, dtype=float)) / 2.0) * ka2 / ka1
    return np.degrees(2.0 * np.arcsin(np.clip(s, -1.0, 1.0)))


def pseudo_voigt(x: np.ndarray, center: float, fwhm: float, area: float, eta: float) -> np.ndarray:
    """Area-normalised pseudo-Voigt: η Lorentzian + (1-η) Gaussian of the same FWHM."""
    dx = (x - center) / fwhm
    lorentz = (2.0 / (math.pi * fwhm)) / (1.0 + 4.0 * dx**2)
    gauss = (math.sqrt(4.0 * math.log(2.0) / math.pi) / fwhm) * np.exp(-4.0 * math.log(2.0) * dx**2)
    return area * (eta * lorentz + (1.0 - eta) * gauss)


def pv_height(fwhm: float, area: float, eta: float) -> float:
    """Maximum of an area-normalised pseudo-Voigt."""
    gauss = math.sqrt(4.0 * math.log(2.0) / math.pi) / fwhm
    return area * (eta * 2.0 / (math.pi * fwhm) + (1.0 - eta) * gauss)


def doublet(
    x: np.ndarray, center: float, fwhm: float, area: float, eta: float, source: Source
) -> np.ndarray:
    """Kα1 pseudo-Voigt plus its Kα2 partner (area × ratio, same width) at λ2's Bragg angle."""
    out = pseudo_voigt(x, center, fwhm, area, eta)
    if source.has_ka2:
        ka2_center = float(ka2_position(center, source.ka1, source.ka2))
        out = out + pseudo_voigt(x, ka2_center, fwhm, area * source.ratio, eta)
    return out


def detect(
    x: np.ndarray, net: np.ndarray, noise: np.ndarray, min_snr: float
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and widths (deg) of maxima of the smoothed net signal above min_snr × noise."""
    step = float(np.median(np.diff(x)))
    window = max(5, int(round(0.1 / step)) | 1)
    smooth = signal.savgol_filter(net, window, 2) if net.size > window else net
    threshold = min_snr * noise
    idx, props = signal.find_peaks(smooth, height=threshold, prominence=threshold, width=1.5)
    widths = props["widths"] * step
    return idx, widths


def drop_ka2_shoulders(
    x: np.ndarray, idx: np.ndarray, heights: np.ndarray, widths: np.ndarray, source: Source
) -> np.ndarray:
    """Keep the detected maxima that are not the Kα2 shoulder of a stronger peak."""
    if not source.has_ka2 or idx.size < 2:
        return idx
    keep = np.ones(idx.size, dtype=bool)
    for i in np.argsort(-heights, kind="stable"):
        if not keep[i]:
            continue
        x2 = float(ka2_position(x[idx[i]], source.ka1, source.ka2))
        tol = max(0.04, 0.35 * widths[i])
        for j in range(idx.size):
            near = abs(x[idx[j]] - x2) <= tol
            if j != i and keep[j] and near and heights[j] <= 0.8 * heights[i]:
                keep[j] = False
    return idx[keep]


def _groups(centers: np.ndarray, widths: np.ndarray, split: np.ndarray) -> list[list[int]]:
    """Peaks (sorted by position) chained into groups whose fit windows overlap."""
    groups: list[list[int]] = []
    for i in range(centers.size):
        if groups:
            j = groups[-1][-1]
            if centers[i] - centers[j] < 3.0 * (widths[i] + widths[j]) + split[j]:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


@dataclass(frozen=True)
class _Start:
    """Start values and bounds of one group fit: (centre, FWHM, area) per peak, then η, offset."""

    p0: list[float]
    lower: list[float]
    upper: list[float]


def _group_model(source: Source, n: int):
    """The model of n doublets sharing η, plus a constant: f(x, c1, w1, a1, ..., η, const)."""

    def model(xx, *p):
        out = np.full_like(xx, p[-1])
        for m in range(n):
            out = out + doublet(xx, p[3 * m], p[3 * m + 1], p[3 * m + 2], p[-2], source)
        return out

    return model


def _start(
    xs: np.ndarray, ys: np.ndarray, c: np.ndarray, w: np.ndarray, step: float, ratio: float
) -> _Start:
    """Start values and bounds for the peaks of one group."""
    p0, lower, upper = [], [], []
    for m in range(c.size):
        height = max(float(np.interp(c[m], xs, ys)), 1e-9)
        p0 += [c[m], w[m], height * w[m] * 1.06 / (1.0 + ratio)]
        lower += [c[m] - max(0.5 * w[m], 0.03), max(0.2 * w[m], 1.5 * step), 0.0]
        upper += [c[m] + max(0.5 * w[m], 0.03), 5.0 * w[m], np.inf]
    return _Start(p0 + [0.5, 0.0], lower + [0.0, -np.inf], upper + [1.0, np.inf])


def _fit_group(xs: np.ndarray, ys: np.ndarray, ss: np.ndarray, start: _Start, model):
    """Least squares of one group: parameters and standard errors (NaN when the fit fails)."""
    try:
        if xs.size <= len(start.p0):
            raise RuntimeError("too few points")
        popt, pcov = optimize.curve_fit(
            model,
            xs,
            ys,
            p0=start.p0,
            sigma=ss,
            absolute_sigma=True,
            bounds=(start.lower, start.upper),
            maxfev=4000,
        )
        dof = max(xs.size - len(start.p0), 1)
        chi2 = float(np.sum(((ys - model(xs, *popt)) / ss) ** 2) / dof)
        perr = np.sqrt(np.clip(np.diag(pcov), 0, None) * max(1.0, chi2))
    except (RuntimeError, ValueError, optimize.OptimizeWarning):
        popt, perr = np.array(start.p0, dtype=float), np.full(len(start.p0), np.nan)
    return popt, perr


def fit_peaks(
    x: np.ndarray,
    net: np.ndarray,
    noise: np.ndarray,
    sigma: np.ndarray,
    centers: np.ndarray,
    widths: np.ndarray,
    source: Source,
) -> list[Peak]:
    """Pseudo-Voigt (doublet) fits; peaks that overlap are fitted together with a constant."""
    order = np.argsort(centers)
    step = float(np.median(np.diff(x)))
    centers, widths = centers[order], np.clip(widths[order], 2.0 * step, 2.0)
    split = np.zeros_like(centers)
    if source.has_ka2:
        split = ka2_position(centers, source.ka1, source.ka2) - centers
    peaks: list[Peak] = []
    for group in _groups(centers, widths, split):
        c, w = centers[group], widths[group]
        lo = c.min() - 3.0 * w[0]
        hi = c.max() + 3.0 * w[-1] + split[group[-1]]
        sel = (x >= lo) & (x <= hi)
        start = _start(x[sel], net[sel], c, w, step, source.ratio if source.has_ka2 else 0.0)
        popt, perr = _fit_group(x[sel], net[sel], sigma[sel], start, _group_model(source, c.size))
        eta = float(popt[-2])
        for m in range(len(group)):
            pos, fwhm, area = (float(v) for v in popt[3 * m : 3 * m + 3])
            pos_err, fwhm_err, area_err = (float(v) for v in perr[3 * m : 3 * m + 3])
            peaks.append(
                Peak(
                    pos,
                    pos_err,
                    fwhm,
                    fwhm_err,
                    area,
                    area_err,
                    pv_height(fwhm, area, eta),
                    eta,
                    float(np.interp(pos, x, noise)),
                )
            )
    return peaks


def model_curve(x: np.ndarray, peaks: list[Peak], source: Source) -> np.ndarray:
    """Sum of the fitted peaks (with their Kα2 partners) on ``x``."""
    out = np.zeros_like(x, dtype=float)
    for p in peaks:
        out += doublet(x, p.position, p.fwhm, p.area, p.eta, source)
    return out


@dataclass(frozen=True)
class PeakSearch:
    """A scan's SNIP background, local noise σ and fitted peaks above the detection threshold."""

    background: np.ndarray
    noise: np.ndarray
    peaks: list[Peak]


def find_and_fit(x: np.ndarray, y: np.ndarray, min_snr: float, source: Source) -> PeakSearch:
    """Background, noise, and the fitted peaks above ``min_snr`` × noise."""
    step = float(np.median(np.diff(x)))
    box = max(1, int(round(BACKGROUND_SMOOTHING_DEG / step)))
    smoothed = ndimage.uniform_filter1d(y, box, mode="nearest")
    background = snip_background(smoothed, int(round(SNIP_WINDOW_DEG / step)))
    net = y - background
    noise = local_noise(y, int(round(NOISE_WINDOW_DEG / step)))
    idx, widths = detect(x, net, noise, min_snr)
    heights = net[idx] if idx.size else np.zeros(0)
    kept = drop_ka2_shoulders(x, idx, heights, widths, source)
    widths = widths[np.isin(idx, kept)]
    # Counting statistics on top of the background noise: σ² = σ_bg² + gain × net, with the
    # gain (counts per intensity unit) taken from σ_bg² / background.
    gain = 0.0
    if np.all(background > 0):
        gain = float(np.median(noise**2 / np.maximum(background, 1e-9)))
    sigma = np.sqrt(noise**2 + gain * np.clip(net, 0, None))
    found = []
    if kept.size:
        found = fit_peaks(x, net, noise, sigma, x[kept], widths, source)
    found = [p for p in found if p.height >= min_snr * p.noise and np.isfinite(p.position)]
    return PeakSearch(background, noise, found)
