"""Builder of the ``xrd`` layout (a 2θ scan): counts, counts per second, wavelengths."""

from __future__ import annotations

import numpy as np
import xarray as xr

from interphase.datasets.core import variable

# Below this end angle a 2θ scan is X-ray reflectivity, not diffraction (deg): Bragg peaks
# of battery materials with Cu Kα lie above ~15°.
REFLECTIVITY_MAX_2THETA = 8.0


def wavelength_attrs(ka1: float, ka2: float, ratio: float) -> dict:
    """The wavelength attributes of the xrd layout; Kα2 NaN and ratio 0 when Kα1 only."""
    mono = not (ratio > 0 and ka2 > 0)
    return {
        "wavelength_ka1_angstrom": ka1,
        "wavelength_ka2_angstrom": float("nan") if mono else ka2,
        "ka2_ka1_ratio": 0.0 if mono else ratio,
    }


def counting_time(time_s, shape: tuple[int, ...]) -> np.ndarray | None:
    """Counting time per point (s) broadcast to the scan, None unless every value is > 0."""
    if time_s is None:
        return None
    time = np.broadcast_to(np.asarray(time_s, dtype=float), shape)
    return time if np.all(np.isfinite(time) & (time > 0)) else None


def xrd_dataset(
    two_theta: np.ndarray,
    counts: np.ndarray,
    time_s: np.ndarray | float | None,
    attrs: dict,
    *,
    counts_are_cps: bool = False,
    esd: np.ndarray | None = None,
    intensity_long_name: str = "diffracted intensity",
) -> xr.Dataset:
    """The xrd layout from 2θ (deg), counts (or cps) and the counting time per point (s).

    Sorts by 2θ and drops repeated angles (first kept); adds ``intensity_cps`` where the
    time is known; sets ``counting_time_s`` and ``scan_kind`` (``reflectivity`` below 8° or
    when ``attrs`` says so, else ``powder``).
    """
    two_theta = np.asarray(two_theta, dtype=float)
    values = np.asarray(counts, dtype=float)
    time = counting_time(time_s, values.shape)
    order = np.argsort(two_theta, kind="stable")
    two_theta, values = two_theta[order], values[order]
    keep = np.concatenate([[True], np.diff(two_theta) > 0])
    two_theta, values = two_theta[keep], values[keep]
    if time is not None:
        time = time[order][keep]
    if counts_are_cps:
        cps = values
        intensity = values * time if time is not None else values
    else:
        intensity = values
        cps = values / time if time is not None else None
    data_vars = {"intensity": variable("two_theta", intensity, "count", intensity_long_name)}
    if cps is not None:
        long_name = "diffracted intensity per second"
        data_vars["intensity_cps"] = variable("two_theta", cps, "count s-1", long_name)
    if esd is not None:
        esd = np.asarray(esd, dtype=float)[order][keep]
        long_name = "standard uncertainty of the intensity"
        data_vars["intensity_esd"] = variable("two_theta", esd, "count", long_name)
    out = dict(attrs)
    out.setdefault("wavelength_ka1_angstrom", float("nan"))
    out.setdefault("wavelength_ka2_angstrom", float("nan"))
    out.setdefault("ka2_ka1_ratio", float("nan"))
    out.setdefault("anode", "")
    out["counting_time_s"] = float(np.median(time)) if time is not None else float("nan")
    reflectivity = bool(two_theta.size and two_theta.max() < REFLECTIVITY_MAX_2THETA)
    marked = out.get("scan_kind") == "reflectivity"
    out["scan_kind"] = "reflectivity" if reflectivity or marked else "powder"
    coords = {"two_theta": variable("two_theta", two_theta, "degree", "diffraction angle 2θ")}
    return xr.Dataset(data_vars, coords=coords, attrs=out)
