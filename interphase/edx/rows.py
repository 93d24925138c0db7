"""Summary rows of an EDX fit: a width per element (corrected too when set) and the interface."""

from __future__ import annotations

import math

import xarray as xr

from interphase.summary import row


def model_note(fit: xr.Dataset, i: int) -> str:
    """'two-sided erf (F-test p = ...): sigma_left ..., sigma_right ...' or '' for the erf."""
    if "profile_model" not in fit or str(fit["profile_model"].values[i]) != "two-sided erf":
        return ""
    left, right = (float(fit[k].values[i]) for k in ("sigma_left", "sigma_right"))
    p_value = float(fit["p_asymmetric"].values[i])
    return (
        f"two-sided erf (F-test p = {p_value:.2g}): "
        f"sigma_left {left:.3g} nm, sigma_right {right:.3g} nm"
    )


def width_row(fit: xr.Dataset, i: int) -> dict:
    """The interdiffusion_width row of element i."""
    status = str(fit["element_status"].values[i])
    note = "; ".join(filter(None, [str(fit["element_note"].values[i]), model_note(fit, i)]))
    failed = status == "failed"
    return row(
        "interdiffusion_width",
        None if failed else float(fit["interdiffusion_width"].values[i]),
        "nm",
        stderr=None if failed else float(fit["interdiffusion_width_stderr"].values[i]),
        element=str(fit["element"].values[i]),
        status=status,
        note=note,
    )


def corrected_row(fit: xr.Dataset, i: int, width: dict) -> dict:
    """The interdiffusion_width_corrected row of element i, given its width row."""
    value = float(fit["interdiffusion_width_corrected"].values[i])
    why = str(fit["correction_note"].values[i])
    ok = width["status"] != "failed" and math.isfinite(value)
    stderr = float(fit["interdiffusion_width_corrected_stderr"].values[i])
    return row(
        "interdiffusion_width_corrected",
        value if ok else None,
        "nm",
        stderr=stderr if ok else None,
        element=width["element"],
        status=width["status"] if ok else "failed",
        note=width["note"] if ok else (why or width["note"] or "no width"),
    )


def interface_row(fit: xr.Dataset) -> dict:
    """The interface_position row (nm)."""
    status = str(fit.attrs.get("interface_status", "failed"))
    failed = status == "failed"
    note = str(fit.attrs.get("interface_note", ""))
    if int(fit.attrs.get("line_reversed", 0)):
        reversed_note = "line recorded from the electrolyte into the film: x from its film end"
        note = "; ".join(filter(None, [note, reversed_note]))
    return row(
        "interface_position",
        None if failed else float(fit["interface_position_nm"].values),
        "nm",
        stderr=None if failed else float(fit["interface_position_nm_stderr"].values),
        status=status,
        note=note,
    )


def rows(fit: xr.Dataset) -> list[dict]:
    """interdiffusion_width (and _corrected when configured) per element, interface_position."""
    out = []
    corrected = bool(fit.attrs.get("broadening_correction", 0))
    corrected = corrected and "interdiffusion_width_corrected" in fit
    for i in range(fit.sizes.get("element", 0)):
        width = width_row(fit, i)
        out.append(width)
        if corrected:
            out.append(corrected_row(fit, i, width))
    out.append(interface_row(fit))
    return out
