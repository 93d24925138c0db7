"""Along the line: the interface from the summed edge signal, bulk and interface mean ratios.

Interface: where the summed Mn+Co+Ni edge signal falls to half of its film plateau, from a
least-squares erf fit (plateau, LATP level, centre, width) of that signal along the line;
linear interpolation of the half-plateau crossing where the fit fails (``method`` says
which). Bulk = positions with x <= interface − bulk_distance_nm; interface = positions with
|x − interface| <= interface_window_nm; each a weighted mean (inverse relative variances, see
:func:`weighted_mean`), its stderr scaled by the Birge ratio sqrt(chi2/dof) when the scatter
exceeds the errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import curve_fit
from scipy.special import erfc, erfcinv

from interphase.interface import WIDTH_10_90_PER_SIGMA, half_crossing

_MIN_POINTS_ERF = 5


def erf_step(
    x: np.ndarray, plateau: float, level: float, centre: float, sigma: float
) -> np.ndarray:
    """interface.erf_step written with erfc (equal up to rounding; kept for identical digits)."""
    return level + 0.5 * (plateau - level) * erfc((x - centre) / (math.sqrt(2.0) * sigma))


@dataclass
class Interface:
    """The interface of a line: position, stderr, 10-90 % width, method and model curve."""

    position: float = math.nan
    stderr: float = math.nan
    width_10_90: float = math.nan
    method: str = "none"
    model: np.ndarray = field(default_factory=lambda: np.empty(0))


def weighted_mean(values: np.ndarray, stderr: np.ndarray) -> tuple[float, float, int]:
    """Weighted mean of ratios, its stderr (× Birge ratio when > 1) and the number used.

    Weights are the inverse *relative* variances (value/stderr)²: a ratio's stderr grows with
    the ratio itself, so inverse absolute variances favour low ratios and bias the mean low
    (by ~1 % at the demo's noise, checked by simulation); relative weights do not.
    """
    ok = np.isfinite(values) & np.isfinite(stderr) & (stderr > 0) & (values > 0)
    n = int(ok.sum())
    if n == 0:
        return math.nan, math.nan, 0
    v, se = values[ok], stderr[ok]
    w = (v / se) ** 2
    mean = float(np.sum(w * v) / np.sum(w))
    err = float(math.sqrt(np.sum(w**2 * se**2)) / np.sum(w))
    if n > 1:
        birge = math.sqrt(float(np.sum(((v - mean) / se) ** 2)) / (n - 1))
        err *= max(birge, 1.0)
    return mean, err, n


def interface_position(x: np.ndarray, signal: np.ndarray, stderr: np.ndarray) -> Interface:
    """Interface (half of the film plateau) from an erf fit, else interpolation; with the model."""
    out = Interface(model=np.full(x.shape, math.nan))
    guess = half_crossing(x, signal)
    if not math.isfinite(guess):
        return out
    out.position, out.method = guess, "interpolation of the half-plateau crossing"
    ok = np.isfinite(signal) & np.isfinite(stderr) & (stderr > 0)
    if ok.sum() < _MIN_POINTS_ERF:
        return out
    xs, ys, es = x[ok], signal[ok], stderr[ok]
    width = max((xs[-1] - xs[0]) / 10.0, 1e-3)
    p0 = [float(np.mean(ys[:3])), float(np.mean(ys[-3:])), guess, width]
    try:
        popt, pcov = curve_fit(erf_step, xs, ys, p0=p0, sigma=es, absolute_sigma=True, maxfev=5000)
    except (RuntimeError, ValueError):
        return out
    plateau, level, centre, sigma = popt
    sigma = abs(sigma)
    if not (plateau > level and xs[0] <= centre <= xs[-1] and np.all(np.isfinite(pcov))):
        return out
    chi2 = float(np.sum(((ys - erf_step(xs, *popt)) / es) ** 2)) / max(ys.size - 4, 1)
    frac = 1.0 - level / plateau
    u = float(erfcinv(frac)) if 0.0 < frac < 2.0 else 0.0
    out.position = float(centre + math.sqrt(2.0) * sigma * u)
    out.stderr = float(math.sqrt(pcov[2, 2]) * max(math.sqrt(chi2), 1.0))
    out.width_10_90 = float(WIDTH_10_90_PER_SIGMA * sigma)
    out.method = "erf fit of the summed Mn+Co+Ni edge signal (half of the film plateau)"
    out.model = erf_step(x, plateau, level, centre, sigma)
    return out


@dataclass
class ElementStats:
    """Bulk and interface means per element (lists in element order), status and note."""

    bulk: list[float] = field(default_factory=list)
    bulk_se: list[float] = field(default_factory=list)
    n_bulk: list[int] = field(default_factory=list)
    iface: list[float] = field(default_factory=list)
    iface_se: list[float] = field(default_factory=list)
    n_iface: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)


def _masks(x: np.ndarray, interface: float, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """Bulk and interface position masks (all bulk, no interface without an interface)."""
    if not math.isfinite(interface):
        return np.ones(x.size, bool), np.zeros(x.size, bool)
    bulk = x <= interface - float(p["bulk_distance_nm"])
    near = np.abs(x - interface) <= float(p["interface_window_nm"])
    return bulk, near


def summarise_elements(
    x: np.ndarray,
    elements: list[str],
    ratio: np.ndarray,
    ratio_se: np.ndarray,
    interface: float,
    p: dict,
) -> ElementStats:
    """Bulk and interface weighted means per element, with status and note."""
    out = ElementStats()
    bulk_mask, iface_mask = _masks(x, interface, p)
    for j, el in enumerate(elements):
        b, b_se, nb = weighted_mean(ratio[bulk_mask, j], ratio_se[bulk_mask, j])
        f, f_se, nf = weighted_mean(ratio[iface_mask, j], ratio_se[iface_mask, j])
        notes = []
        status = "ok"
        if not np.any(np.isfinite(ratio[:, j])):
            status = "failed"
            notes.append(
                f"no {el} L2,3 edge above min_edge_snr={p['min_edge_snr']:g} at any position"
            )
        elif not math.isfinite(interface):
            status = "flagged"
            notes.append("no interface found on the line: bulk is the mean of all positions")
        else:
            if nb == 0:
                notes.append(f"no {el} ratio at x <= interface - {p['bulk_distance_nm']:g} nm")
            if nf == 0:
                window = p["interface_window_nm"]
                notes.append(f"no {el} ratio within {window:g} nm of the interface")
        for name, value in zip(
            ("bulk", "bulk_se", "n_bulk", "iface", "iface_se", "n_iface"),
            (b, b_se, nb, f, f_se, nf),
        ):
            getattr(out, name).append(value)
        out.status.append(status)
        out.note.append("; ".join(notes))
    return out
