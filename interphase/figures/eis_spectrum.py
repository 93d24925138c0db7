"""One figure per impedance spectrum: Nyquist with the fit, DRT under it, Bode, residuals.

Layout at single-column width, top to bottom: (a) Nyquist plot of Z × area on equal axes,
measured points and the fitted circuit, the R_ct arc's apex marked; (b) the DRT γ(τ) × area
on the same horizontal reading direction (short τ = high frequency on the left, as the
Nyquist plot's left end), its peaks labelled with their time constants; (c) Bode |Z| × area
and phase, measured and fitted; (d) residuals of the circuit fit and of lin-KK in percent of
|Z|, with the flag limit. Colour is the sample's temperature colour.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.figures.style import new_figure, save_figure, temperature_colors, temperature_label

KILO = 1e3
# Nyquist panel height relative to the figure width, within these limits.
NYQUIST_ASPECT = (0.3, 0.75)
GREY = "0.45"
# DRT peaks are labelled with their τ when at least this fraction of the panel's height and this far
# (decades) from a taller labelled peak.
LABEL_MIN_HEIGHT = 0.08
LABEL_MIN_DECADES = 0.8


def area_of(fit: xr.Dataset) -> tuple[float, str]:
    """The electrode area (cm²) and the unit of Z × area ('Ω' when the area is unknown)."""
    area = float(fit.attrs.get("electrode_area_cm2", math.nan))
    return (area, "Ω cm²") if math.isfinite(area) and area > 0 else (1.0, "Ω")


def title(fit: xr.Dataset) -> str:
    """Sample, temperature, DC potential and status of a fit."""
    t = float(fit.attrs.get("sintering_temperature_C", math.nan))
    name = fit.attrs.get("label") or fit.attrs.get("sample") or fit.attrs.get("measurement", "")
    text = temperature_label(t, name) if math.isfinite(t) else str(name)
    e = float(fit.attrs.get("dc_potential_V", math.nan))
    if math.isfinite(e):
        text += f", {e:.2f} V"
    status = fit.attrs.get("status", "")
    return text + (f" — {status}" if status and status != "ok" else "")


def seconds(tau: float) -> str:
    """A time constant with a readable unit: 1.2 µs, 34 ms, 5.6 s."""
    for factor, unit in ((1e-6, "µs"), (1e-3, "ms"), (1.0, "s")):
        if tau < 1000 * factor:
            return f"{number(tau / factor)} {unit}"
    return f"{number(tau)} s"


def number(value: float, digits: int = 2) -> str:
    """A number without exponent: 2 significant digits, or all integer digits above 10^digits."""
    if abs(value) >= 10**digits:
        return f"{value:,.0f}".replace(",", "\u2009")  # thin space as thousands separator
    return f"{value:.{digits}g}"


def nyquist(ax, fit: xr.Dataset, color) -> None:
    """Measured Z × area, fitted model, R_ct apex; equal axes."""
    area, unit = area_of(fit)
    x, y = fit["z_real"].values * area, -fit["z_imag"].values * area
    scale = KILO if max(np.max(x), np.max(y)) >= 1e4 else 1.0
    unit = ("k" if scale == KILO else "") + unit
    ax.plot(
        x / scale,
        y / scale,
        ls="none",
        marker="o",
        ms=2.4,
        mfc="none",
        mew=0.6,
        color=color,
        label="measured",
    )
    if "z_real_model" in fit:
        ax.plot(
            fit["z_real_model"].values * area / scale,
            -fit["z_imag_model"].values * area / scale,
            color="k",
            lw=0.8,
            label="fit",
        )
    if (
        "rct_apex_frequency" in fit
        and np.isfinite(float(fit["rct_apex_frequency"]))
        and "z_real_model" in fit
    ):
        fm = fit["frequency_model"].values
        k = int(np.argmin(np.abs(np.log(fm / float(fit["rct_apex_frequency"])))))
        ax.plot(
            fit["z_real_model"].values[k] * area / scale,
            -fit["z_imag_model"].values[k] * area / scale,
            marker="x",
            ms=5,
            color="k",
            ls="none",
            label=f"$R_\\mathrm{{ct}}$ apex ({float(fit['rct_apex_frequency']):.2g} Hz)",
        )
    x_max, y_max = float(np.max(x)) / scale, max(float(np.max(y)), 0.0) / scale
    ax.set_xlim(min(0.0, float(np.min(x)) / scale), 1.04 * x_max)
    ax.set_ylim(min(0.0, float(np.min(y)) / scale), 1.1 * y_max if y_max > 0 else 1.0)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"Z′ × A ({unit})")
    ax.set_ylabel(f"−Z″ × A ({unit})")
    if "R_ct_area" in fit and np.isfinite(float(fit["R_ct_area"])):
        err = float(fit["R_ct_area_stderr"]) if "R_ct_area_stderr" in fit else math.nan
        value = float(fit["R_ct_area"])
        text = (
            f"$R_\\mathrm{{ct}}$ × A = {number(value, 3)}"
            + (f" ± {number(err)}" if np.isfinite(err) else "")
            + " Ω cm²"
        )
    else:
        text = None
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=3,
        fontsize=7,
        handletextpad=0.3,
        columnspacing=0.8,
        borderaxespad=0.2,
        title=text,
        title_fontsize=7,
        alignment="left",
    )  # above the axes: never over the data


def drt_panel(ax, fit: xr.Dataset, color) -> None:
    """γ(τ) × area on a log τ axis, peaks labelled with τ."""
    area, unit = area_of(fit)
    if "drt_gamma" not in fit:
        ax.text(0.5, 0.5, "no DRT", ha="center", va="center", transform=ax.transAxes)
        return
    tau, gamma = fit["tau"].values, fit["drt_gamma"].values * area
    scale = KILO if np.max(gamma) >= 1e4 else 1.0
    f = fit["frequency"].values
    ax.fill_between(tau, gamma / scale, color=color, alpha=0.25, lw=0)
    ax.plot(tau, gamma / scale, color=color, lw=0.9)
    ax.set_xscale("log")
    ax.axvspan(tau.min(), 1 / (2 * math.pi * f.max()), color="0.92", lw=0)
    ax.axvspan(1 / (2 * math.pi * f.min()), tau.max(), color="0.92", lw=0)
    ax.set_xlim(tau.min(), tau.max())
    inside = (tau >= 1 / (2 * math.pi * f.max())) & (tau <= 1 / (2 * math.pi * f.min()))
    top = (
        float(np.max(gamma[inside] if inside.any() else gamma)) / scale
    )  # a tail's pile-up beyond the window is clipped
    ax.set_ylim(0, 1.25 * top if top > 0 else 1.0)
    labelled: list[float] = []
    peaks = sorted(
        zip(fit["drt_peak_tau"].values, fit["drt_peak_gamma"].values * area / scale),
        key=lambda p: -p[1],
    )
    for t, height in peaks:  # tallest first; small or crowded peaks stay unlabelled
        if height < LABEL_MIN_HEIGHT * top or any(
            abs(math.log10(t / u)) < LABEL_MIN_DECADES for u in labelled
        ):
            continue
        labelled.append(t)
        k = int(np.argmin(np.abs(np.log(tau / t))))
        ax.annotate(
            seconds(float(t)),
            (t, gamma[k] / scale),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_xlabel("τ (s)")
    ax.set_ylabel(f"γ × A ({'k' if scale == KILO else ''}{unit})")
    lam = float(fit["drt_lambda"]) if "drt_lambda" in fit else math.nan
    # above the frame, right-aligned: never over a peak label (the panel letter sits on the left)
    ax.set_title(
        f"DRT, λ = {lam:.1g} ({fit.attrs.get('drt_lambda_method', '')})",
        loc="right",
        fontsize=7,
        pad=2,
    )


def bode(ax, fit: xr.Dataset, color) -> None:
    """|Z| × area (log) and phase (twin axis), measured and fitted."""
    area, unit = area_of(fit)
    f = fit["frequency"].values
    z = fit["z_real"].values + 1j * fit["z_imag"].values
    ax.loglog(f, np.abs(z) * area, ls="none", marker="o", ms=2.0, mfc="none", mew=0.5, color=color)
    phase_ax = ax.twinx()
    phase_ax.semilogx(
        f, -np.degrees(np.angle(z)), ls="none", marker="s", ms=1.8, mfc="none", mew=0.5, color=GREY
    )
    if "z_real_model" in fit:
        fm = fit["frequency_model"].values
        zm = fit["z_real_model"].values + 1j * fit["z_imag_model"].values
        ax.loglog(fm, np.abs(zm) * area, color="k", lw=0.7)
        phase_ax.semilogx(fm, -np.degrees(np.angle(zm)), color=GREY, lw=0.7, ls="--")
    ax.set_xlabel("f (Hz)")
    ax.set_ylabel(f"|Z| × A ({unit})")
    phase_ax.set_ylabel("−phase (°)", color=GREY)
    phase_ax.tick_params(axis="y", colors=GREY, labelsize=7)
    phase_ax.set_ylim(-5, 95)


def residuals(ax, fit: xr.Dataset, color, limit: float | None) -> None:
    """Fit and lin-KK residuals (percent of |Z|) against frequency."""
    f = fit["frequency"].values
    if "residual_real" in fit:
        ax.semilogx(f, fit["residual_real"].values, color=color, lw=0.8, label="fit Z′")
        ax.semilogx(f, fit["residual_imag"].values, color=color, lw=0.8, ls="--", label="fit Z″")
    if "kk_residual_real" in fit:
        ax.semilogx(
            f,
            fit["kk_residual_real"].values,
            color=GREY,
            lw=0.0,
            marker="o",
            ms=1.8,
            mfc="none",
            mew=0.5,
            label="KK Z′",
        )
        ax.semilogx(
            f,
            fit["kk_residual_imag"].values,
            color=GREY,
            lw=0.0,
            marker="^",
            ms=1.8,
            mfc="none",
            mew=0.5,
            label="KK Z″",
        )
    if limit:
        for sign in (1, -1):
            ax.axhline(sign * limit, color="0.6", lw=0.5, ls=":")
    ax.axhline(0, color="0.75", lw=0.4)
    values = np.concatenate(
        [
            np.abs(fit[n].values)
            for n in ("residual_real", "residual_imag", "kk_residual_real", "kk_residual_imag")
            if n in fit
        ]
        or [np.zeros(1)]
    )
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    top = max(top, limit or 0.0, 0.5) * 1.2
    ax.set_ylim(-1.9 * top, 1.25 * top)  # room for the legend below the traces
    ax.set_xlabel("f (Hz)")
    ax.set_ylabel("residual (% of |Z|)")
    ax.legend(
        loc="lower left",
        ncol=2,
        fontsize=7,
        handlelength=1.4,
        columnspacing=0.8,
        handletextpad=0.3,
        borderaxespad=0.2,
    )


def nyquist_height(fit: xr.Dataset) -> float:
    """Height of the equal-aspect Nyquist panel relative to its width."""
    x, y = fit["z_real"].values, -fit["z_imag"].values
    ratio = (1.1 * max(float(np.max(y)), 0.0)) / (1.04 * float(np.max(x))) if np.max(x) > 0 else 0.5
    return min(max(ratio, NYQUIST_ASPECT[0]), NYQUIST_ASPECT[1])


def spectrum_figure(fit: xr.Dataset, stem: Path, metadata: dict) -> list[Path]:
    """Nyquist (equal axes, × area) with fit, DRT under it, Bode and residuals of one spectrum."""
    t = float(fit.attrs.get("sintering_temperature_C", math.nan))
    color = temperature_colors([t])[t] if math.isfinite(t) else "C0"
    ny = nyquist_height(fit) if "z_real" in fit and fit["z_real"].size else 0.5
    fig = new_figure("single", height_ratio=ny + 0.45 + 0.5 + 0.25)[0]
    fig.clf()
    grid = fig.add_gridspec(3, 2, height_ratios=[ny + 0.08, 0.45, 0.5])
    ax_ny = fig.add_subplot(grid[0, :])
    ax_drt = fig.add_subplot(grid[1, :])
    ax_bode = fig.add_subplot(grid[2, 0])
    ax_res = fig.add_subplot(grid[2, 1])
    heading = title(fit)
    if fit.attrs.get("status") == "flagged":
        heading += "\n" + textwrap.fill("flagged: " + str(fit.attrs.get("status_note", "")), 62)
    fig.suptitle(heading, fontsize=8 if "\n" not in heading else 7)
    if fit.attrs.get("status") == "failed" or "z_real" not in fit or fit["z_real"].size == 0:
        for ax in (ax_ny, ax_drt, ax_bode, ax_res):
            ax.set_axis_off()
        ax_ny.text(
            0.5,
            0.5,
            "fit failed:\n" + str(fit.attrs.get("status_note", "")),
            ha="center",
            va="center",
            transform=ax_ny.transAxes,
            wrap=True,
        )
        return save_figure(fig, stem, metadata)
    nyquist(ax_ny, fit, color)
    drt_panel(ax_drt, fit, color)
    bode(ax_bode, fit, color)
    limit = float(fit.attrs.get("kk_residual_limit_percent", 0) or 0) or None
    residuals(ax_res, fit, color, limit)
    for ax, letter in zip((ax_ny, ax_drt, ax_bode, ax_res), "abcd"):
        ax.text(
            -0.02,
            1.02,
            f"({letter})",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            fontweight="bold",
        )
    return save_figure(fig, stem, metadata)
