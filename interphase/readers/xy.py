"""Plain two- or three-column 2θ scans (``.xy``, ``.xye``, ``.xyd``, ``.dat``, ``.txt``).

Why our own parser: the format is "numbers in columns", which numpy reads; what a library
cannot do for us is the *strict sniff* this generic fallback needs so that it never claims
another format's file. The one Python reader of many diffraction text formats (``xylib-py``)
ships only as a C++ source package (2020) that needs a compiler and SWIG.

Read: rows of ``2θ intensity`` or ``2θ intensity esd`` (xye) separated by spaces, tabs
(fixed-width, space-padded columns included), commas or semicolons; decimal commas where
the separator is not a comma; up to :data:`MAX_HEADER_LINES` non-numeric header or
comment lines (``#``, ``;``, ``!``, ``'``) at the top; CRLF/CR line ends, UTF-8 (with or
without BOM) or latin-1. The file says nothing about the wavelength, the anode or the
counting time: those attributes are NaN/empty and ``intensity`` is taken as counts.

Sniff (strict, for the ``xrd`` technique only): at least :data:`MIN_ROWS` rows, every data
row 2 or 3 numbers, the first column strictly increasing within 0–160° on a near-regular
grid (diffractometers step in equal increments), and no marker of another format
(UXD ``_KEY=``, RAS ``*KEY``, EMSA ``#FORMAT``, XML, INI sections). Electrochemistry tables
fail it: their first column is a frequency (decreasing, up to MHz) or a time/potential
with more columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import add_quality_note, places_text, xrd_dataset
from interphase.errors import ReadError
from interphase.readers._text import decode

NAME = "xy"
VERSION = "2"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

MAX_TWO_THETA = 160.0  # largest 2θ a laboratory goniometer reaches (deg)
MIN_ROWS = 20  # fewer rows than this are not a diffraction scan
MAX_HEADER_LINES = 10  # text lines tolerated before or between the numbers
COMMENT_PREFIXES = ("#", ";", "!", "'", "//")
# Markers of other formats whose data are also columns of numbers.
FOREIGN_MARKERS = (
    b"_FILEVERSION",
    b"_2THETA",
    b"*RAS_",
    b"#FORMAT",
    b"EMSA",
    b"<?xml",
    b"[Measurement",
    b"[Scan",
)

_SPLIT_WS = re.compile(r"[\s;]+")


def split_row(line: str) -> list[str] | None:
    """The number fields of a row (space/tab/semicolon or comma separated), None if not numeric."""
    text = line.strip().rstrip(",;")
    if not text:
        return None
    fields = [f for f in _SPLIT_WS.split(text) if f]
    if len(fields) == 1 and "," in text:
        fields = [f.strip() for f in text.split(",") if f.strip()]
    else:
        fields = [f.replace(",", ".") for f in fields]  # decimal comma (German locale)
    try:
        [float(f) for f in fields]
    except ValueError:
        return None
    return fields


def parse(text: str) -> tuple[np.ndarray, list[str], list[int]]:
    """Numeric rows (n × k), the text lines met and the line numbers of the numeric rows."""
    rows: list[list[float]] = []
    other: list[str] = []
    linenos: list[int] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = split_row(line)
        if fields is None or line.lstrip().startswith(COMMENT_PREFIXES):
            other.append(line)
            continue
        rows.append([float(f) for f in fields])
        linenos.append(lineno)
    widths = {len(r) for r in rows}
    array = np.array(rows, dtype=float) if len(widths) == 1 else np.empty((0, 0))
    return array, other, linenos


def regular_grid(x: np.ndarray) -> bool:
    """True when x increases strictly in near-equal steps (95 % within 25 % of the median)."""
    steps = np.diff(x)
    if steps.size == 0 or np.any(steps <= 0):
        return False
    median = np.median(steps)
    return bool(np.mean(np.abs(steps - median) <= 0.25 * median) >= 0.95)


def sniff(path: Path, head: bytes) -> bool:
    """True for a headerless (or short-header) 2- or 3-column 2θ scan on a regular grid."""
    if not head or b"\x00" in head[:4096] or any(m in head[:8192] for m in FOREIGN_MARKERS):
        return False
    text = decode(head)
    if len(head) >= (1 << 16) and "\n" in text:
        text = text[: text.rfind("\n")]  # the last line may be cut by the 64 KiB head
    data, other, _ = parse(text)
    if data.ndim != 2 or data.shape[0] < MIN_ROWS or data.shape[1] not in (2, 3):
        return False
    if len(other) > MAX_HEADER_LINES or any(
        o.lstrip().startswith(("_", "*", "[", "<")) for o in other
    ):
        return False
    x = data[:, 0]
    return bool(x[0] >= 0 and x[-1] <= MAX_TWO_THETA and np.all(np.isfinite(x)) and regular_grid(x))


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read a plain 2- or 3-column 2θ scan as the xrd layout."""
    path = Path(path)
    text = decode(path.read_bytes())
    data, other, linenos = parse(text)
    if data.size == 0:
        widths = sorted(
            {len(split_row(line) or []) for line in text.splitlines() if split_row(line)}
        )
        raise ReadError(
            path,
            "data rows",
            "rows of 2 or 3 numbers (2θ intensity [esd])",
            f"rows of {widths} numbers" if widths else "no numeric rows",
        )
    if data.shape[1] not in (2, 3):
        raise ReadError(
            path,
            f"line {linenos[0]}",
            "2 or 3 columns (2θ intensity [esd])",
            f"{data.shape[1]} columns",
        )
    finite = np.isfinite(data).all(axis=1)
    note = ""
    if not finite.all():
        bad = np.flatnonzero(~finite)
        where = places_text([f"line {linenos[i]}" for i in bad])
        note = f"{bad.size} rows with non-finite values (NaN or inf) dropped: {where}"
        data, linenos = data[finite], [n for n, ok in zip(linenos, finite) if ok]
    if data.shape[0] < 2:
        found = f"{data.shape[0]}" + (f" ({note})" if note else "")
        raise ReadError(path, "data rows", "at least 2 data rows", found)
    x = data[:, 0]
    if x.min() < 0 or x.max() > MAX_TWO_THETA:
        row = int(np.argmax((x < 0) | (x > MAX_TWO_THETA)))
        raise ReadError(
            path, f"line {linenos[row]}", f"2θ within 0–{MAX_TWO_THETA:g}°", f"{x[row]:g}"
        )
    attrs = {
        "header_lines": "\n".join(other[:MAX_HEADER_LINES]),
        "reader": NAME,
        "reader_version": VERSION,
    }
    if note:
        attrs = add_quality_note(attrs, note)
    esd = data[:, 2] if data.shape[1] == 3 else None
    return xrd_dataset(x, data[:, 1], None, attrs, esd=esd)
