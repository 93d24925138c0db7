"""PANalytical X'Pert Data Collector / HighScore CSV exports of a 2θ scan.

Why our own parser: the export is an INI-like CSV that Python's :mod:`csv` splits (quoted
values with commas inside); the one maintained reader (``yadg``'s ``panalytical.csv``
extractor) brings a large dependency tree (dgbowl-schemas, pint, xarray-datatree...) for
one small format.

Layout: ``[Measurement conditions]`` then ``key,value`` rows (``Anode material``,
``K-Alpha1 wavelength``, ``K-Alpha2 wavelength``, ``Ratio K-Alpha2/K-Alpha1``, ``Time per
step``, ``No. of points``, ``File date and time``, ``Scan axis``...), then ``[Scan points]``,
a column header (``Angle,Intensity`` and possibly ``ESD``), and the data rows. A header row
with ``;`` (or TAB) separators means a locale with decimal commas, which are accepted.
Intensities are counts; ``Time per step`` (s) gives ``intensity_cps``. ``No. of points``
disagreeing with the rows is noted (``data_count_note``), not an error. Ratio 0 means a
monochromatic (Kα1) beam: Kα2 is then NaN. ``scan_kind`` is ``"reflectivity"`` when the scan
ends below 8° 2θ. Text: UTF-8 (BOM stripped), else cp1252.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import wavelength_attrs, xrd_dataset
from interphase.errors import ReadError
from interphase.readers._text import decode, float_or, number

NAME = "panalytical_csv"
VERSION = "1"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

CONDITIONS = "[Measurement conditions]"
SCAN_POINTS = "[Scan points]"


def sniff(path: Path, head: bytes) -> bool:
    """True for a CSV opening with '[Measurement conditions]' that has a '[Scan points]' section."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return text.startswith(CONDITIONS.encode()) and SCAN_POINTS.encode() in head


def _float(conditions: dict, key: str, default: float = float("nan")) -> float:
    """A condition's first value as float, ``default`` when absent or not a number."""
    return float_or((conditions.get(key) or [None])[0], default, decimal_comma=False)


def parse(path: Path, text: str) -> tuple[dict[str, list[str]], list[str], np.ndarray, int]:
    """Conditions (key -> values), column names, data table and the line number of the first row."""
    lines = text.splitlines()
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip().startswith(SCAN_POINTS))
    except StopIteration:
        raise ReadError(path, "end of file", f"a '{SCAN_POINTS}' section", "none") from None
    conditions: dict[str, list[str]] = {}
    for row in csv.reader(lines[1:start]):
        if row and row[0].strip():
            conditions.setdefault(row[0].strip(), [v.strip() for v in row[1:]])
    header_index = start + 1
    while header_index < len(lines) and not lines[header_index].strip():
        header_index += 1
    if header_index >= len(lines):
        raise ReadError(
            path, f"line {start + 1}", "a column header after [Scan points]", "end of file"
        )
    header_line = lines[header_index]
    delimiter = ";" if ";" in header_line else ("\t" if "\t" in header_line else ",")
    columns = [c.strip() for c in header_line.split(delimiter)]
    if not columns[0].lower().startswith(("angle", "2theta", "pos")):
        raise ReadError(
            path,
            f"line {header_index + 1}",
            "a column header 'Angle,Intensity'",
            repr(header_line[:60]),
        )
    rows: list[list[float]] = []
    first = header_index + 2
    for lineno, line in enumerate(lines[header_index + 1 :], start=header_index + 2):
        if not line.strip():
            continue
        fields = [f for f in line.strip().rstrip(delimiter).split(delimiter)]
        try:
            values = [number(f, delimiter != ",") for f in fields]
        except ValueError:
            raise ReadError(
                path, f"line {lineno}", "numbers 'angle, intensity'", repr(line[:60])
            ) from None
        if len(values) < 2:
            raise ReadError(
                path, f"line {lineno}", "at least 2 columns (angle, intensity)", repr(line[:60])
            )
        rows.append(values[:3])
    if len({len(r) for r in rows}) > 1:
        raise ReadError(
            path,
            f"line {first}",
            "the same number of columns on every row",
            "rows of different widths",
        )
    if not rows:
        raise ReadError(path, f"line {header_index + 2}", "data rows", "none")
    return conditions, columns, np.array(rows, dtype=float), first


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read a PANalytical CSV export as the xrd layout."""
    path = Path(path)
    conditions, columns, table, _ = parse(path, decode(path.read_bytes()))
    time = _float(conditions, "Time per step")
    ratio = _float(conditions, "Ratio K-Alpha2/K-Alpha1", 0.0)
    ka2 = _float(conditions, "K-Alpha2 wavelength")
    attrs = {
        **wavelength_attrs(_float(conditions, "K-Alpha1 wavelength"), ka2, ratio),
        "anode": (conditions.get("Anode material") or [""])[0],
        "scan_axis": (conditions.get("Scan axis") or [""])[0],
        "start_time": (conditions.get("File date and time") or [""])[0],
        "file_sample": (conditions.get("Sample identification") or [""])[0],
        "generator_kV": _float(conditions, "Generator voltage"),
        "generator_mA": _float(conditions, "Tube current"),
        "columns": ", ".join(columns),
        "instrument": next(
            (
                v[0].split("=", 1)[1]
                for k, v in conditions.items()
                if k.startswith("Comment") and v and v[0].startswith("Diffractometer system=")
            ),
            "",
        ),
        "reader": NAME,
        "reader_version": VERSION,
    }
    declared = _float(conditions, "No. of points")
    if np.isfinite(declared) and int(declared) != table.shape[0]:
        attrs["data_count_note"] = (
            f"header 'No. of points' {int(declared)}, rows read {table.shape[0]}"
        )
    esd = table[:, 2] if table.shape[1] == 3 and "esd" in columns[-1].lower() else None
    return xrd_dataset(table[:, 0], table[:, 1], time if time > 0 else None, attrs, esd=esd)
