"""EELS method figure: one example spectrum per element with the white-line analysis drawn on it.

For each element (a panel each) the spectrum with the highest edge signal-to-noise among the
fits given is shown with its power-law background (fitted in the shaded pre-edge window),
Pearson's double-step continuum (steps at the L3 and L2 maxima, heights 2:1, scaled to the
post-edge window) and the L3 and L2 integration windows, the integrated white-line areas
filled. A reader can check the windows and the step against a real spectrum at a glance.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.figures.style import FONT_PT, new_figure, save_figure, temperature_label

# Panel order as in the L3/L2 figure: the contract's elements first.
ELEMENT_ORDER = ("Co", "Mn", "Ni", "Fe", "Ti", "Cu")
# Okabe & Ito (2008) colour-blind-safe colours: https://jfly.uni-koeln.de/color/.
L3_COLOR, L2_COLOR, WINDOW_COLOR = "#0072B2", "#D55E00", "0.85"


def best_examples(fits: list[xr.Dataset]) -> dict[str, tuple[xr.Dataset, int]]:
    """Per element: the fit and element index whose example spectrum has the highest edge SNR."""
    best: dict[str, tuple[float, xr.Dataset, int]] = {}
    for fit in fits:
        if "example_intensity" not in fit or "element" not in fit.dims:
            continue
        for j, el in enumerate(fit["element"].values):
            el = str(el)
            if not np.any(np.isfinite(fit["example_intensity"].values[j])):
                continue
            snr = fit["edge_snr"].values[:, j] if "edge_snr" in fit else np.array([0.0])
            score = float(np.nanmax(snr)) if np.any(np.isfinite(snr)) else -math.inf
            if el not in best or score > best[el][0]:
                best[el] = (score, fit, j)
    order = [el for el in ELEMENT_ORDER if el in best] + sorted(set(best) - set(ELEMENT_ORDER))
    return {el: (best[el][1], best[el][2]) for el in order}


def _window(fit: xr.Dataset, name: str, j: int) -> tuple[float, float]:
    """(start, end) of one analysis window of element j (eV)."""
    return float(fit[f"window_{name}_start"].values[j]), float(fit[f"window_{name}_end"].values[j])


def _example_ratio(fit: xr.Dataset, j: int) -> tuple[float, float]:
    """L3/L2 and its stderr at the example spectrum's position."""
    x = float(fit["example_distance"].values[j])
    i = int(np.argmin(np.abs(fit["distance"].values - x)))
    return float(fit["L3_L2"].values[i, j]), float(fit["L3_L2_stderr"].values[i, j])


def draw_panel(ax, fit: xr.Dataset, j: int, element: str) -> None:
    """One element's example spectrum, background, continuum and windows on ``ax``."""
    energy = np.asarray(fit["energy_loss"].values, dtype=float)
    y = fit["example_intensity"].values[j]
    bg = fit["example_background"].values[j]
    cont = fit["example_continuum"].values[j]
    shown = np.isfinite(y)
    e, y, bg, cont = energy[shown], y[shown], bg[shown], cont[shown]
    scale = 1e3 if np.nanmax(y) > 5e3 else 1.0
    pre, l3, l2, post = (_window(fit, w, j) for w in ("pre", "l3", "l2", "post"))
    for (lo, hi), label in ((pre, "pre"), (post, "post")):
        ax.axvspan(lo, hi, color=WINDOW_COLOR, lw=0, zorder=0)
        ax.text(
            (lo + hi) / 2,
            0.98,
            label,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=FONT_PT - 1,
            color="0.35",
        )
    for (lo, hi), color, label in ((l3, L3_COLOR, "L$_3$"), (l2, L2_COLOR, "L$_2$")):
        inside = (e >= lo) & (e < hi)
        ax.fill_between(
            e[inside],
            cont[inside] / scale,
            y[inside] / scale,
            color=color,
            alpha=0.35,
            lw=0,
            label=f"{label} area",
        )
        ax.axvline(lo, color=color, lw=0.5, ls=":")
        ax.axvline(hi, color=color, lw=0.5, ls=":")
        ax.text(
            (lo + hi) / 2,
            0.98,
            label,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="top",
            fontsize=FONT_PT - 1,
            color=color,
        )
    ax.plot(e, y / scale, color="black", lw=0.7, label="spectrum")
    ax.plot(e, bg / scale, color="0.4", lw=0.9, ls="--", label="power-law background")
    ax.plot(e, cont / scale, color="#009E73", lw=1.0, label="background + double step (2:1)")
    ratio, err = _example_ratio(fit, j)
    t = float(fit.attrs.get("sintering_temperature_C", math.nan))
    where = (
        temperature_label(t, fit.attrs.get("label") or fit.attrs.get("sample"))
        if math.isfinite(t)
        else str(fit.attrs.get("sample", ""))
    )
    text = f"{element} L$_{{2,3}}$\n{where}, x = {float(fit['example_distance'].values[j]):.0f} nm"
    if math.isfinite(ratio):
        text += f"\nL$_3$/L$_2$ = {ratio:.2f} ± {err:.2f}"
    ax.text(0.98, 0.80, text, transform=ax.transAxes, ha="right", va="top", fontsize=FONT_PT - 1)
    ax.set_xlim(pre[0], post[1])
    lo_y = (
        np.nanmin(bg[(e >= post[0]) & (e < post[1])])
        if np.any((e >= post[0]) & (e < post[1]))
        else np.nanmin(y)
    )
    ax.set_ylim(0.85 * min(lo_y, np.nanmin(y)) / scale, 1.08 * np.nanmax(y) / scale)
    ax.set_xlabel("Energy loss (eV)")
    ax.set_ylabel("Intensity (10$^3$ counts)" if scale > 1 else "Intensity (counts)")


def method_figure(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """An example spectrum per element with power-law background, Pearson steps and windows."""
    examples = best_examples(fits)
    n = max(len(examples), 1)
    fig, axes = new_figure(
        "single" if n == 1 else "double",
        height_ratio=0.62 if n == 1 else 0.36,
        nrows=1,
        ncols=n,
        squeeze=False,
    )
    for ax, (el, (fit, j)) in zip(axes[0], examples.items()):
        draw_panel(ax, fit, j, el)
    if examples:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(handles), 5),
            fontsize=FONT_PT - 1,
        )
    else:
        axes[0][0].text(
            0.5, 0.5, "no L2,3 edge in any spectrum", transform=axes[0][0].transAxes, ha="center"
        )
    return save_figure(fig, stem, metadata)
