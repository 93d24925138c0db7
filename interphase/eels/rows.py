"""Summary rows of an EELS fit: L3/L2 in the bulk and at the interface, valences, interface."""

from __future__ import annotations

import math

import xarray as xr

from interphase.summary import row


def _with(note: str, extra: str) -> str:
    """A row note with a line-level note appended."""
    return "; ".join(filter(None, [note, extra]))


def valence_rows(fit: xr.Dataset) -> list[dict]:
    """valence_bulk and valence_interface per element that has calibration standards."""
    out: list[dict] = []
    if "valence_bulk" not in fit:
        return out
    thickness = str(fit.attrs.get("thickness_note", ""))
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
            note = _with(note, thickness)
            out.append(
                row(quantity, value, "1", stderr=stderr, element=el, status=status, note=note)
            )
    return out


def ratio_rows(fit: xr.Dataset) -> list[dict]:
    """L3_L2_bulk and L3_L2_interface per element."""
    out: list[dict] = []
    thickness = str(fit.attrs.get("thickness_note", ""))
    for j, el in enumerate(fit["element"].values):
        status = str(fit["element_status"].values[j])
        note = str(fit["element_note"].values[j])
        for quantity in ("L3_L2_bulk", "L3_L2_interface"):
            value = float(fit[quantity].values[j])
            stderr = float(fit[f"{quantity}_stderr"].values[j])
            row_status = status if math.isfinite(value) else "failed"
            row_note = note if math.isfinite(value) or note else "no ratio at these positions"
            if math.isfinite(value):
                row_note = _with(row_note, thickness)
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
    status = str(fit.attrs.get("interface_status", "ok" if found else "failed"))
    note = str(fit.attrs.get("interface_note", ""))
    if not found:
        status = "failed"
        note = note or "the Mn+Co+Ni edge signal does not fall to half its plateau"
    if int(fit.attrs.get("line_reversed", 0)):
        note = _with(note, "line recorded from the electrolyte into the film: x from its film end")
    return row(
        "interface_position",
        position,
        "nm",
        stderr=float(fit["interface_position_nm_stderr"].values),
        status=status,
        note=note,
    )


def rows(fit: xr.Dataset) -> list[dict]:
    """L3_L2_bulk and L3_L2_interface per element, valences, and the interface position."""
    if fit.sizes.get("element", 0) == 0:
        return [
            row("L3_L2_bulk", None, "1", status="failed", note=fit.attrs.get("status_note", ""))
        ]
    return [*ratio_rows(fit), *valence_rows(fit), interface_row(fit)]
