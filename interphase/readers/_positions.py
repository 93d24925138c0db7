"""Positions along a line of spectra stored one file a position (EMSA folders).

First found wins, for every spectrum of the line:

1. a user header key ``##POSITION`` or ``##DISTANCE`` with a length unit suffix
   (``##POSITION -nm: 12.0``; nm, um/µm, A (Å), mm);
2. a number with a length unit at the end of the file name (``pos_012.5nm.msa``);
3. the standard ``#XPOSITION``/``#YPOSITION`` stage keys (mm unless suffixed), as the distance
   from the first spectrum in name order.

A spectrum is anything with ``path`` (a Path) and ``header`` (NAME -> (value, unit)).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from interphase.errors import ReadError
from interphase.readers import _text

_NAME_POSITION = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(nm|um|µm|μm)(?![a-z])", re.IGNORECASE)


def positions(spectra: list) -> tuple[np.ndarray, str]:
    """Distance along the line (nm) of each spectrum and where it came from."""
    header = [header_position(s) for s in spectra]
    if all(h is not None for h in header):
        out = np.array(header, dtype=float)
        source = "header ##POSITION"
    else:
        named = [name_position(s.path) for s in spectra]
        if all(n is not None for n in named):
            out = np.array(named, dtype=float)
            source = "file name"
        else:
            stage = [stage_position(s) for s in spectra]
            if not all(p is not None for p in stage):
                missing = next(
                    s.path
                    for s, h, n, p in zip(spectra, header, named, stage)
                    if h is None and n is None and p is None
                )
                raise ReadError(
                    missing,
                    "header and file name",
                    "a position: '##POSITION -nm: 12.0' in the header "
                    "or a length in the name ('pos_012.5nm.msa')",
                    "neither",
                )
            ref = np.array(stage[0])
            out = np.array([float(np.hypot(*(np.array(p) - ref))) for p in stage])
            source = "stage #XPOSITION/#YPOSITION"
    seen: dict[float, Path] = {}
    for s, d in zip(spectra, out):
        key = round(float(d), 6)
        if key in seen:
            raise ReadError(
                s.path, "position", "one spectrum a position", f"{d:g} nm also in {seen[key].name}"
            )
        seen[key] = s.path
    return out, source


def header_position(spectrum) -> float | None:
    """Distance in nm from a '##POSITION' or '##DISTANCE' header key with a length unit."""
    for key in ("POSITION", "DISTANCE"):
        if key in spectrum.header:
            value, unit = spectrum.header[key]
            number = _text.loose_number(value)
            factor = _text.length_nm(unit)
            if number is None or factor is None:
                raise ReadError(
                    spectrum.path,
                    f"##{key}",
                    "a number with a length unit ('##POSITION -nm: 12.0')",
                    f"{value!r} unit {unit!r}",
                )
            return number * factor
    return None


def name_position(path: Path) -> float | None:
    """Distance in nm from the last 'number+unit' in the file name (pos_012.5nm.msa -> 12.5)."""
    matches = _NAME_POSITION.findall(path.stem)
    if not matches:
        return None
    number, unit = matches[-1]
    return float(number) * _text.LENGTH_TO_NM[unit.lower()]


def stage_position(spectrum) -> tuple[float, float] | None:
    """(x, y) stage position in nm from #XPOSITION/#YPOSITION (EMSA: mm unless suffixed)."""
    out = []
    for key in ("XPOSITION", "YPOSITION"):
        value, unit = spectrum.header.get(key, ("", ""))
        number = _text.loose_number(value) if value else None
        factor = _text.length_nm(unit or "mm")
        if number is None or factor is None:
            return None
        out.append(number * factor)
    return out[0], out[1]
