"""Impedance figures: area-normalised Nyquist plots and R_ct × area against DC potential.

Nyquist: one panel per sample (sintering temperature), each on its own equal-aspect
scale, because the 900 °C charge-transfer arc is a few hundred times larger than the
700 °C one and would shrink the latter to a dot on a shared axis. Colour is the sample's
temperature colour; the DC potentials are shades of it (light = low potential) with
their own marker; measured points are markers, the fitted circuit a line. A last panel
puts every sample at one common potential (closest to 4.0 V) on the scale of the smallest
spectrum: the electrolyte and grain-boundary parts, similar in all samples, are seen side by
side, and the larger charge-transfer arcs leave the panel.

R_ct vs potential: R_ct × area on a log axis with its standard error, one series per
temperature; flagged fits as open markers, failed ones left out.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import xarray as xr

from interphase.figures.style import new_figure, save_figure, temperature_colors, temperature_label
from interphase.reference import axis_reference

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">")
# Lightest shade (fraction of the way from white to the temperature colour), lowest potential.
LIGHTEST = 0.35
# The comparison panel shows every sample at the common DC potential closest to this (V).
COMPARE_AT_V = 4.0
# Height of a panel's legend row and axis labels, as a fraction of the figure width.
PANEL_EXTRA = 0.2
KILO = 1e3


def temperature(fit: xr.Dataset) -> float:
    """The sintering temperature of a fit (NaN when absent)."""
    return float(fit.attrs.get("sintering_temperature_C", np.nan))


def usable(fits: list[xr.Dataset]) -> list[xr.Dataset]:
    """Fits with a model, ordered by temperature, sample and DC potential."""
    good = [f for f in fits if f.attrs.get("status") != "failed" and "z_real_model" in f]
    return sorted(
        good,
        key=lambda f: (
            temperature(f),
            str(f.attrs.get("sample", "")),
            float(f.attrs.get("dc_potential_V", np.nan)),
        ),
    )


def by_sample(fits: list[xr.Dataset]) -> list[list[xr.Dataset]]:
    """The fits grouped by sample, in temperature order."""
    groups: dict[tuple, list[xr.Dataset]] = {}
    for fit in fits:
        groups.setdefault((temperature(fit), str(fit.attrs.get("sample", ""))), []).append(fit)
    return [groups[k] for k in sorted(groups)]


def shade(color, fraction: float) -> tuple:
    """``color`` blended with white: fraction 1 is the colour itself, 0 is white."""
    rgb = np.asarray(mcolors.to_rgb(color))
    return tuple(1.0 - fraction * (1.0 - rgb))


def shades(color, n: int) -> list[tuple]:
    """``n`` shades of ``color`` from light to full."""
    if n == 1:
        return [mcolors.to_rgb(color)]
    return [shade(color, LIGHTEST + (1 - LIGHTEST) * k / (n - 1)) for k in range(n)]


def area_of(fit: xr.Dataset) -> float:
    """The electrode area (cm²) used to normalise; 1 when unknown (axis then in ohm)."""
    area = float(fit.attrs.get("electrode_area_cm2", np.nan))
    return area if np.isfinite(area) and area > 0 else 1.0


def potential_label(fit: xr.Dataset) -> str:
    """Legend text for a spectrum: its DC potential."""
    e = float(fit.attrs.get("dc_potential_V", np.nan))
    text = f"{volts(e)} V" if np.isfinite(e) else str(fit.attrs.get("measurement", "?"))
    return text + (" (flagged)" if fit.attrs.get("status") == "flagged" else "")


def volts(e: float) -> str:
    """A potential with at least one decimal: 4 -> '4.0', 3.65 -> '3.65'."""
    text = f"{e:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def aspect(fits: list[xr.Dataset]) -> float:
    """Height / width of an equal-aspect Nyquist panel holding ``fits``."""
    x_max = max(float(np.max(f["z_real"].values)) * area_of(f) for f in fits)
    y_max = max(float(np.max(-f["z_imag"].values)) * area_of(f) for f in fits)
    return (1.12 * max(y_max, 0.0)) / (1.04 * x_max) if x_max > 0 else 0.5


def draw_spectra(ax, group: list[xr.Dataset], colors: list, scale: float, legend: bool) -> None:
    """Measured points and model curves of one sample's spectra, Z × area / scale."""
    for k, (fit, color) in enumerate(zip(group, colors)):
        a = area_of(fit) / scale
        ax.plot(
            fit["z_real"].values * a,
            -fit["z_imag"].values * a,
            ls="none",
            marker=MARKERS[k % len(MARKERS)],
            ms=2.6,
            mfc="none",
            mew=0.6,
            color=color,
            label=potential_label(fit) if legend else None,
        )
        ax.plot(
            fit["z_real_model"].values * a, -fit["z_imag_model"].values * a, color=color, lw=0.9
        )


def common_potential(groups: list[list[xr.Dataset]]) -> float:
    """The DC potential every sample was measured at that is closest to 4.0 V (NaN when none)."""
    sets = [{round(float(f.attrs.get("dc_potential_V", np.nan)), 3) for f in g} for g in groups]
    common = sorted(p for p in set.intersection(*sets) if np.isfinite(p)) if sets else []
    return min(common, key=lambda p: abs(p - COMPARE_AT_V)) if common else np.nan


def equal_axes(ax, x_max: float, y_max: float, unit: str) -> None:
    """Equal-aspect Nyquist axes from the origin, labelled in ``unit``."""
    ax.set_xlim(0, 1.04 * x_max)
    ax.set_ylim(0, 1.12 * y_max)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"Z′ × A ({unit})")
    ax.set_ylabel(f"−Z″ × A ({unit})")


def nyquist_overlay(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """Nyquist plots of Z × area: one equal-aspect panel per sample (potentials as shades of the
    sample's colour), and a last panel with every sample at one common potential on the scale
    of the smallest spectrum."""
    good = usable(fits)
    groups = by_sample(good)
    compare = common_potential(groups) if len(groups) > 1 else np.nan
    compared = (
        [
            next(f for f in g if round(float(f.attrs.get("dc_potential_V", np.nan)), 3) == compare)
            for g in groups
        ]
        if np.isfinite(compare)
        else []
    )
    smallest = (
        min(compared, key=lambda f: float(np.max(f["z_real"].values)) * area_of(f))
        if compared
        else None
    )
    ratios = [min(max(aspect(g), 0.2), 1.0) for g in groups] + (
        [min(max(aspect([smallest]), 0.2), 1.0)] if compared else []
    )
    ratios = ratios or [0.6]
    # Each panel: its equal-aspect box plus room for the legend row and the axis labels.
    fig, axes = new_figure(
        "single",
        height_ratio=sum(r + PANEL_EXTRA for r in ratios),
        nrows=len(ratios),
        ncols=1,
        gridspec_kw={"height_ratios": [r + PANEL_EXTRA for r in ratios]},
    )
    axes = np.atleast_1d(axes)
    colors = temperature_colors([temperature(f) for f in good]) if good else {}
    if not groups:
        axes[0].text(
            0.5,
            0.5,
            "no impedance spectrum fitted",
            ha="center",
            va="center",
            transform=axes[0].transAxes,
        )
    for ax, group in zip(axes, groups):
        t = temperature(group[0])
        x_max = max(float(np.max(f["z_real"].values)) * area_of(f) for f in group)
        y_max = max(float(np.max(-f["z_imag"].values)) * area_of(f) for f in group)
        scale = KILO if x_max >= 1e4 else 1.0
        unit = ("k" if scale == KILO else "") + (
            "Ω cm²" if all(area_of(f) != 1.0 for f in group) else "Ω"
        )
        tone = shades(colors.get(t, "k"), len(group))
        draw_spectra(ax, group, tone, scale, legend=True)
        equal_axes(ax, x_max / scale, max(y_max, 0.0) / scale, unit)
        legend = ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=min(len(group), 4),
            fontsize=7,
            handletextpad=0.2,
            columnspacing=0.9,
            borderaxespad=0.2,
            alignment="left",
            title=temperature_label(t, group[0].attrs.get("label") or group[0].attrs.get("sample")),
            title_fontproperties={"weight": "bold", "size": 7},
        )
        legend.get_title().set_color(colors.get(t))
    if compared:
        ax = axes[len(groups)]
        at = compared
        x_max = float(np.max(smallest["z_real"].values)) * area_of(smallest)
        for fit in at:
            t = temperature(fit)
            a = area_of(fit)
            label = temperature_label(t, fit.attrs.get("label") or fit.attrs.get("sample"))
            ax.plot(
                fit["z_real"].values * a,
                -fit["z_imag"].values * a,
                ls="none",
                marker="o",
                ms=2.6,
                mfc="none",
                mew=0.6,
                color=colors.get(t),
                label=label,
            )
            ax.plot(
                fit["z_real_model"].values * a,
                -fit["z_imag_model"].values * a,
                color=colors.get(t),
                lw=0.9,
            )
        y_max = float(np.max(-smallest["z_imag"].values)) * area_of(smallest)
        equal_axes(ax, x_max, y_max, "Ω cm²")
        ax.legend(
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=2,
            fontsize=7,
            handletextpad=0.2,
            borderaxespad=0.2,
            title=f"all samples at {volts(compare)} V, on the scale of the smallest",
            title_fontsize=7,
            alignment="left",
        )
    return save_figure(fig, stem, metadata)


def rct_vs_potential(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """R_ct × area against DC potential, log scale, error bars, one series per temperature."""
    good = sorted(
        [
            f
            for f in fits
            if f.attrs.get("status") != "failed"
            and "R_ct_area" in f
            and np.isfinite(float(f["R_ct_area"].values))
        ],
        key=lambda f: (
            temperature(f),
            str(f.attrs.get("sample", "")),
            float(f.attrs.get("dc_potential_V", np.nan)),
        ),
    )
    fig, ax = new_figure("single", height_ratio=0.75)
    colors = temperature_colors([temperature(f) for f in good]) if good else {}
    for group in by_sample(good):
        t = temperature(group[0])
        e = np.array([float(f.attrs.get("dc_potential_V", np.nan)) for f in group])
        r = np.array([float(f["R_ct_area"].values) for f in group])
        err = np.array(
            [
                float(f["R_ct_area_stderr"].values) if "R_ct_area_stderr" in f else np.nan
                for f in group
            ]
        )
        flagged = np.array([f.attrs.get("status") == "flagged" for f in group])
        color = colors.get(t)
        label = temperature_label(t, group[0].attrs.get("label") or group[0].attrs.get("sample"))
        ax.errorbar(
            e,
            r,
            yerr=np.where(np.isfinite(err), err, 0.0),
            color=color,
            lw=0.9,
            marker="none",
            capsize=2,
            elinewidth=0.7,
        )
        ax.plot(e[~flagged], r[~flagged], ls="none", marker="o", ms=4, color=color, label=label)
        if flagged.any():
            ax.plot(
                e[flagged],
                r[flagged],
                ls="none",
                marker="o",
                ms=4,
                mfc="white",
                color=color,
                label=f"{label}, flagged",
            )
    if not good:
        ax.text(0.5, 0.5, "no R_ct available", ha="center", va="center", transform=ax.transAxes)
    else:
        ax.set_yscale("log")
        lo, hi = (
            min(float(f["R_ct_area"].values) for f in good),
            max(float(f["R_ct_area"].values) for f in good),
        )
        ax.set_ylim(lo / 3, hi * 3)
        e_all = [float(f.attrs.get("dc_potential_V", np.nan)) for f in good]
        ax.set_xlim(np.nanmin(e_all) - 0.08, np.nanmax(e_all) + 0.08)
        ax.legend(loc="center right")
    ax.set_xlabel(f"DC potential vs {axis_reference([f.attrs for f in good])} (V)")
    ax.set_ylabel("$R_\\mathrm{ct}$ × A (Ω cm²)")
    return save_figure(fig, stem, metadata)
