"""XRD comparison figure: scans stacked by sintering temperature, reference ticks, impurity peaks marked."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.figures import style

# Tick colours of the expected phases (grey shades: the temperatures own the colours).
PHASE_TICK_COLORS = ("0.15", "0.5", "0.7")
OFFSET_STEP = 1.15  # vertical distance between stacked scans, in units of a normalised scan
TICK_ROW = 0.22  # height of one row of reference ticks


def formula_tex(name: str) -> str:
    """A phase name with the digits of its chemical formula as subscripts (Co3O4 → Co$_3$O$_4$); NMC111 as is."""
    if name.startswith("NMC") or name in ("unassigned", "?"):
        return name
    return re.sub(r"(?<=[A-Za-z)])(\d+(?:\.\d+)?)", r"$_{\1}$", name)


def _scaled(fit: xr.Dataset) -> np.ndarray:
    """√intensity above its minimum, scaled to 0-1 (√ shows weak peaks next to strong ones)."""
    y = np.sqrt(np.clip(np.asarray(fit["intensity"].values, dtype=float), 0, None))
    y = y - np.nanmin(y)
    top = np.nanmax(y)
    return y / top if top > 0 else y


def _wavelength_label(fits: list[xr.Dataset]) -> str:
    """'Cu Kα' when every scan is Cu, else the Kα1 wavelengths."""
    anodes = {str(f.attrs.get("anode", "")) for f in fits}
    if len(anodes) == 1 and anodes.pop():
        return f"{fits[0].attrs.get('anode')} Kα"
    waves = sorted({float(f.attrs.get("wavelength_ka1_angstrom", np.nan)) for f in fits})
    return "λ = " + ", ".join(f"{w:.4f} Å" for w in waves)


def xrd_stack(fits: list[xr.Dataset], stem: Path, metadata: dict) -> list[Path]:
    """Scans stacked by sintering temperature (√ intensity), expected-phase ticks below, impurities marked."""
    usable = [f for f in fits if f.attrs.get("status") != "failed" and "peak_two_theta" in f]
    usable.sort(key=lambda f: float(f.attrs.get("sintering_temperature_C", np.nan)))
    fig, ax = style.new_figure("single", height_ratio=1.05)
    if not usable:
        ax.text(0.5, 0.5, "no XRD scan could be analysed", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return style.save_figure(fig, stem, metadata)
    colors = style.temperature_colors([f.attrs["sintering_temperature_C"] for f in usable])
    xmin = min(float(f["two_theta"].min()) for f in usable)
    xmax = max(float(f["two_theta"].max()) for f in usable)
    for i, fit in enumerate(usable):
        t = float(fit.attrs["sintering_temperature_C"])
        offset = i * OFFSET_STEP
        y = _scaled(fit) + offset
        x = fit["two_theta"].values
        ax.plot(x, y, color=colors[t], lw=0.6)
        ax.text(xmax - 0.01 * (xmax - xmin), offset + 0.55, style.temperature_label(t, fit.attrs.get("label")),
                color=colors[t], ha="right", va="bottom", fontsize=style.FONT_PT - 1)
        imp = np.flatnonzero(fit["peak_phase"].values.astype(str) == "impurity")
        for k in imp:
            px = float(fit["peak_two_theta"].values[k])
            py = float(np.interp(px, x, y))
            ax.plot(px, py + 0.06, marker="v", ms=3.5, color="crimson", mec="none", zorder=5)
            name = formula_tex(str(fit["peak_candidate"].values[k]) or "?")
            ax.text(px, py + 0.11, name, rotation=90, ha="center", va="bottom", fontsize=7, color="crimson")
    # Reference ticks of the expected phases, one row a phase, from the first usable fit.
    ref = usable[0]
    phases = list(dict.fromkeys(ref["reference_phase"].values.astype(str)))
    for r, phase in enumerate(phases):
        sel = ref["reference_phase"].values.astype(str) == phase
        pos = ref["reference_two_theta"].values[sel]
        rel = ref["reference_intensity"].values[sel]
        base = -(r + 1) * TICK_ROW - 0.05
        color = PHASE_TICK_COLORS[r % len(PHASE_TICK_COLORS)]
        ax.vlines(pos, base, base + TICK_ROW * (0.35 + 0.6 * rel / 100.0), color=color, lw=0.6)
        ax.text(-0.01, base + 0.5 * TICK_ROW, formula_tex(phase), fontsize=style.FONT_PT - 1, color=color,
                ha="right", va="center", transform=ax.get_yaxis_transform())
    ax.plot([], [], ls="none", marker="v", color="crimson", ms=3.5, label="impurity peak (best library match)")
    ax.legend(loc="upper left", handletextpad=0.2, borderaxespad=0.3)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(-(len(phases) + 0.3) * TICK_ROW - 0.05, (len(usable) - 1) * OFFSET_STEP + 1.45)
    ax.set_yticks([])
    ax.set_xlabel(f"2θ (°, {_wavelength_label(usable)})")
    ax.set_ylabel("√intensity (normalised, offset)")
    return style.save_figure(fig, stem, metadata)
