"""EDX line profiles of every sample, aligned at the interface, with their erf fits.

One panel column per sintering temperature (the panel is the temperature, so colours
here are per element, the same element the same colour in every panel). Majority
elements (O, tens of at%) get a short top row of their own so that the minority cations
keep their resolution in the bottom row. The interdiffusion band, interface +- half the
mean transition-metal width, is shaded in the sample's temperature colour; where the widths
were corrected for probe and beam broadening the corrected mean is printed too. Elements
fitted with the two-sided erf (:mod:`interphase.edx.profile`) are marked in the legend.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.lines import Line2D

from interphase.figures import style

# Element colours: Okabe & Ito (2008) colour-blind-safe palette, https://jfly.uni-koeln.de/color/.
ELEMENT_COLORS = {
    "O": "#555555",
    "Al": "#56B4E9",
    "P": "#D55E00",
    "Ti": "#E69F00",
    "Mn": "#CC79A7",
    "Co": "#0072B2",
    "Ni": "#009E73",
}
_FALLBACK = ("#000000", "#F0E442", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF")
# An element whose largest value exceeds this multiple of the median element maximum goes to
# the top row.
MAJOR_FACTOR = 2.5


def element_colors(elements: list[str]) -> dict[str, str]:
    """A colour per element: the fixed palette first, then fallbacks in order of appearance."""
    out, spare = {}, iter(_FALLBACK * 4)
    for el in elements:
        out[el] = ELEMENT_COLORS.get(el) or next(spare)
    return out


def ordered_elements(fits: list[xr.Dataset]) -> list[str]:
    """Every element of the fits, in the order first seen."""
    out: list[str] = []
    for fit in fits:
        for el in fit["element"].values:
            if str(el) not in out:
                out.append(str(el))
    return out


def major_elements(fits: list[xr.Dataset], elements: list[str]) -> list[str]:
    """Elements far more abundant than the rest (drawn in a row of their own)."""
    peak = {}
    for el in elements:
        values = [
            style.finite(fit["composition"].sel(element=el).values)
            for fit in fits
            if el in fit["element"].values
        ]
        values = [v for v in values if v.size]
        peak[el] = max(float(np.percentile(np.abs(v), 95)) for v in values) if values else 0.0
    typical = float(np.median(list(peak.values()))) if peak else 0.0
    major = [el for el in elements if typical > 0 and peak[el] > MAJOR_FACTOR * typical]
    return major if len(major) < len(elements) else []


def mean_film_width(fit: xr.Dataset, name: str = "interdiffusion_width") -> tuple[float, float]:
    """Mean width (``name``: raw or _corrected) of the film elements that gave one, with stderr."""
    film = [e.strip() for e in str(fit.attrs.get("film_elements", "")).split(",") if e.strip()]
    widths, errors = [], []
    if name not in fit:
        return math.nan, math.nan
    for i, el in enumerate(fit["element"].values):
        if (
            str(el) in film
            and str(fit["element_status"].values[i]) != "failed"
            and math.isfinite(float(fit[name].values[i]))
        ):
            widths.append(float(fit[name].values[i]))
            errors.append(float(fit[f"{name}_stderr"].values[i]))
    if not widths:
        return math.nan, math.nan
    return float(np.mean(widths)), float(math.sqrt(np.nansum(np.square(errors))) / len(errors))


def _draw(ax, fit: xr.Dataset, elements: list[str], colors: dict[str, str], offset: float) -> None:
    """Measured points and fitted curves of the given elements on one axis."""
    x = np.asarray(fit["distance"].values, dtype=float) - offset
    for el in elements:
        if el not in fit["element"].values:
            continue
        i = list(map(str, fit["element"].values)).index(el)
        measured = fit["composition"].sel(element=el).values
        ax.plot(x, measured, "o", ms=1.8, mew=0, alpha=0.55, color=colors[el])
        if str(fit["element_status"].values[i]) != "failed":
            ax.plot(x, fit["composition_fit"].sel(element=el).values, "-", lw=1.1, color=colors[el])


def edx_profiles(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """Profiles and erf fits of all elements, a panel a temperature, aligned at the interface."""
    fits = sorted(
        fits,
        key=lambda f: (
            float(f.attrs.get("sintering_temperature_C", math.nan)),
            str(f.attrs.get("sample", "")),
        ),
    )
    elements = ordered_elements(fits)
    colors = element_colors(elements)
    major = major_elements(fits, elements)
    minor = [el for el in elements if el not in major]
    rows = [major, minor] if major else [minor]
    ncols = max(1, len(fits))
    fig, axes = style.new_figure(
        "double",
        height_ratio=0.5 if major else 0.38,
        nrows=len(rows),
        ncols=ncols,
        sharex=True,
        sharey="row",
        squeeze=False,
        gridspec_kw={"height_ratios": [1, 2.2]} if major else None,
    )
    temps = style.temperature_colors(
        [float(f.attrs.get("sintering_temperature_C", math.nan)) for f in fits]
    )
    kind = (
        str(fits[0].attrs.get("composition_kind", "atomic_percent")) if fits else "atomic_percent"
    )
    ylabel = "Composition (at.%)" if kind == "atomic_percent" else "Counts"
    for col, fit in enumerate(fits):
        temperature = float(fit.attrs.get("sintering_temperature_C", math.nan))
        interface = float(fit["interface_position_nm"].values)
        offset = interface if math.isfinite(interface) else 0.0
        width, width_err = mean_film_width(fit)
        title = style.temperature_label(
            temperature, str(fit.attrs.get("label", fit.attrs.get("sample", "")))
        )
        if not math.isfinite(interface):
            title += " (no interface found)"
        for r, row_elements in enumerate(rows):
            ax = axes[r][col]
            if math.isfinite(width) and math.isfinite(interface):
                ax.axvspan(
                    -width / 2, width / 2, color=temps.get(temperature, "0.8"), alpha=0.16, lw=0
                )
            ax.axvline(0.0, color="0.3", lw=0.6, ls="--")
            _draw(ax, fit, row_elements, colors, offset)
        axes[0][col].set_title(title, color=temps.get(temperature, "black"))
        corrected, corrected_err = mean_film_width(fit, "interdiffusion_width_corrected")
        if math.isfinite(width):
            label = f"shaded: TM 10–90 % width\n{width:.1f} ± {width_err:.1f} nm"
            if math.isfinite(corrected):
                label += f"\nprobe/beam removed:\n{corrected:.1f} ± {corrected_err:.1f} nm"
            axes[-1][col].text(
                0.03,
                0.96,
                label,
                transform=axes[-1][col].transAxes,
                ha="left",
                va="top",
                fontsize=style.FONT_PT - 1,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0},
            )
        axes[-1][col].set_xlabel("Distance from interface (nm)")
    fig.supylabel(ylabel, fontsize=style.FONT_PT)
    handles = []
    fitted = {
        str(el)
        for fit in fits
        for i, el in enumerate(fit["element"].values)
        if str(fit["element_status"].values[i]) != "failed"
    }
    two_sided = {
        str(el)
        for fit in fits
        if "profile_model" in fit
        for i, el in enumerate(fit["element"].values)
        if str(fit["profile_model"].values[i]) == "two-sided erf"
    }
    for el in elements:
        label = el if el in fitted else f"{el} (no step)"
        if el in two_sided:
            label += " (two-sided erf)"
        handles.append(
            Line2D(
                [],
                [],
                color=colors[el],
                marker="o",
                ms=3,
                lw=1.1 if el in fitted else 0,
                label=label,
            )
        )
    handles.append(Line2D([], [], color="0.3", lw=0.6, ls="--", label="interface"))
    fig.legend(handles=handles, loc="outside right center", handlelength=1.6)
    return style.save_figure(fig, stem, metadata)
