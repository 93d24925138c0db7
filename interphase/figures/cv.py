"""Cyclic voltammograms of all samples, coloured by sintering temperature, peaks marked.

Panel (a) puts every sample on one current-density scale, so the 700 °C film's redox peaks
and the 900 °C film's flat, nearly featureless response are compared directly. Samples
whose current stays below :data:`MAGNIFY_BELOW` of the largest get panel (b), the same
data on their own scale, so that their (absent) peaks can be seen to be absent; there the
detection limit says how large a peak would have had to be. Couples are filled triangles
labelled with their potentials; a peak without a partner is an open triangle. The potential
axis names the reference electrode of the fits (each sample's when they differ).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from interphase.figures.style import new_figure, save_figure, temperature_colors, temperature_label
from interphase.reference import axis_reference

MICRO = 1e6  # A cm-2 -> µA cm-2 for the axis
MILLI = 1e3  # C cm-2 -> mC cm-2 for the detection limit
# A sample whose largest |j| is below this fraction of the largest sample's gets a magnified panel.
MAGNIFY_BELOW = 0.5
# Marker offset from the peak, as a fraction of the sample's current span.
MARKER_OFFSET = 0.06
# Peaks beyond this fraction of the potential window are labelled on their left (stay inside).
LABEL_LEFT_OF = 0.7


def temperature(fit: xr.Dataset) -> float:
    """The sintering temperature of a fit (NaN when unknown)."""
    return float(fit.attrs.get("sintering_temperature_C", np.nan))


def name(fit: xr.Dataset) -> str:
    """The display name of a fit's sample."""
    return str(fit.attrs.get("label") or fit.attrs.get("sample"))


def usable(fits: list[xr.Dataset]) -> list[xr.Dataset]:
    """The fits that carry a voltammogram, in order of sintering temperature."""
    good = [f for f in fits if f.attrs.get("status") != "failed" and "j" in f]
    return sorted(good, key=lambda f: (temperature(f), f.attrs.get("sample", "")))


def span(fit: xr.Dataset) -> float:
    """The largest |j| of a fit (A cm-2), ignoring NaN."""
    j = np.asarray(fit["j"].values, dtype=float)
    return float(np.nanmax(np.abs(j))) if np.isfinite(j).any() else 0.0


def magnified(good: list[xr.Dataset]) -> list[xr.Dataset]:
    """The fits whose largest |j| is under MAGNIFY_BELOW of the largest one's (none if all are)."""
    largest = max((span(f) for f in good), default=0.0)
    weak = [f for f in good if span(f) < MAGNIFY_BELOW * largest]
    return weak if len(weak) < len(good) else []


def marked_peaks(fit: xr.Dataset) -> list[tuple[str, float, float, bool]]:
    """(name, E_p, j_p above baseline, unpaired) of every peak the summary reports."""
    out = []
    if "couple" in fit.dims:
        for k in np.flatnonzero(fit["couple_passes"].values):
            out.append(("E_pa", float(fit["E_pa"].values[k]), float(fit["j_pa"].values[k]), False))
            out.append(("E_pc", float(fit["E_pc"].values[k]), float(fit["j_pc"].values[k]), False))
    if "peak_unpaired" in fit:
        for k in np.flatnonzero(fit["peak_unpaired"].values):
            direction = int(fit["peak_direction"].values[k])
            height = float(fit["peak_height"].values[k]) * direction
            label = "E_pa" if direction > 0 else "E_pc"
            out.append((label, float(fit["peak_potential"].values[k]), height, True))
    return out


def draw_peak(ax, fit: xr.Dataset, peak: tuple[str, float, float, bool], color) -> None:
    """A triangle beside a peak (filled: in a couple, open: unpaired) and its potential."""
    label, ep, height, lonely = peak
    sign = 1 if label == "E_pa" else -1
    e, branch = fit["potential"].values, fit["branch"].values
    on_branch = np.flatnonzero(branch == sign)
    i = on_branch[np.argmin(np.abs(e[on_branch] - ep))]
    y = (fit["baseline"].values[i] + height) * MICRO + MARKER_OFFSET * sign * span(fit) * MICRO
    marker = "v" if sign > 0 else "^"
    face = "none" if lonely else color
    ax.plot([ep], [y], marker=marker, color=color, mfc=face, ms=4, ls="none")
    text = f"{label.replace('_', '$_{')}}}$ {ep:.2f} V" + (", unpaired" if lonely else "")
    right = ep > np.nanmin(e) + LABEL_LEFT_OF * (np.nanmax(e) - np.nanmin(e))
    ax.annotate(
        text,
        (ep, y),
        textcoords="offset points",
        xytext=(-5 if right else 5, 0),
        ha="right" if right else "left",
        va="center",
        fontsize=7,
        color=color,
    )


def draw_cv(ax, fit: xr.Dataset, color, label: str | None) -> None:
    """One voltammogram (raw faint, smoothed solid) and its reported peaks."""
    e = fit["potential"].values
    ax.plot(e, fit["j"].values * MICRO, color=color, lw=0.4, alpha=0.35)
    ax.plot(e, fit["j_smooth"].values * MICRO, color=color, lw=1.0, label=label)
    for peak in marked_peaks(fit):
        draw_peak(ax, fit, peak, color)


def legend_title(good: list[xr.Dataset]) -> str | None:
    """The cycles and scan rates drawn, for the legend title."""
    cycles = sorted({int(f.attrs.get("cycle_analysed", 0)) for f in good} - {0})
    rates = sorted(
        {
            float(f.attrs["scan_rate_V_s"]) * 1e3
            for f in good
            if np.isfinite(float(f.attrs.get("scan_rate_V_s", np.nan)))
        }
    )
    title = []
    if cycles:
        title.append("cycle " + ", ".join(str(c) for c in cycles))
    if rates:
        title.append(", ".join(f"{r:g}" for r in rates) + " mV s$^{-1}$")
    return ", ".join(title) if title else None


def zoom_text(weak: list[xr.Dataset], factor: float) -> str:
    """The magnified panel's caption: which samples, how much, and what was not found."""
    names = ", ".join(name(f) for f in weak)
    text = f"{names} magnified (×{factor:.0f})"
    if any(int(np.nan_to_num(f["redox_peaks_detected"].values)) for f in weak):
        return text
    limits = [
        float(f["peak_charge_detection_limit"]) * MILLI
        for f in weak
        if "peak_charge_detection_limit" in f
    ]
    limit = f" (detection limit {max(limits):.2g} mC cm$^{{-2}}$)" if limits else ""
    return f"{text}\nno redox peaks{limit}"


def cv_overlay(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """Current density vs potential of every sample, peaks marked; weak ones also magnified."""
    good = usable(fits)
    colors = temperature_colors([temperature(f) for f in good]) if good else {}
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
        t = temperature(fit)
        draw_cv(ax, fit, colors.get(t), temperature_label(t, name(fit)))
        if ax_zoom is not None and any(fit is w for w in weak):
            draw_cv(ax_zoom, fit, colors.get(t), None)
    for a in [ax] + ([ax_zoom] if ax_zoom is not None else []):
        a.margins(y=0.12)
        a.axhline(0.0, color="0.6", lw=0.4, zorder=0)
        a.set_ylabel("j (µA cm$^{-2}$)")
    bottom = ax_zoom if ax_zoom is not None else ax
    bottom.set_xlabel(f"E (V vs {axis_reference([f.attrs for f in good])})")
    if good:
        ax.legend(loc="upper left", title=legend_title(good), title_fontsize=7)
    if ax_zoom is not None:
        ax_zoom.margins(y=0.3)  # room for the two-line caption above the data
        largest = max(span(f) for f in good)
        factor = largest / max(max(span(f) for f in weak), 1e-30)
        ax_zoom.text(
            0.02,
            0.95,
            zoom_text(weak, factor),
            transform=ax_zoom.transAxes,
            ha="left",
            va="top",
            fontsize=7,
        )
        ax.text(0.99, 0.03, "(a)", transform=ax.transAxes, ha="right", va="bottom")
        ax_zoom.text(0.99, 0.03, "(b)", transform=ax_zoom.transAxes, ha="right", va="bottom")
    return save_figure(fig, stem, metadata)
