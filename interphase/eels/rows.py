"""Summary rows of an EELS fit: L3/L2 in the bulk and at the interface, valences, interface."""

from __future__ import annotations

import math

import xarray as xr

from interphase.summary import row


def valence_rows(fit: xr.Dataset) -> list[dict]:
    """valence_bulk and valence_interface per element that has calibration standards."""
    out: list[dict] = []
    if "valence_bulk" not in fit:
        return out
    for j, el in enumerate(fit["element"].values):
        el = str(el)
        if f"valence_standards_{el}" not in fit.attrs:
            continue
        ratio_status = str(fit["element_status"].values[j])
        ratio_note = str(fit["element_note"].values[j])
        for quantity in ("valence_bulk", "valence_interface"):
            value = float(fit[quantity].values[j])
            status = str(fit[f"{quantity}_status"].values[j])
            note = str(fit[f"{quantity}_note"].values[j])
            if not math.isfinite(value):
                out.append(
                    row(quantity, None, "1", element=el, status="failed", note=ratio_note or note)
                )
                continue
            if ratio_status == "flagged":
                status, note = "flagged", "; ".join(filter(None, [ratio_note, note]))
            stderr = float(fit[f"{quantity}_stderr"].values[j])
            out.append(
                row(quantity, value, "1", stderr=stderr, element=el, status=status, note=note)
            )
    return out


def ratio_rows(fit: xr.Dataset) -> list[dict]:
    """L3_L2_bulk and L3_L2_interface per element."""
    out: list[dict] = []
    for j, el in enumerate(fit["element"].values):
        status = str(fit["element_status"].values[j])
        note = str(fit["element_note"].values[j])
        for quantity in ("L3_L2_bulk", "L3_L2_interface"):
            value = float(fit[quantity].values[j])
            stderr = float(fit[f"{quantity}_stderr"].values[j])
            row_status = status if math.isfinite(value) else "failed"
            row_note = note if math.isfinite(value) or note else "no ratio at these positions"
            out.append(
                row(
                    quantity,
                    value,
                    "1",
                    stderr=stderr,
                    element=str(el),
                    status=row_status,
                    note=row_note,
                )
            )
    return out


def interface_row(fit: xr.Dataset) -> dict:
    """The interface_position row (nm)."""
    position = float(fit["interface_position_nm"].values)
    found = math.isfinite(position)
    return row(
        "interface_position",
        position,
        "nm",
        stderr=float(fit["interface_position_nm_stderr"].values),
        status="ok" if found else "failed",
        note="" if found else "the Mn+Co+Ni edge signal does not fall to half its plateau",
    )


def rows(fit: xr.Dataset) -> list[dict]:
    """L3_L2_bulk and L3_L2_interface per element, valences, and the interface position."""
    if fit.sizes.get("element", 0) == 0:
        return [
            row("L3_L2_bulk", None, "1", status="failed", note=fit.attrs.get("status_note", ""))
        ]
    return [*ratio_rows(fit), *valence_rows(fit), interface_row(fit)]
