"""Cyclic voltammograms of all samples, coloured by sintering temperature, peaks marked.

Panel (a) puts every sample on one current-density scale, so the 700 °C film's redox peaks
and the 900 °C film's flat, nearly featureless response are compared directly. Samples
whose current stays below :data:`MAGNIFY_BELOW` of the largest get panel (b), the same
data on their own scale, so that their (absent) peaks can be seen to be absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from interphase.figures.style import new_figure, save_figure, temperature_colors, temperature_label

MICRO = 1e6  # A cm-2 -> µA cm-2 for the axis
# A sample whose largest |j| is below this fraction of the largest sample's gets a magnified panel.
MAGNIFY_BELOW = 0.5


def usable(fits: list[xr.Dataset]) -> list[xr.Dataset]:
    """The fits that carry a voltammogram, in order of sintering temperature."""
    good = [f for f in fits if f.attrs.get("status") != "failed" and "j" in f]
    return sorted(good, key=lambda f: (float(f.attrs.get("sintering_temperature_C", np.nan)), f.attrs.get("sample", "")))


def span(fit: xr.Dataset) -> float:
    """The largest |j| of a fit (A cm-2), ignoring NaN."""
    j = np.asarray(fit["j"].values, dtype=float)
    return float(np.nanmax(np.abs(j))) if np.isfinite(j).any() else 0.0


def magnified(good: list[xr.Dataset]) -> list[xr.Dataset]:
    """The fits whose largest |j| is below MAGNIFY_BELOW of the largest one's (none when all are)."""
    largest = max((span(f) for f in good), default=0.0)
    weak = [f for f in good if span(f) < MAGNIFY_BELOW * largest]
    return weak if len(weak) < len(good) else []


def draw_cv(ax, fit: xr.Dataset, color, label: str | None) -> None:
    """One voltammogram (raw faint, smoothed solid) and its detected peaks (triangles, labelled)."""
    ax.plot(fit["potential"].values, fit["j"].values * MICRO, color=color, lw=0.4, alpha=0.35)
    ax.plot(fit["potential"].values, fit["j_smooth"].values * MICRO, color=color, lw=1.0, label=label)
    if "couple" not in fit.dims:
        return
    base = fit["baseline"].values
    e = fit["potential"].values
    branch = fit["branch"].values
    for k in np.flatnonzero(fit["couple_passes"].values):
        for name, height, sign, marker in (("E_pa", "j_pa", 1, "v"), ("E_pc", "j_pc", -1, "^")):
            ep = float(fit[name].values[k])
            on_branch = np.flatnonzero(branch == sign)
            i = on_branch[np.argmin(np.abs(e[on_branch] - ep))]
            y = (base[i] + float(fit[height].values[k])) * MICRO
            offset = 0.06 * sign * span(fit) * MICRO
            ax.plot([ep], [y + offset], marker=marker, color=color, ms=4, ls="none")
            ax.annotate(f"{name.replace('_', '$_{')}}}$ {ep:.2f} V", (ep, y + offset), textcoords="offset points",
                        xytext=(5, 0), ha="left", va="center", fontsize=7, color=color)


def cv_overlay(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """Current density vs potential for every sample, peaks marked; magnified panel for weak ones."""
    good = usable(fits)
    colors = temperature_colors([f.attrs.get("sintering_temperature_C", np.nan) for f in good]) if good else {}
    largest = max((span(f) for f in good), default=0.0)
    weak = magnified(good)
    if weak:
        fig, axes = new_figure("single", height_ratio=1.25, nrows=2, ncols=1, sharex=True)
        ax, ax_zoom = axes
    else:
        fig, ax = new_figure("single", height_ratio=0.8)
        ax_zoom = None
    if not good:
        ax.text(0.5, 0.5, "no CV analysed", ha="center", va="center", transform=ax.transAxes)
    for fit in good:
        t = float(fit.attrs.get("sintering_temperature_C", np.nan))
        label = temperature_label(t, fit.attrs.get("label") or fit.attrs.get("sample"))
        draw_cv(ax, fit, colors.get(t), label)
        if ax_zoom is not None and any(fit is w for w in weak):
            draw_cv(ax_zoom, fit, colors.get(t), None)
    cycles = sorted({int(f.attrs.get("cycle_analysed", 0)) for f in good} - {0})
    rates = sorted({float(f.attrs.get("scan_rate_V_s", np.nan)) * 1e3 for f in good if np.isfinite(float(f.attrs.get("scan_rate_V_s", np.nan)))})
    title = []
    if cycles:
        title.append("cycle " + ", ".join(str(c) for c in cycles))
    if rates:
        title.append(", ".join(f"{r:g}" for r in rates) + " mV s$^{-1}$")
    for a in [ax] + ([ax_zoom] if ax_zoom is not None else []):
        a.margins(y=0.12)
        a.axhline(0.0, color="0.6", lw=0.4, zorder=0)
        a.set_ylabel("j (µA cm$^{-2}$)")
    bottom = ax_zoom if ax_zoom is not None else ax
    bottom.set_xlabel("E (V vs Li/Li$^+$)")
    if good:
        ax.legend(loc="upper left", title=", ".join(title) if title else None, title_fontsize=7)
    if ax_zoom is not None:
        factor = largest / max(max(span(f) for f in weak), 1e-30)
        names = ", ".join(str(f.attrs.get("label") or f.attrs.get("sample")) for f in weak)
        ax_zoom.text(0.02, 0.95, f"{names} magnified (×{factor:.0f}): no redox peaks" if not any(
            int(np.nan_to_num(f["redox_peaks_detected"].values)) for f in weak) else f"{names} magnified (×{factor:.0f})",
            transform=ax_zoom.transAxes, ha="left", va="top", fontsize=7)
        ax.text(0.99, 0.03, "(a)", transform=ax.transAxes, ha="right", va="bottom")
        ax_zoom.text(0.99, 0.03, "(b)", transform=ax_zoom.transAxes, ha="right", va="bottom")
    return save_figure(fig, stem, metadata)
