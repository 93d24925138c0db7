"""EELS comparison figure: L3/L2 white-line ratios against distance from the interface.

Each sample is aligned at its own interface (half of the film's Mn+Co+Ni edge signal, as the
EDX profiles are), so the x axis is the one of the EDX figure. Elements with valence
standards in the fits (:mod:`interphase.eels.valence`) get a right-hand valence axis: the
calibration's piecewise-linear map of L3/L2 to oxidation state (literature standards unless
the lab gave its own; thickness- and method-dependent, see docs/eels.md).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.figures.style import (
    finite,
    new_figure,
    save_figure,
    temperature_colors,
    temperature_label,
)

# Panel order: the elements the contract names first (Co, Mn), then the rest.
ELEMENT_ORDER = ("Co", "Mn", "Ni", "Fe", "Ti", "Cu")


def panel_elements(fits: list[xr.Dataset]) -> list[str]:
    """Elements with at least one finite ratio in any fit, in ELEMENT_ORDER."""
    found = set()
    for fit in fits:
        if "L3_L2" not in fit or "element" not in fit.dims:
            continue
        for j, el in enumerate(fit["element"].values):
            if np.any(np.isfinite(fit["L3_L2"].values[:, j])):
                found.add(str(el))
    return [el for el in ELEMENT_ORDER if el in found] + sorted(found - set(ELEMENT_ORDER))


def _y_limits(values: list[np.ndarray], errors: list[np.ndarray]) -> tuple[float, float]:
    """Limits holding every ratio known to 25 % or better: one wild point cannot squash them."""
    if not values:
        return 0.0, 5.0
    v, e = np.concatenate(values), np.concatenate(errors)
    good = np.isfinite(v) & (e <= 0.25 * np.abs(v))
    data = v[good] if good.any() else finite(v)
    if data.size == 0:
        return 0.0, 5.0
    lo, hi = float(data.min()), float(data.max())
    pad = 0.15 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    if hi - lo < 1.0:  # at least one unit of ratio, so noise does not look like a trend
        mid = 0.5 * (lo + hi)
        lo, hi = mid - 0.5, mid + 0.5
    return max(lo, 0.0), hi


def standards(fits: list[xr.Dataset], element: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(ratios, valences) of the element's calibration standards, by ratio; None without any."""
    for fit in fits:
        if "standard_ratio" not in fit or element not in [str(e) for e in fit["element"].values]:
            continue
        r = fit["standard_ratio"].sel(element=element).values
        v = fit["standard_valence"].sel(element=element).values
        ok = np.isfinite(r) & np.isfinite(v)
        if ok.sum() >= 2:
            order = np.argsort(r[ok])
            return r[ok][order], v[ok][order]
    return None


def _piecewise(x, xs: np.ndarray, ys: np.ndarray):
    """Piecewise-linear y(x) through (xs, ys), xs increasing, extended linearly beyond both ends."""
    x = np.asarray(x, dtype=float)
    y = np.interp(x, xs, ys)
    lo_slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    hi_slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
    y = np.where(x < xs[0], ys[0] + lo_slope * (x - xs[0]), y)
    return np.where(x > xs[-1], ys[-1] + hi_slope * (x - xs[-1]), y)


def add_valence_axis(ax, ratios: np.ndarray, valences: np.ndarray, element: str):
    """A right-hand axis giving the valence of each L3/L2 by the calibration standards."""
    forward = lambda r: _piecewise(r, ratios, valences)  # noqa: E731
    order = np.argsort(valences)
    inverse = lambda v: _piecewise(v, valences[order], ratios[order])  # noqa: E731
    sec = ax.secondary_yaxis("right", functions=(forward, inverse))
    sec.set_ylabel(f"{element} valence (standards)")
    return sec


def has_thickness(fits: list[xr.Dataset]) -> bool:
    """True when any fit carries t/λ from low-loss spectra."""
    return any(
        "t_over_lambda" in f and np.any(np.isfinite(f["t_over_lambda"].values)) for f in fits
    )


def _used(fit: xr.Dataset) -> np.ndarray:
    """Positions that entered the bulk/interface means (all without the variable)."""
    if "used_in_means" not in fit:
        return np.ones(fit.sizes["distance"], bool)
    return np.asarray(fit["used_in_means"].values).astype(bool)


def draw_ratios(ax, fit: xr.Dataset, el: str, x: np.ndarray, color: str, offset: float) -> tuple:
    """One sample's L3/L2 of one element, positions left out of the means as open circles;
    returns the ratios and stderrs of the positions used (for the axis limits)."""
    t = float(fit.attrs.get("sintering_temperature_C", math.nan))
    ratio = fit["L3_L2"].sel(element=el).values
    err = fit["L3_L2_stderr"].sel(element=el).values
    ok = np.isfinite(ratio)
    ax.errorbar(
        x[ok] + offset,
        ratio[ok],
        yerr=err[ok],
        fmt="o-",
        ms=2.5,
        lw=0.8,
        elinewidth=0.6,
        capsize=0,
        color=color,
        label=temperature_label(t, fit.attrs.get("label")),
    )
    out = ok & ~_used(fit)
    if out.any():
        ax.plot(x[out] + offset, ratio[out], "o", ms=3.5, mfc="white", mec=color, mew=0.8, zorder=3)
    used = ok & _used(fit)  # the axis limits follow the positions that count
    return ratio[used], err[used]


def draw_thickness(ax, fits: list[xr.Dataset], x_all: list, colors: dict) -> None:
    """t/λ against distance from the interface and the limit for the means."""
    for fit, x in zip(fits, x_all):
        if "t_over_lambda" not in fit:
            continue
        t = float(fit.attrs.get("sintering_temperature_C", math.nan))
        tau = fit["t_over_lambda"].values
        ok = np.isfinite(tau)
        ax.errorbar(
            x[ok],
            tau[ok],
            yerr=fit["t_over_lambda_stderr"].values[ok],
            fmt="s-",
            ms=2.2,
            lw=0.7,
            elinewidth=0.5,
            capsize=0,
            color=colors[t],
        )
    limit = max((float(f.attrs.get("max_t_over_lambda", 0.5)) for f in fits), default=0.5)
    ax.axhline(limit, color="0.3", lw=0.7, ls="--")
    ax.text(
        0.98,
        limit,
        f" left out above {limit:g}",
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=7,
        color="0.3",
    )
    ax.set_ylim(bottom=0.0)
    ax.set_ylabel("t/λ")


def label_regions(ax, bulk: float) -> None:
    """'bulk' and 'interface' above the top panel."""
    style = {"transform": ax.get_xaxis_transform(), "va": "bottom", "fontsize": 7, "color": "0.35"}
    ax.text(-bulk, 1.0, " bulk ", ha="right", **style)
    ax.text(0.0, 1.0, "interface", ha="center", **style)


def l3l2_profiles(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """L3/L2 against distance from the interface, a panel per element, a series per sample;
    t/λ in a bottom panel when low-loss spectra were given (open circles: positions left out
    of the bulk/interface means as too thick)."""
    usable = [
        f
        for f in fits
        if "interface_position_nm" in f and math.isfinite(float(f["interface_position_nm"].values))
    ]
    usable.sort(key=lambda f: float(f.attrs.get("sintering_temperature_C", math.nan)))
    elements = panel_elements(usable) or ["Co"]
    thick = has_thickness(usable)
    colors = temperature_colors([f.attrs.get("sintering_temperature_C", 0.0) for f in usable])
    rows = len(elements) + int(thick)
    fig, axes = new_figure(
        "single",
        height_ratio=0.42 * len(elements) + 0.25 * int(thick) + 0.12,
        nrows=rows,
        ncols=1,
        sharex=True,
        gridspec_kw={"height_ratios": [1.0] * len(elements) + [0.6] * int(thick)},
    )
    axes = np.atleast_1d(axes)
    window = max((float(f.attrs.get("interface_window_nm", 5.0)) for f in usable), default=5.0)
    bulk = min((float(f.attrs.get("bulk_distance_nm", 20.0)) for f in usable), default=20.0)
    x_all = [
        np.asarray(f["distance"].values) - float(f["interface_position_nm"].values) for f in usable
    ]
    has_ratio = [np.any(np.isfinite(f["L3_L2"].values), axis=1) for f in usable]
    x_lo = min((x.min() for x in x_all), default=-60.0)
    x_hi = max((x[r].max() for x, r in zip(x_all, has_ratio) if r.any()), default=60.0)
    for ax in axes:
        ax.axvspan(-window, window, color="0.88", lw=0, zorder=0)
        ax.axvspan(x_lo - 5, -bulk, color="0.95", lw=0, zorder=0)
        ax.axvline(0.0, color="0.5", lw=0.6, ls=":", zorder=1)
    for ax, el in zip(axes, elements):
        shown, shown_err = [], []
        for k, (fit, x) in enumerate(zip(usable, x_all)):
            if el not in [str(e) for e in fit["element"].values]:
                continue
            t = float(fit.attrs.get("sintering_temperature_C", math.nan))
            offset = (k - (len(usable) - 1) / 2) * 0.5  # series apart: error bars do not overlap
            ratio, err = draw_ratios(ax, fit, el, x, colors[t], offset)
            b = float(fit["L3_L2_bulk"].sel(element=el).values)
            if math.isfinite(b):
                ax.hlines(b, x_lo - 5, -bulk, color=colors[t], lw=0.8, ls="--")
            shown.append(ratio)
            shown_err.append(err)
        ax.set_ylim(*_y_limits(shown, shown_err))
        ax.set_ylabel(f"{el} L$_3$/L$_2$")
        cal = standards(usable, el)
        if cal is not None:
            add_valence_axis(ax, *cal, el)
        ax.text(0.02, 0.95, el, transform=ax.transAxes, ha="left", va="top", fontweight="bold")
    if thick:
        draw_thickness(axes[-1], usable, x_all, colors)
    label_regions(axes[0], bulk)
    axes[-1].set_xlim(x_lo - 3, x_hi + 3)
    axes[-1].set_xlabel("distance from interface (nm)  (film ← → LATP)")
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        axes[0].legend(
            handles, labels, loc="upper left", bbox_to_anchor=(0.07, 1.0), handlelength=1.5
        )
    if not usable:
        axes[0].text(
            0.5, 0.5, "no line with an interface", transform=axes[0].transAxes, ha="center"
        )
    return save_figure(fig, stem, metadata)
