"""The study's conclusion in one figure: every technique's headline number against temperature.

Four panels share the x axis (sintering temperature, °C): (a) R_ct × area on a log axis,
one series per DC potential; (b) the interdiffusion width, mean of the film's transition
metals; (c) the change of the L3/L2 white-line ratio from bulk to interface, per element;
(d) the number of XRD impurity peaks. Every plotted number is read from the summary table
(:func:`overview_values`), so the figure and summary.csv cannot disagree.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from interphase.figures.style import new_figure, save_figure, temperature_colors
from interphase.interface import FILM_METALS

POTENTIAL_MARKERS = ("o", "s", "^", "D", "v", "P")
ELEMENT_MARKERS = {"Co": "o", "Mn": "s", "Ni": "^"}


def _ok(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that carry a number (status ok or flagged)."""
    return frame[frame["status"].isin(["ok", "flagged"]) & frame["value"].notna()]


def rct_series(frame: pd.DataFrame) -> dict[float, pd.DataFrame]:
    """R_ct_area rows by DC potential: columns temperature, value, stderr (mean per temperature)."""
    rows = _ok(frame)[lambda f: f["quantity"] == "R_ct_area"]
    out = {}
    for potential, group in rows.groupby(rows["potential_V"].round(3)):
        out[float(potential)] = _per_temperature(group)
    return out


def width_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean interdiffusion width of the film's transition metals per temperature."""
    rows = _ok(frame)[
        lambda f: (f["quantity"] == "interdiffusion_width") & f["element"].isin(FILM_METALS)
    ]
    return _per_temperature(rows)


def ratio_change_series(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """L3/L2 at the interface minus bulk, per element: temperature, value, stderr."""
    rows = _ok(frame)
    out = {}
    for element in sorted(set(rows.loc[rows["quantity"] == "L3_L2_bulk", "element"])):
        records = []
        for (temperature, _sample), group in rows[rows["element"] == element].groupby(
            ["sintering_temperature_C", "sample"]
        ):
            bulk = group[group["quantity"] == "L3_L2_bulk"]
            interface = group[group["quantity"] == "L3_L2_interface"]
            if len(bulk) == 1 and len(interface) == 1:
                records.append(
                    {
                        "temperature": float(temperature),
                        "value": float(interface["value"].iloc[0] - bulk["value"].iloc[0]),
                        "stderr": math.hypot(
                            _nan0(interface["stderr"].iloc[0]), _nan0(bulk["stderr"].iloc[0])
                        ),
                    }
                )
        if records:
            out[element] = _per_temperature(
                pd.DataFrame(records).rename(columns={"temperature": "sintering_temperature_C"})
            )
    return out


def impurity_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Number of XRD impurity peaks per temperature (mean over scans of that temperature)."""
    rows = _ok(frame)[lambda f: f["quantity"] == "n_impurity_peaks"]
    return _per_temperature(rows)


def _nan0(value) -> float:
    """A float with NaN as 0 (an unknown uncertainty adds nothing)."""
    value = float(value)
    return 0.0 if math.isnan(value) else value


def _per_temperature(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean value per temperature, stderr combined as the root-mean-square over n / √n."""
    records = []
    for temperature, group in rows.groupby("sintering_temperature_C"):
        values = group["value"].astype(float).to_numpy()
        errors = np.array([_nan0(e) for e in group["stderr"]], dtype=float)
        records.append(
            {
                "temperature": float(temperature),
                "value": float(values.mean()),
                "stderr": float(np.sqrt(np.sum(errors**2)) / len(values)),
                "n": len(values),
            }
        )
    return pd.DataFrame(records, columns=["temperature", "value", "stderr", "n"])


def overview_values(frame: pd.DataFrame) -> dict:
    """Everything the overview plots, as tables: what the figure shows is exactly this."""
    return {
        "R_ct_area": rct_series(frame),
        "interdiffusion_width": width_series(frame),
        "L3_L2_change": ratio_change_series(frame),
        "n_impurity_peaks": impurity_series(frame),
    }


def build_overview(frame: pd.DataFrame):
    """The overview figure (not saved): four panels against sintering temperature."""
    values = overview_values(frame)
    temperatures = sorted(set(frame["sintering_temperature_C"].astype(float)))
    colors = temperature_colors(temperatures)
    fig, axes = new_figure("single", height_ratio=1.7, nrows=4, ncols=1, sharex=True)
    ax_rct, ax_width, ax_ratio, ax_xrd = axes

    for k, (potential, series) in enumerate(sorted(values["R_ct_area"].items())):
        marker = POTENTIAL_MARKERS[k % len(POTENTIAL_MARKERS)]
        ax_rct.plot(series["temperature"], series["value"], color="0.6", lw=0.8, zorder=1)
        _points(ax_rct, series, colors, marker, label=f"{potential:.1f} V")
    ax_rct.set_yscale("log")
    ax_rct.set_ylabel("R$_{ct}$ × A (Ω cm²)")
    if values["R_ct_area"]:
        _neutral_legend(ax_rct, title="DC potential", ncol=2, loc="best", title_fontsize=7)

    series = values["interdiffusion_width"]
    _points(ax_width, series, colors, "o")
    ax_width.set_ylabel("interdiffusion\nwidth (nm)")
    if len(series):
        top = float((series["value"] + series["stderr"]).max())
        ax_width.set_ylim(0, top * 1.3)
    ax_width.text(
        0.02,
        0.06,
        "10–90 %, mean of " + "/".join(FILM_METALS),
        transform=ax_width.transAxes,
        fontsize=7,
    )

    for element, series in values["L3_L2_change"].items():
        ax_ratio.plot(series["temperature"], series["value"], color="0.6", lw=0.8, zorder=1)
        _points(ax_ratio, series, colors, ELEMENT_MARKERS.get(element, "o"), label=element)
    ax_ratio.axhline(0, color="0.5", lw=0.5, ls=":")
    ax_ratio.set_ylabel("Δ(L$_3$/L$_2$)\ninterface − bulk")
    if values["L3_L2_change"]:
        _neutral_legend(ax_ratio, loc="upper left", ncol=3)

    series = values["n_impurity_peaks"]
    ax_xrd.bar(
        series["temperature"],
        series["value"],
        width=_bar_width(temperatures),
        color=[colors[t] for t in series["temperature"]],
        edgecolor="0.2",
        linewidth=0.4,
    )
    ax_xrd.set_ylabel("XRD impurity\npeaks")
    ax_xrd.set_ylim(0, max(1.0, float(series["value"].max()) if len(series) else 1.0) * 1.25)
    ax_xrd.yaxis.get_major_locator().set_params(integer=True)
    ax_xrd.set_xlabel("sintering temperature (°C)")
    ax_xrd.set_xticks(temperatures)
    margin = max(50.0, 0.25 * (max(temperatures) - min(temperatures))) if temperatures else 50.0
    if temperatures:
        ax_xrd.set_xlim(min(temperatures) - margin, max(temperatures) + margin)
    for letter, ax in zip("abcd", axes):
        ax.text(0.98, 0.92, f"({letter})", transform=ax.transAxes, ha="right", va="top")
    return fig


def _points(ax, series: pd.DataFrame, colors: dict, marker: str, label: str | None = None) -> None:
    """Temperature-coloured points with error bars."""
    if not len(series):
        return
    ax.errorbar(
        series["temperature"],
        series["value"],
        yerr=series["stderr"],
        fmt="none",
        ecolor="0.3",
        lw=0.8,
        zorder=2,
    )
    ax.scatter(
        series["temperature"],
        series["value"],
        c=[colors[t] for t in series["temperature"]],
        marker=marker,
        s=18,
        zorder=3,
        edgecolors="0.2",
        linewidths=0.4,
        label=label,
    )


def _neutral_legend(ax, **kwargs) -> None:
    """A legend whose markers are grey: colour stands for temperature, the marker for the series."""
    legend = ax.legend(**kwargs)
    for handle in legend.legend_handles:
        handle.set_facecolor("0.75")


def _bar_width(temperatures: list[float]) -> float:
    """Bar width: a third of the closest spacing of temperatures."""
    if len(temperatures) < 2:
        return 40.0
    return float(np.min(np.diff(temperatures))) / 3.0


def overview(frame: pd.DataFrame, stem: Path, metadata: dict) -> list[Path]:
    """Draw and save the overview figure (PDF and PNG)."""
    return save_figure(build_overview(frame), stem, metadata)
