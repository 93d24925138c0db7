"""Bruker / Siemens DIFFRAC ``.UXD`` text scans (XCH / DIFFRAC plus conversions, file versions 1-3).

Why our own parser: UXD is a short key=value text format; ``xylib-py`` reads it but ships
only as a C++ source package (2020) needing a compiler and SWIG. The layout followed is the
one documented in xylib's ``xylib/uxd.cpp`` (https://github.com/wojdyr/xylib) and seen in the
files: ``; comment`` lines, ``_KEY=value`` lines (values may be quoted ``'…'``) for the file
(before the first ``_DRIVE``) and for each range (from ``_DRIVE`` on), then a data keyword:

- ``_COUNTS`` / ``_CPS``: intensities only, several right-aligned per line; the angles are
  ``_START + i × _STEPSIZE``;
- ``_2THETACOUNTS`` / ``_2THETACPS``: ``2θ intensity`` pairs (TAB or space separated);
- ``_2THETACOUNTSTIME``: ``2θ counts time`` triples.

Counts per second are turned into counts with the counting time (``_STEPTIME`` s or the
time column); ``_WL1``/``_WL2``/``_WLRATIO``/``_ANODE`` give the wavelengths and anode.
Only the first range is read (``n_ranges_in_file``). Text is UTF-8, else cp1252 (the
Windows code page DIFFRAC writes); CRLF, CR and a missing final newline are fine; decimal
commas are accepted in data rows.
``scan_kind`` is ``"reflectivity"`` when the scan ends below 8° 2θ (``_THIN_FILM`` is not
used: thin-film attachments serve grazing-incidence diffraction too).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import wavelength_attrs, xrd_dataset
from interphase.errors import ReadError
from interphase.readers._text import decode, float_or, to_float

NAME = "bruker_uxd"
VERSION = "1"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

# Data keywords: name -> (has angle column, values are counts per second, has time column).
DATA_KEYS = {
    "_COUNTS": (False, False, False),
    "_CPS": (False, True, False),
    "_2THETACOUNTS": (True, False, False),
    "_2THETACPS": (True, True, False),
    "_2THETACOUNTSTIME": (True, False, True),
}


def sniff(path: Path, head: bytes) -> bool:
    """True when the first line that is not a '; comment' starts with _FILEVERSION, or a
    _DRIVE range header and a UXD data keyword are present."""
    text = head[:16384].decode("latin-1")
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if stripped.upper().startswith("_FILEVERSION"):
            return True
        break
    lines = {
        ln.strip().split("=", 1)[0].upper()
        for ln in text.splitlines()
        if ln.strip().startswith("_")
    }
    return "_DRIVE" in lines and "_START" in lines and bool(lines & set(DATA_KEYS))


def _value(text: str) -> str:
    """A header value without its quotes."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _float(header: dict, key: str, default: float = float("nan")) -> float:
    """A header value as float, ``default`` when absent or not a number."""
    return float_or(header.get(key), default)


def parse(path: Path, text: str) -> tuple[dict, dict, str, list[tuple[int, list[float]]], int]:
    """File header, first range header, its data keyword, rows (line number, values), ranges."""
    file_header: dict[str, str] = {}
    range_header: dict[str, str] = {}
    data_key = ""
    rows: list[tuple[int, list[float]]] = []
    n_ranges = 0
    state = "file"
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if stripped.startswith("_"):
            key, _, value = stripped.partition("=")
            key = key.strip().upper()
            if key == "_DRIVE":
                n_ranges += 1
                state = "range" if n_ranges == 1 else "skip"
            if state == "skip":
                continue
            if key in DATA_KEYS and not value:
                if state == "data":
                    state = "skip"  # a second data block without _DRIVE: not part of range 1
                    continue
                data_key, state = key, "data"
                continue
            if state == "data":
                state = "skip"  # the range's data ended; any further keys belong to later ranges
                continue
            (file_header if state == "file" else range_header)[key] = _value(value)
            continue
        if state != "data":
            if state == "skip":
                continue
            raise ReadError(
                path, f"line {lineno}", "a '_KEY=value' line or a '; comment'", repr(stripped[:60])
            )
        try:
            rows.append((lineno, [to_float(v) for v in stripped.split()]))
        except ValueError:
            raise ReadError(
                path, f"line {lineno}", f"numbers of the {data_key} block", repr(stripped[:60])
            ) from None
    if not data_key:
        raise ReadError(path, "end of file", f"a data keyword ({', '.join(DATA_KEYS)})", "none")
    if not rows:
        raise ReadError(path, f"after {data_key}", "data rows", "none")
    return file_header, range_header, data_key, rows, max(n_ranges, 1)


def _columns(path: Path, data_key: str, rows: list[tuple[int, list[float]]], header: dict) -> tuple:
    """2θ, intensity values and time per point (or None) of the block."""
    has_angle, _, has_time = DATA_KEYS[data_key]
    if not has_angle:
        values = np.array([v for _, row in rows for v in row], dtype=float)
        start, step = _float(header, "_START"), _float(header, "_STEPSIZE")
        if not (np.isfinite(start) and np.isfinite(step) and step > 0):
            raise ReadError(
                path,
                "range header",
                "_START and a positive _STEPSIZE (for a _COUNTS block)",
                f"_START={header.get('_START')!r}, _STEPSIZE={header.get('_STEPSIZE')!r}",
            )
        return start + step * np.arange(values.size), values, None
    width = 3 if has_time else 2
    for lineno, row in rows:
        if len(row) != width:
            raise ReadError(
                path,
                f"line {lineno}",
                f"{width} numbers per row in the {data_key} block",
                str(len(row)),
            )
    table = np.array([row for _, row in rows], dtype=float)
    return table[:, 0], table[:, 1], (table[:, 2] if has_time else None)


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read the first range of a UXD file as the xrd layout."""
    path = Path(path)
    file_header, range_header, data_key, rows, n_ranges = parse(path, decode(path.read_bytes()))
    header = {**file_header, **range_header}
    two_theta, values, time = _columns(path, data_key, rows, header)
    if time is None:
        step_time = _float(header, "_STEPTIME")
        time = step_time if step_time > 0 else None
    ratio = _float(header, "_WLRATIO", 0.0)
    ka2 = _float(header, "_WL2")
    attrs = {
        **wavelength_attrs(_float(header, "_WL1"), ka2, ratio),
        "anode": header.get("_ANODE", ""),
        "uxd_file_version": header.get("_FILEVERSION", ""),
        "uxd_data_keyword": data_key,
        "file_sample": header.get("_SAMPLE", ""),
        "site": header.get("_SITE", ""),
        "user": header.get("_USER", ""),
        "start_time": header.get("_DATEMEASURED", ""),
        "scan_axis": header.get("_DRIVE", ""),
        "generator_kV": _float(header, "_KV"),
        "generator_mA": _float(header, "_MA"),
        "n_ranges_in_file": n_ranges,
        "scan_used": f"range 1 of {n_ranges}",
        "reader": NAME,
        "reader_version": VERSION,
    }
    declared = _float(header, "_STEPCOUNT")
    if np.isfinite(declared) and int(declared) != values.size:
        attrs["data_count_note"] = f"header _STEPCOUNT {int(declared)}, values read {values.size}"
    return xrd_dataset(two_theta, values, time, attrs, counts_are_cps=DATA_KEYS[data_key][1])
