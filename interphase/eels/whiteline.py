"""L3/L2 white-line ratios of Mn, Co (and Ni, Ti, Fe, Cu when in range) along an EELS line.

Method (per spectrum and element; windows in :mod:`interphase.eels.edges`):

1. Background: power law A·E^-r fitted in the pre-edge window by weighted least squares of
   ln(counts) on ln(E) (weights = counts, the inverse variance of ln of Poisson counts),
   extrapolated under the edge and subtracted (Egerton, *Electron Energy-Loss Spectroscopy in
   the Electron Microscope*, 3rd ed., 2011, Sec. 4.4.2).
2. Continuum: Pearson's double step (D. H. Pearson, C. C. Ahn, B. Fultz, Phys. Rev. B 47,
   8471 (1993)): steps at the L3 and L2 maxima with heights 2:1 (the 2p3/2 : 2p1/2
   occupancy), total height the mean background-subtracted intensity in the post-edge window.
3. L3 and L2 = sums of (counts − background − step) over their windows; ratio L3/L2.

Energy calibration: spectra without a zero-loss reference are often a few eV off; each
element's windows are moved by the offset of the line-summed L3 maximum from the table's
(at most 8 eV, and only when that maximum stands clear of the noise; ``energy_shift``).
Known systematics (checked on noise-free synthetic spectra): < 1 % when the continua are
flat over the windows; a lower edge's continuum that stays flat under the next edge (not a
power law) biases the next ratio by ~2 %.

Uncertainties: counts are Poisson. I3 and I2 are linear in the counts of the L3, L2 and
post-edge windows and depend on the pre-edge counts through the background parameters, so
their variances and covariance follow exactly to first order (coefficients below); the
Poisson variance is scaled by the pre-edge fit's reduced chi-square when that exceeds 1
(detectors with gain > 1 count several units an electron). The ratio's stderr is propagated
with the I3-I2 covariance. A position whose edge signal (background-subtracted sum over the
L3 and L2 windows) is below ``min_edge_snr`` times its stderr gives NaN.

Interface: where the summed Mn+Co+Ni edge signal falls to half of its film plateau, from a
least-squares erf fit (plateau, LATP level, centre, width) of that signal along the line;
linear interpolation of the half-plateau crossing where the fit fails (``interface_method``
says which). Bulk = positions with x <= interface − bulk_distance_nm; interface = positions
with |x − interface| <= interface_window_nm; each a weighted mean (inverse relative
variances, see :func:`weighted_mean`), its stderr scaled by the Birge ratio sqrt(chi2/dof) when the scatter exceeds the errors.

Why not a library: exspy (HyperSpy's EELS package) fits edge models (power law + Hartree-
Slater/hydrogenic GOS) but has no white-line ratio with Pearson's step and windows, and
would bring HyperSpy and its GOS tables in for a ~100-line integration. The windows and
step are those of the papers cited, so results are comparable to the literature.
Edge table: :mod:`interphase.eels.edges`, partly overridable per element in the config
(``eels.edges``). Valences: each ratio (per position, bulk and interface) is converted to an
oxidation state with the calibration of :mod:`interphase.eels.valence` (literature standards,
or the lab's in ``eels.valence_standards``); elements without standards get none. The ratio
-- and so the valence -- depends on specimen thickness, windows and background model: compare
positions and samples measured alike, and see docs/eels.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import xarray as xr
from scipy.optimize import curve_fit
from scipy.signal import find_peaks
from scipy.special import erfc, erfcinv

from interphase.defaults import schema_defaults
from interphase.datasets import variable
from interphase.eels import valence as valence_cal
from interphase.eels.edges import EDGES, Edge, covers, with_overrides
from interphase.summary import row

# The film's transition metals whose summed edge signal locates the interface (CONTRACT.md §2).
TM_ELEMENTS = ("Mn", "Co", "Ni")
# erf profile: 10-90 % width = 2·erfinv(0.8)·√2·σ = 2.5631·σ.
WIDTH_10_90_PER_SIGMA = 2.5631031310892007
_MIN_POINTS_ERF = 5
# Energy calibration: the L3 maximum is looked for this far (eV) from the table's; EELS
# spectra are often off by a few eV without a zero-loss reference (the exspy Mn example by ~5 eV).
MAX_SHIFT_EV = 8.0
MIN_ALIGN_SNR = 10.0
# The L3 maximum is the first local maximum reaching this fraction of the search window's highest point.
FIRST_PEAK_FRACTION = 1.0 / 3.0
# ... and stand this many Poisson standard deviations above the dips beside it.
PEAK_PROMINENCE = 5.0


@dataclass
class EdgeIntegrals:
    """One edge of one spectrum: white-line sums, their (co)variances, edge signal, curves."""

    l3: float
    l2: float
    var_l3: float
    var_l2: float
    cov_l3_l2: float
    edge: float
    var_edge: float
    background: np.ndarray
    step: np.ndarray


def check_params(params: dict) -> dict:
    """The eels parameters with defaults; ValueError for invalid values."""
    p = {**schema_defaults("eels"), **(params or {})}
    p["edges"] = p["edges"] or {}
    p["valence_standards"] = p["valence_standards"] or {}
    with_overrides(p["edges"])  # ValueError names a bad override
    valence_cal.standards_from_config(p["valence_standards"])
    if float(p["interface_window_nm"]) < 0 or float(p["bulk_distance_nm"]) < 0:
        raise ValueError("eels.interface_window_nm and eels.bulk_distance_nm must be >= 0")
    if float(p["min_edge_snr"]) <= 0:
        raise ValueError("eels.min_edge_snr must be > 0")
    unknown = [e for e in p["elements"] if e not in EDGES]
    if unknown:
        raise ValueError(f"eels.elements: no edge tabulated for {unknown}; known: {list(EDGES)}")
    return p


def window_mask(energy: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    """Channels with window[0] <= E < window[1]."""
    return (energy >= window[0]) & (energy < window[1])


def fit_power_law(energy: np.ndarray, counts: np.ndarray, window: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, float]:
    """(ln A, r), their covariance and the reduced chi-square of counts ≈ A·E^-r in ``window``."""
    mask = window_mask(energy, window)
    y = np.clip(counts[mask], 1.0, None)
    design = np.column_stack([np.ones(mask.sum()), -np.log(energy[mask])])
    weights = y  # var(ln y) = 1/y for Poisson counts
    normal = design.T @ (design * weights[:, None])
    cov = np.linalg.inv(normal)
    theta = cov @ (design.T @ (weights * np.log(y)))
    resid = np.log(y) - design @ theta
    dof = max(mask.sum() - 2, 1)
    chi2_red = float(np.sum(weights * resid**2) / dof)
    return theta, cov, chi2_red


def power_law(energy: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """A·E^-r with theta = (ln A, r); NaN at E <= 0 (a spectrum that includes the zero loss)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(energy > 0, np.exp(theta[0] - theta[1] * np.log(np.where(energy > 0, energy, 1.0))), np.nan)


def unit_double_step(energy: np.ndarray, e: Edge) -> np.ndarray:
    """Pearson's continuum of total height 1: 2/3 at the L3 maximum, +1/3 at the L2 maximum."""
    return (2.0 / 3.0) * (energy >= e.l3_max) + (1.0 / 3.0) * (energy >= e.l2_max)


def integrate_edge(energy: np.ndarray, counts: np.ndarray, e: Edge) -> EdgeIntegrals:
    """L3 and L2 white-line sums above background and double step, with their covariance."""
    theta, cov_theta, chi2_red = fit_power_law(energy, counts, e.pre)
    noise = max(chi2_red, 1.0)
    background = power_law(energy, theta)
    log_e = np.log(np.where(energy > 0, energy, 1.0))
    jac = background[:, None] * np.column_stack([np.ones_like(energy), -log_e])  # d b / d theta
    shape = unit_double_step(energy, e)
    post, w3, w2 = (window_mask(energy, w) for w in (e.post, e.l3, e.l2))
    n_post = post.sum()
    height = float(np.mean(counts[post] - background[post]))
    step = height * shape
    var_y = noise * np.clip(counts, 1.0, None)
    coeffs, grads, sums = [], [], []
    for win in (w3, w2):
        k = shape[win].sum()
        c = win.astype(float) - (k / n_post) * post
        g = -jac[win].sum(axis=0) + (k / n_post) * jac[post].sum(axis=0)
        coeffs.append(c)
        grads.append(g)
        sums.append(float(np.sum(counts[win] - background[win]) - height * k))
    cov_theta = noise * cov_theta

    def covariance(i: int, j: int) -> float:
        return float(np.sum(coeffs[i] * coeffs[j] * var_y) + grads[i] @ cov_theta @ grads[j])

    both = w3 | w2
    g_edge = -jac[both].sum(axis=0)
    edge_sum = float(np.sum(counts[both] - background[both]))
    var_edge = float(np.sum(var_y[both]) + g_edge @ cov_theta @ g_edge)
    return EdgeIntegrals(
        sums[0], sums[1], covariance(0, 0), covariance(1, 1), covariance(0, 1), edge_sum, var_edge, background, step
    )


def shifted(e: Edge, shift: float) -> Edge:
    """The edge with every energy moved by ``shift`` eV (an energy-calibration offset)."""
    move = lambda w: (w[0] + shift, w[1] + shift)  # noqa: E731
    return replace(
        e, l3_onset=e.l3_onset + shift, l2_onset=e.l2_onset + shift, l3_max=e.l3_max + shift,
        l2_max=e.l2_max + shift, pre=move(e.pre), l3=move(e.l3), l2=move(e.l2), post=move(e.post),
    )


def first_peak(smooth: np.ndarray, idx: np.ndarray, noise: np.ndarray) -> int:
    """Index of the lowest-energy peak in idx reaching FIRST_PEAK_FRACTION of the highest point.

    A peak (scipy.signal.find_peaks) must stand PEAK_PROMINENCE times its noise above the
    dips on either side, so noise wiggles on a rising edge do not count.
    """
    values = smooth[idx]
    top = float(np.max(values))
    peaks, props = find_peaks(values, prominence=0.0)
    for n, prominence in zip(peaks, props["prominences"]):
        if values[n] >= FIRST_PEAK_FRACTION * top and prominence >= PEAK_PROMINENCE * noise[idx[n]]:
            return int(idx[n])
    return int(idx[int(np.argmax(values))])


def calibration_shift(energy: np.ndarray, total: np.ndarray, e: Edge) -> float:
    """Offset (eV) of the L3 maximum of the line-summed spectrum from the table's, 0 if unclear.

    The white-line maximum is searched within MAX_SHIFT_EV of the tabulated one after the
    power-law background is removed and the spectrum smoothed over ~1 eV; it counts only when
    it stands MIN_ALIGN_SNR Poisson standard deviations above the background. The L3 maximum
    is the lowest-energy local maximum reaching FIRST_PEAK_FRACTION of the window's highest
    point, not that point itself: for Ti4+ (d0) the crystal field splits L3 and L2 into
    t2g and eg peaks and the tallest is L2 eg, ~7 eV above the tabulated L3 (t2g) maximum
    (checked on the SrTiO3 spectrum in ../shared/realdata/tem/dm_eels).
    """
    theta, _, _ = fit_power_law(energy, total, e.pre)
    net = total - power_law(energy, theta)
    step = float(np.median(np.diff(energy))) if energy.size > 1 else 1.0
    half = max(int(round(0.5 / step)), 0)
    kernel = np.ones(2 * half + 1) / (2 * half + 1)
    smooth = np.convolve(net, kernel, mode="same")
    search = window_mask(energy, (e.l3_max - MAX_SHIFT_EV, e.l3_max + MAX_SHIFT_EV))
    if not search.any():
        return 0.0
    idx = np.nonzero(search)[0]
    fine_half = max(int(round(0.25 / step)), 1)
    fine = np.convolve(net, np.ones(2 * fine_half + 1) / (2 * fine_half + 1), mode="same")
    fine_noise = np.sqrt(np.clip(total, 1.0, None) / (2 * fine_half + 1))
    peak = first_peak(fine, idx, fine_noise)
    noise = math.sqrt(max(float(total[peak]), 1.0) / (2 * half + 1))
    if smooth[peak] < MIN_ALIGN_SNR * noise:
        return 0.0
    return float(energy[peak] - e.l3_max)


def ratio_with_stderr(r: EdgeIntegrals) -> tuple[float, float]:
    """L3/L2 and its first-order stderr including the L3-L2 covariance."""
    if r.l2 <= 0 or r.l3 <= 0:
        return math.nan, math.nan
    ratio = r.l3 / r.l2
    rel = r.var_l3 / r.l3**2 + r.var_l2 / r.l2**2 - 2 * r.cov_l3_l2 / (r.l3 * r.l2)
    return ratio, ratio * math.sqrt(max(rel, 0.0))


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


def erf_step(x: np.ndarray, plateau: float, level: float, centre: float, sigma: float) -> np.ndarray:
    """Film plateau falling to the LATP level with an erf of standard deviation sigma."""
    return level + 0.5 * (plateau - level) * erfc((x - centre) / (math.sqrt(2.0) * sigma))


def half_crossing(x: np.ndarray, signal: np.ndarray) -> float:
    """First x where signal falls below half its film plateau (mean of the first 3), interpolated."""
    ok = np.isfinite(signal)
    x, s = x[ok], signal[ok]
    if s.size < 2:
        return math.nan
    half = 0.5 * float(np.mean(s[:3]))
    below = np.nonzero(s < half)[0]
    if half <= 0 or below.size == 0 or below[0] == 0:
        return math.nan
    i = below[0]
    return float(x[i - 1] + (half - s[i - 1]) * (x[i] - x[i - 1]) / (s[i] - s[i - 1]))


def interface_position(x: np.ndarray, signal: np.ndarray, stderr: np.ndarray) -> dict:
    """Interface (half of the film plateau) from an erf fit, else interpolation; with the model."""
    out = {"position": math.nan, "stderr": math.nan, "width_10_90": math.nan, "method": "none", "model": np.full(x.shape, math.nan)}
    guess = half_crossing(x, signal)
    if not math.isfinite(guess):
        return out
    out.update(position=guess, method="interpolation of the half-plateau crossing")
    ok = np.isfinite(signal) & np.isfinite(stderr) & (stderr > 0)
    if ok.sum() < _MIN_POINTS_ERF:
        return out
    xs, ys, es = x[ok], signal[ok], stderr[ok]
    p0 = [float(np.mean(ys[:3])), float(np.mean(ys[-3:])), guess, max((xs[-1] - xs[0]) / 10.0, 1e-3)]
    try:
        popt, pcov = curve_fit(erf_step, xs, ys, p0=p0, sigma=es, absolute_sigma=True, maxfev=5000)
    except (RuntimeError, ValueError):
        return out
    plateau, level, centre, sigma = popt
    sigma = abs(sigma)
    if not (plateau > level and xs[0] <= centre <= xs[-1] and np.all(np.isfinite(pcov))):
        return out
    chi2 = float(np.sum(((ys - erf_step(xs, *popt)) / es) ** 2)) / max(ys.size - 4, 1)
    # Half of the film plateau: level + (plateau-level)/2·erfc(u) = plateau/2.
    frac = 1.0 - level / plateau
    u = float(erfcinv(frac)) if 0.0 < frac < 2.0 else 0.0
    out.update(
        position=float(centre + math.sqrt(2.0) * sigma * u),
        stderr=float(math.sqrt(pcov[2, 2]) * max(math.sqrt(chi2), 1.0)),
        width_10_90=float(WIDTH_10_90_PER_SIGMA * sigma),
        method="erf fit of the summed Mn+Co+Ni edge signal (half of the film plateau)",
        model=erf_step(x, plateau, level, centre, sigma),
    )
    return out


def analyse(clean: xr.Dataset, params: dict) -> xr.Dataset:
    """The white-line fit of an eels_line dataset: ratios along the line, bulk and interface means."""
    p = check_params(params)
    energy = np.asarray(clean["energy_loss"].values, dtype=float)
    x = np.asarray(clean["distance"].values, dtype=float)
    counts = np.asarray(clean["intensity"].values, dtype=float)
    asked = list(dict.fromkeys(p["elements"]))
    total = counts.sum(axis=0)
    table = with_overrides(p["edges"])
    edges = {}
    shifts = {}
    for el in asked:
        e = table[el]
        if covers(e, energy[0], energy[-1]):
            shifts[el] = calibration_shift(energy, total, e)
            e = shifted(e, shifts[el])
            if energy[0] <= e.span[0] and e.span[1] <= energy[-1]:
                edges[el] = e
    elements = list(edges)
    absent = [el for el in asked if el not in elements]
    shape = (x.size, len(elements))
    names = ("l3", "l2", "l3_se", "l2_se", "ratio", "ratio_se", "edge", "edge_se")
    arr = {k: np.full(shape, math.nan) for k in names}
    examples = {k: np.full((len(elements), energy.size), math.nan) for k in ("intensity", "background", "continuum")}
    example_x = np.full(len(elements), math.nan)
    for j, el in enumerate(elements):
        e = edges[el]
        results = [integrate_edge(energy, counts[i], e) for i in range(x.size)]
        for i, r in enumerate(results):
            ratio, ratio_se = ratio_with_stderr(r)
            arr["l3"][i, j], arr["l2"][i, j] = r.l3, r.l2
            arr["l3_se"][i, j], arr["l2_se"][i, j] = math.sqrt(r.var_l3), math.sqrt(r.var_l2)
            arr["edge"][i, j], arr["edge_se"][i, j] = r.edge, math.sqrt(r.var_edge)
            arr["ratio"][i, j], arr["ratio_se"][i, j] = ratio, ratio_se
        snr = arr["edge"][:, j] / arr["edge_se"][:, j]
        weak = ~(snr >= float(p["min_edge_snr"]))
        arr["ratio"][weak, j] = math.nan
        arr["ratio_se"][weak, j] = math.nan
        best = int(np.nanargmax(np.where(np.isfinite(snr), snr, -np.inf))) if x.size else 0
        example_x[j] = x[best]
        span = window_mask(energy, (e.pre[0], e.post[1]))
        examples["intensity"][j, span] = counts[best, span]
        examples["background"][j, span] = results[best].background[span]
        examples["continuum"][j, span] = results[best].background[span] + results[best].step[span]

    tm = [j for j, el in enumerate(elements) if el in TM_ELEMENTS]
    tm_signal = np.sum(arr["edge"][:, tm], axis=1) if tm else np.full(x.size, math.nan)
    tm_se = np.sqrt(np.sum(arr["edge_se"][:, tm] ** 2, axis=1)) if tm else np.full(x.size, math.nan)
    iface = interface_position(x, tm_signal, tm_se)

    stats = summarise_elements(x, elements, arr["ratio"], arr["ratio_se"], iface["position"], p)
    ds = build_fit(clean, p, x, energy, edges, arr, examples, example_x, tm_signal, tm_se, iface, stats)
    ds["energy_shift"] = variable(
        "element", np.array([shifts[el] for el in elements], float), "eV",
        "energy-calibration shift applied to the edge table (measured minus tabulated L3 maximum)",
    )
    add_valences(ds, valence_cal.standards_from_config(p["valence_standards"]))
    ds.attrs["elements_out_of_range"] = ", ".join(absent)
    set_status(ds, elements, absent, stats, iface)
    return ds


def summarise_elements(x, elements, ratio, ratio_se, interface, p) -> dict:
    """Bulk and interface weighted means per element, with status and note."""
    out = {k: [] for k in ("bulk", "bulk_se", "n_bulk", "iface", "iface_se", "n_iface", "status", "note")}
    for j, el in enumerate(elements):
        if math.isfinite(interface):
            bulk_mask = x <= interface - float(p["bulk_distance_nm"])
            iface_mask = np.abs(x - interface) <= float(p["interface_window_nm"])
        else:
            bulk_mask = np.ones(x.size, bool)
            iface_mask = np.zeros(x.size, bool)
        b, b_se, nb = weighted_mean(ratio[bulk_mask, j], ratio_se[bulk_mask, j])
        f, f_se, nf = weighted_mean(ratio[iface_mask, j], ratio_se[iface_mask, j])
        notes = []
        status = "ok"
        if not np.any(np.isfinite(ratio[:, j])):
            status = "failed"
            notes.append(f"no {el} L2,3 edge above min_edge_snr={p['min_edge_snr']:g} at any position")
        elif not math.isfinite(interface):
            status = "flagged"
            notes.append("no interface found on the line: bulk is the mean of all positions")
        else:
            if nb == 0:
                notes.append(f"no {el} ratio at x <= interface - {p['bulk_distance_nm']:g} nm")
            if nf == 0:
                notes.append(f"no {el} ratio within {p['interface_window_nm']:g} nm of the interface")
        for key, value in zip(("bulk", "bulk_se", "n_bulk", "iface", "iface_se", "n_iface"), (b, b_se, nb, f, f_se, nf)):
            out[key].append(value)
        out["status"].append(status)
        out["note"].append("; ".join(notes))
    return out


def build_fit(clean, p, x, energy, edge_map, arr, examples, example_x, tm_signal, tm_se, iface, stats) -> xr.Dataset:
    """Assemble the fit dataset (every variable with units and long_name)."""
    de = ("distance", "element")
    elements = list(edge_map)
    edges = list(edge_map.values())
    data = {
        "L3_L2": variable(de, arr["ratio"], "1", "L3/L2 white-line intensity ratio"),
        "L3_L2_stderr": variable(de, arr["ratio_se"], "1", "standard error of the L3/L2 ratio"),
        "l3_intensity": variable(de, arr["l3"], "count", "L3 white-line intensity above background and continuum step"),
        "l3_intensity_stderr": variable(de, arr["l3_se"], "count", "standard error of the L3 intensity"),
        "l2_intensity": variable(de, arr["l2"], "count", "L2 white-line intensity above background and continuum step"),
        "l2_intensity_stderr": variable(de, arr["l2_se"], "count", "standard error of the L2 intensity"),
        "edge_intensity": variable(de, arr["edge"], "count", "background-subtracted L2,3 edge intensity in the L3 and L2 windows"),
        "edge_intensity_stderr": variable(de, arr["edge_se"], "count", "standard error of the edge intensity"),
        "edge_snr": variable(de, arr["edge"] / arr["edge_se"], "1", "edge signal-to-noise ratio"),
        "tm_edge_signal": variable("distance", tm_signal, "count", "summed Mn+Co+Ni L2,3 edge intensity"),
        "tm_edge_signal_stderr": variable("distance", tm_se, "count", "standard error of the summed edge intensity"),
        "tm_edge_signal_model": variable("distance", iface["model"], "count", "erf model of the summed edge intensity"),
        "interface_position_nm": variable((), iface["position"], "nm", "interface position (half of the film's Mn+Co+Ni edge plateau)"),
        "interface_position_nm_stderr": variable((), iface["stderr"], "nm", "standard error of the interface position"),
        "interface_width_nm": variable((), iface["width_10_90"], "nm", "10-90 % width of the erf fit of the edge signal"),
        "L3_L2_bulk": variable("element", np.array(stats["bulk"], float), "1", "L3/L2 ratio in the film bulk (weighted mean)"),
        "L3_L2_bulk_stderr": variable("element", np.array(stats["bulk_se"], float), "1", "standard error of the bulk L3/L2 ratio"),
        "L3_L2_interface": variable("element", np.array(stats["iface"], float), "1", "L3/L2 ratio at the interface (weighted mean)"),
        "L3_L2_interface_stderr": variable("element", np.array(stats["iface_se"], float), "1", "standard error of the interface L3/L2 ratio"),
        "n_bulk": variable("element", np.array(stats["n_bulk"], int), "1", "positions averaged for the bulk ratio"),
        "n_interface": variable("element", np.array(stats["n_iface"], int), "1", "positions averaged for the interface ratio"),
        "element_status": variable("element", np.array(stats["status"], dtype=object), "1", "status of the element's ratios"),
        "element_note": variable("element", np.array(stats["note"], dtype=object), "1", "why an element's ratios are flagged or failed"),
        "example_distance": variable("element", example_x, "nm", "position of the example spectrum (highest edge SNR)"),
        "example_intensity": variable(("element", "energy_loss"), examples["intensity"], "count", "example spectrum around the edge"),
        "example_background": variable(("element", "energy_loss"), examples["background"], "count", "power-law background of the example"),
        "example_continuum": variable(("element", "energy_loss"), examples["continuum"], "count", "background plus Pearson double-step continuum"),
        "l3_max": variable("element", np.array([e.l3_max for e in edges], float), "eV", "L3 step position (white-line maximum)"),
        "l2_max": variable("element", np.array([e.l2_max for e in edges], float), "eV", "L2 step position (white-line maximum)"),
    }
    for name in ("pre", "l3", "l2", "post"):
        for k, bound in enumerate(("start", "end")):
            data[f"window_{name}_{bound}"] = variable(
                "element", np.array([getattr(e, name)[k] for e in edges], float), "eV", f"{name} window {bound}"
            )
    coords = {
        "distance": variable("distance", x, "nm", "distance along the line from the film side"),
        "element": variable("element", np.array(elements, dtype=object), "1", "chemical element"),
        "energy_loss": variable("energy_loss", energy, "eV", "energy loss"),
    }
    ds = xr.Dataset(data, coords=coords)
    ds.attrs = dict(clean.attrs)
    ds.attrs.update(
        interface_method=iface["method"],
        interface_window_nm=float(p["interface_window_nm"]),
        bulk_distance_nm=float(p["bulk_distance_nm"]),
        min_edge_snr=float(p["min_edge_snr"]),
        elements_requested=", ".join(p["elements"]),
        method="power-law background; Pearson et al. 1993 double step (2:1) scaled to the post-edge continuum",
    )
    return ds


# A valence extrapolated beyond the standards by more than this (and by more than 2 stderr) is flagged.
VALENCE_EXTRAPOLATION_TOLERANCE = 0.25


def add_valences(ds: xr.Dataset, table: dict[str, tuple]) -> None:
    """Valence per position, in the bulk and at the interface, from the calibration ``table`` (in place)."""
    elements = [str(e) for e in ds["element"].values]
    n_std = max([len(table.get(el, ())) for el in elements] + [0])
    std_ratio = np.full((len(elements), n_std), math.nan)
    std_valence = np.full((len(elements), n_std), math.nan)
    per_position = np.full(ds["L3_L2"].shape, math.nan)
    per_position_se = np.full(ds["L3_L2"].shape, math.nan)
    summary = {k: np.full(len(elements), math.nan) for k in ("valence_bulk", "valence_interface")}
    summary.update({f"{k}_stderr": np.full(len(elements), math.nan) for k in ("valence_bulk", "valence_interface")})
    status = {w: np.array(["failed"] * len(elements), dtype=object) for w in ("bulk", "interface")}
    notes = {w: np.array([""] * len(elements), dtype=object) for w in ("bulk", "interface")}
    for j, el in enumerate(elements):
        standards = table.get(el, ())
        if len(standards) < 2:
            for w in notes:
                notes[w][j] = f"no L3/L2 calibration for {el}"
            continue
        for k, s in enumerate(sorted(standards, key=lambda s: s.valence)):
            std_ratio[j, k], std_valence[j, k] = s.ratio, s.valence
        ds.attrs[f"valence_standards_{el}"] = valence_cal.describe(standards)
        for i in range(ds.sizes["distance"]):
            v, se, _ = valence_cal.estimate(float(ds["L3_L2"].values[i, j]), float(ds["L3_L2_stderr"].values[i, j]), standards)
            per_position[i, j], per_position_se[i, j] = v, se
        for where in ("bulk", "interface"):
            ratio, ratio_se = float(ds[f"L3_L2_{where}"].values[j]), float(ds[f"L3_L2_{where}_stderr"].values[j])
            v, se, inside = valence_cal.estimate(ratio, ratio_se, standards)
            summary[f"valence_{where}"][j], summary[f"valence_{where}_stderr"][j] = v, se
            if not math.isfinite(v):
                notes[where][j] = f"no {where} L3/L2 ratio"
                continue
            status[where][j] = "ok"
            if not inside:
                lo, hi = min(s.valence for s in standards), max(s.valence for s in standards)
                beyond = max(lo - v, v - hi, 0.0)
                notes[where][j] = f"ratio {ratio:.3g} outside the standards' {valence_cal.ratio_range(standards)}: valence extrapolated"
                if beyond > VALENCE_EXTRAPOLATION_TOLERANCE and not valence_cal.within(ratio, ratio_se, standards):
                    status[where][j] = "flagged"
    ds["valence"] = variable(("distance", "element"), per_position, "1", "oxidation state from L3/L2 (linear interpolation between standards)")
    ds["valence_stderr"] = variable(("distance", "element"), per_position_se, "1", "standard error of the valence (ratio stderr through the calibration)")
    for where in ("bulk", "interface"):
        ds[f"valence_{where}"] = variable("element", summary[f"valence_{where}"], "1", f"oxidation state from the {where} L3/L2 ratio")
        ds[f"valence_{where}_stderr"] = variable("element", summary[f"valence_{where}_stderr"], "1", f"standard error of valence_{where}")
    for where in ("bulk", "interface"):
        ds[f"valence_{where}_status"] = variable("element", status[where], "1", f"status of valence_{where} (ok, flagged, failed)")
        ds[f"valence_{where}_note"] = variable("element", notes[where], "1", f"why valence_{where} is flagged, failed or extrapolated")
    ds["standard_ratio"] = variable(("element", "standard"), std_ratio, "1", "L3/L2 of the valence calibration standards")
    ds["standard_valence"] = variable(("element", "standard"), std_valence, "1", "oxidation state of the calibration standards")
    ds.attrs["valence_caveat"] = (
        "valences from literature L3/L2 standards unless eels.valence_standards is given; the ratio depends on "
        "specimen thickness, windows and background model: compare like with like (docs/eels.md)"
    )


def set_status(ds: xr.Dataset, elements: list[str], absent: list[str], stats: dict, iface: dict) -> None:
    """Overall status: failed without any ratio, flagged when an element or the interface fails."""
    notes = []
    if not elements:
        lo, hi = float(ds["energy_loss"].values[0]), float(ds["energy_loss"].values[-1])
        ds.attrs.update(status="failed", status_note=f"no L2,3 edge of {', '.join(absent) or 'the elements asked'} within {lo:g}-{hi:g} eV")
        return
    if absent:
        notes.append(f"out of the energy range: {', '.join(absent)}")
    values = np.concatenate([stats["bulk"], stats["iface"]])
    if not np.any(np.isfinite(values)):
        status = "failed"
    elif any(s != "ok" for s in stats["status"]) or not math.isfinite(iface["position"]):
        status = "flagged"
    else:
        status = "ok"
    notes.extend(f"{el}: {n}" for el, n in zip(elements, stats["note"]) if n)
    ds.attrs.update(status=status, status_note="; ".join(notes))


def valence_rows(fit: xr.Dataset) -> list[dict]:
    """valence_bulk and valence_interface per element that has calibration standards."""
    out: list[dict] = []
    if "valence_bulk" not in fit:
        return out
    for j, el in enumerate(fit["element"].values):
        el = str(el)
        if f"valence_standards_{el}" not in fit.attrs:
            continue
        ratio_status, ratio_note = str(fit["element_status"].values[j]), str(fit["element_note"].values[j])
        for quantity in ("valence_bulk", "valence_interface"):
            value = float(fit[quantity].values[j])
            status, note = str(fit[f"{quantity}_status"].values[j]), str(fit[f"{quantity}_note"].values[j])
            if not math.isfinite(value):
                out.append(row(quantity, None, "1", element=el, status="failed", note=ratio_note or note))
                continue
            if ratio_status == "flagged":
                status, note = "flagged", "; ".join(filter(None, [ratio_note, note]))
            out.append(row(quantity, value, "1", stderr=float(fit[f"{quantity}_stderr"].values[j]), element=el, status=status, note=note))
    return out


def rows(fit: xr.Dataset) -> list[dict]:
    """Summary rows: L3_L2_bulk and L3_L2_interface per element, and the interface position."""
    out: list[dict] = []
    if fit.sizes.get("element", 0) == 0:
        return [row("L3_L2_bulk", None, "1", status="failed", note=fit.attrs.get("status_note", ""))]
    for j, el in enumerate(fit["element"].values):
        el = str(el)
        status = str(fit["element_status"].values[j])
        note = str(fit["element_note"].values[j])
        for quantity in ("L3_L2_bulk", "L3_L2_interface"):
            value = float(fit[quantity].values[j])
            stderr = float(fit[f"{quantity}_stderr"].values[j])
            row_status = status if math.isfinite(value) else "failed"
            row_note = note if math.isfinite(value) or note else "no ratio at these positions"
            out.append(row(quantity, value, "1", stderr=stderr, element=el, status=row_status, note=row_note))
    out.extend(valence_rows(fit))
    position = float(fit["interface_position_nm"].values)
    out.append(
        row(
            "interface_position",
            position,
            "nm",
            stderr=float(fit["interface_position_nm_stderr"].values),
            status="ok" if math.isfinite(position) else "failed",
            note="" if math.isfinite(position) else "the Mn+Co+Ni edge signal does not fall to half its plateau",
        )
    )
    return out
