"""One figure style for the whole project: sizes, fonts, colours per temperature, saving.

Sizes follow common journal columns (Elsevier/ACS/RSC: single column about 85-90 mm,
double column about 170-180 mm); fonts are 8 pt at print size, never below 7 pt.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures are written to files, never shown

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from interphase.ncio import publish  # noqa: E402

MM = 1 / 25.4  # inches per millimetre
SINGLE_COLUMN_IN = 85 * MM
DOUBLE_COLUMN_IN = 175 * MM
FONT_PT = 8  # never below 7 pt anywhere (FONT_PT - 1): journal minimum at print size

# Sequential colour map ordered by temperature: cooler samples light-blue/green, hotter dark-purple.
TEMPERATURE_CMAP = "viridis_r"
# Keep the ends away from the map's extremes so every line stays visible on white.
_CMAP_RANGE = (0.15, 0.85)

RC = {
    "font.size": FONT_PT,
    "axes.labelsize": FONT_PT,
    "axes.titlesize": FONT_PT,
    "xtick.labelsize": FONT_PT - 1,
    "ytick.labelsize": FONT_PT - 1,
    "legend.fontsize": FONT_PT - 1,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.0,
    "lines.markersize": 3,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.frameon": False,
    "pdf.fonttype": 42,  # embed TrueType: text stays text in the PDF
    "svg.fonttype": "none",
    "savefig.dpi": 300,
    "figure.dpi": 150,
}


def apply_style() -> None:
    """Set the project's matplotlib defaults."""
    plt.rcParams.update(RC)


def temperature_colors(temperatures) -> dict[float, tuple]:
    """A colour for each sintering temperature, the same temperatures always the same colours.

    Colours are placed on the sequential map by temperature between 500 and 1100 °C (the
    range of co-sintering studies), so a given temperature keeps its colour in every figure
    and every study.
    """
    cmap = matplotlib.colormaps[TEMPERATURE_CMAP]
    lo, hi = 500.0, 1100.0
    out = {}
    for t in sorted(set(float(t) for t in temperatures)):
        frac = min(max((t - lo) / (hi - lo), 0.0), 1.0)
        out[t] = cmap(_CMAP_RANGE[0] + frac * (_CMAP_RANGE[1] - _CMAP_RANGE[0]))
    return out


def temperature_label(temperature_C: float, label: str | None = None) -> str:
    """Legend text for one sample: its label and its sintering temperature in °C."""
    t = f"{temperature_C:g} °C"
    return f"{label} ({t})" if label else t


def new_figure(
    width: str = "single", height_ratio: float = 0.75, nrows: int = 1, ncols: int = 1, **kwargs
):
    """A styled figure of journal width ('single' or 'double') and its axes."""
    apply_style()
    w = SINGLE_COLUMN_IN if width == "single" else DOUBLE_COLUMN_IN
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(w, w * height_ratio), constrained_layout=True, **kwargs
    )
    return fig, axes


def save_figure(fig, stem: str | Path, metadata: dict | None = None) -> list[Path]:
    """Write ``fig`` as ``stem.pdf`` (vector) and ``stem.png`` (300 dpi), atomically; close it.

    ``metadata`` (provenance: source checksums, version, commit) goes into the PDF info
    dictionary and the PNG text chunks.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    written = []
    for ext in ("pdf", "png"):
        target = stem.with_name(
            f"{stem.name}.{ext}"
        )  # not with_suffix: ids like "x_4.0V" contain dots
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".{ext}", dir=target.parent)
        os.close(fd)
        try:
            if ext == "pdf":
                pdf_meta = (
                    {"Creator": "interphase", "Subject": meta.pop("Subject", "")}
                    if meta
                    else {"Creator": "interphase"}
                )
                pdf_meta.update(
                    {k: v for k, v in meta.items() if k in ("Title", "Author", "Keywords")}
                )
                extra = {k: v for k, v in meta.items() if k not in pdf_meta}
                if extra:
                    pdf_meta["Keywords"] = "; ".join(f"{k}={v}" for k, v in extra.items())
                fig.savefig(tmp, format="pdf", metadata=pdf_meta)
            else:
                fig.savefig(tmp, format="png", metadata={"Software": "interphase", **meta})
            publish(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    plt.close(fig)
    return written


def finite(values) -> np.ndarray:
    """The values as a float array with non-finite entries removed."""
    arr = np.asarray(values, dtype=float)
    return arr[np.isfinite(arr)]
