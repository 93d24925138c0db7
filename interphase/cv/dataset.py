"""The CV fit dataset: the analysed cycle's curves, the peak and couple tables, the noise."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

from interphase.cv.couples import Couple
from interphase.cv.detection import DetectionLimit
from interphase.cv.peaks import Peak
from interphase.datasets import variable


@dataclass(frozen=True)
class Curves:
    """The analysed cycle, point by point (current densities in A cm-2)."""

    potential: np.ndarray
    time: np.ndarray
    j: np.ndarray
    j_smooth: np.ndarray
    baseline: np.ndarray
    branch: np.ndarray  # 1 anodic, -1 cathodic, 0 not analysed


@dataclass(frozen=True)
class Noise:
    """The current-density noise of each branch and the prominence threshold (A cm-2)."""

    anodic: float
    cathodic: float
    threshold: float

    @property
    def value(self) -> float:
        """The noise used: the larger branch value (a spiky branch must not lend a quiet one's)."""
        return max(self.anodic, self.cathodic)


@dataclass(frozen=True)
class Detection:
    """What the cycle shows: every peak, the couples, the peaks without a partner, the limit."""

    peaks: list[Peak]
    couples: list[Couple]
    unpaired: list[Peak]
    limit: DetectionLimit


def curve_variables(c: Curves) -> dict[str, xr.Variable]:
    """The point-wise variables of the analysed cycle."""
    return {
        "potential": variable("point", c.potential, "V", "working electrode potential"),
        "time": variable("point", c.time, "s", "time"),
        "j": variable("point", c.j, "A cm-2", "current density (raw)"),
        "j_smooth": variable(
            "point", c.j_smooth, "A cm-2", "current density, Savitzky-Golay smoothed"
        ),
        "baseline": variable(
            "point", c.baseline, "A cm-2", "background current density (linear baseline)"
        ),
        "branch": variable(
            "point", c.branch, "1", "sweep branch: 1 anodic, -1 cathodic, 0 not analysed"
        ),
    }


def noise_variables(noise: Noise) -> dict[str, xr.Variable]:
    """The noise estimates and the prominence threshold."""
    return {
        "noise": variable(
            (),
            noise.value,
            "A cm-2",
            "robust white-noise estimate of the current density (larger branch value)",
        ),
        "noise_anodic": variable((), noise.anodic, "A cm-2", "noise estimate of the anodic branch"),
        "noise_cathodic": variable(
            (), noise.cathodic, "A cm-2", "noise estimate of the cathodic branch"
        ),
        "prominence_threshold": variable(
            (), noise.threshold, "A cm-2", "smallest peak prominence counted"
        ),
    }


def peak_variables(found: Detection) -> dict[str, xr.Variable]:
    """The table of every peak found (in order of acquisition), along ``peak``."""
    peaks = sorted(found.peaks, key=lambda pk: pk.index)
    directions = np.array([pk.direction for pk in peaks], dtype=np.int8)
    return {
        "peak_potential": variable("peak", [pk.potential for pk in peaks], "V", "peak potential"),
        "peak_potential_stderr": variable(
            "peak",
            [pk.potential_stderr for pk in peaks],
            "V",
            "standard error of the peak potential (parabola vertex)",
        ),
        "peak_direction": variable("peak", directions, "1", "1 anodic, -1 cathodic"),
        "peak_height": variable(
            "peak",
            [pk.height for pk in peaks],
            "A cm-2",
            "peak current density above baseline (magnitude)",
        ),
        "peak_prominence": variable(
            "peak", [pk.prominence for pk in peaks], "A cm-2", "peak prominence"
        ),
        "peak_charge": variable(
            "peak",
            [pk.charge for pk in peaks],
            "C cm-2",
            "charge under the peak above baseline (magnitude)",
        ),
        "peak_couple": variable(
            "peak",
            np.array([couple_of(pk, found.couples) for pk in peaks], dtype=np.int32),
            "1",
            "index of the couple the peak belongs to, -1 for none",
        ),
        "peak_unpaired": variable(
            "peak",
            np.array([pk in found.unpaired for pk in peaks], dtype=np.int8),
            "1",
            "1 when the peak passes the gates but has no partner (reported on its own)",
        ),
    }


def couple_of(peak: Peak, couples: list[Couple]) -> int:
    """The index of the couple holding ``peak``, -1 for none."""
    for k, c in enumerate(couples):
        if peak in (c.anodic, c.cathodic):
            return k
    return -1


def detection_variables(limit: DetectionLimit) -> dict[str, xr.Variable]:
    """The detection limit and the measured sweep rate it uses."""
    return {
        "peak_charge_detection_limit": variable(
            (),
            limit.charge,
            "C cm-2",
            "smallest peak charge the data would have shown (see interphase.cv.detection)",
            gate=limit.gate,
            reference_fwhm_V=limit.fwhm,
        ),
        "scan_rate_measured": variable(
            (), limit.scan_rate, "V s-1", "median |dE/dt| of the analysed sweeps"
        ),
    }


def couple_variables(couples: list[Couple], noise: float) -> dict[str, xr.Variable]:
    """The table of the couples, along ``couple``."""
    a = [c.anodic for c in couples]
    k = [c.cathodic for c in couples]

    def snr(peaks: list[Peak]) -> list[float]:
        """Prominence over noise (inf without noise)."""
        return [pk.prominence / noise if noise > 0 else math.inf for pk in peaks]

    def var(values, unit: str, long_name: str) -> xr.Variable:
        """A variable along ``couple``."""
        return variable("couple", values, unit, long_name)

    pairs = list(zip(a, k))
    return {
        "E_pa": var([x.potential for x in a], "V", "anodic peak potential"),
        "E_pa_stderr": var(
            [x.potential_stderr for x in a], "V", "standard error of E_pa (parabola vertex)"
        ),
        "E_pc": var([x.potential for x in k], "V", "cathodic peak potential"),
        "E_pc_stderr": var(
            [x.potential_stderr for x in k], "V", "standard error of E_pc (parabola vertex)"
        ),
        "E_half_stderr": var(
            [0.5 * math.hypot(x.potential_stderr, y.potential_stderr) for x, y in pairs],
            "V",
            "standard error of E_half",
        ),
        "delta_Ep_stderr": var(
            [math.hypot(x.potential_stderr, y.potential_stderr) for x, y in pairs],
            "V",
            "standard error of delta_Ep",
        ),
        "E_half": var(
            [(x.potential + y.potential) / 2 for x, y in pairs],
            "V",
            "half-wave potential (E_pa + E_pc)/2",
        ),
        "delta_Ep": var(
            [x.potential - y.potential for x, y in pairs], "V", "peak separation E_pa - E_pc"
        ),
        "j_pa": var([x.height for x in a], "A cm-2", "anodic peak current density above baseline"),
        "j_pc": var(
            [-y.height for y in k],
            "A cm-2",
            "cathodic peak current density above baseline (negative)",
        ),
        "Q_pa": var([x.charge for x in a], "C cm-2", "anodic peak charge"),
        "Q_pc": var([y.charge for y in k], "C cm-2", "cathodic peak charge"),
        "snr_pa": var(snr(a), "1", "anodic peak prominence / noise"),
        "snr_pc": var(snr(k), "1", "cathodic peak prominence / noise"),
        "couple_passes": var(
            np.array([c.passes for c in couples], dtype=np.int8),
            "1",
            "1 when both peaks pass prominence and charge criteria",
        ),
        "couple_flagged": var(
            np.array([bool(c.flags) for c in couples], dtype=np.int8),
            "1",
            "1 when a passing couple is wide, weak or unbalanced (couple_note says which)",
        ),
        "couple_note": var(
            np.array(["; ".join(c.flags) for c in couples], dtype=object),
            "1",
            "why the couple is flagged (empty when it is not)",
        ),
    }


def build_fit(clean: xr.Dataset, curves: Curves, noise: Noise, found: Detection) -> xr.Dataset:
    """The fit dataset: analysed cycle's curves, the peak and couple tables, noise, limit."""
    n, n_peaks, n_couples = curves.potential.size, len(found.peaks), len(found.couples)
    ds = xr.Dataset(
        {
            **curve_variables(curves),
            **noise_variables(noise),
            **detection_variables(found.limit),
            **peak_variables(found),
            **couple_variables(found.couples, noise.value),
        },
        coords={
            "point": variable("point", np.arange(n), "1", "point index in the analysed cycle"),
            "peak": variable("peak", np.arange(n_peaks), "1", "peak index"),
            "couple": variable("couple", np.arange(n_couples), "1", "redox couple index"),
        },
    )
    ds.attrs = dict(clean.attrs)
    return ds


def failed_fit(clean: xr.Dataset, p: dict, reason: str, analysis: str) -> xr.Dataset:
    """A fit dataset that carries no number, only the reason."""
    ds = xr.Dataset(
        {"redox_peaks_detected": variable((), math.nan, "1", "1 when a redox couple is found")}
    )
    ds.attrs = {
        **clean.attrs,
        "status": "failed",
        "status_note": reason,
        "analysis": analysis,
        **{f"param_{k}": v for k, v in p.items()},
    }
    return ds
