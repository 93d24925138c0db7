"""Metrohm Autolab exports: NOVA ASCII tables (cv, eis) and the older ZView-style 'Z60W Data File' (eis).

Why a parser of our own: impedance.py's ``preprocessing.readAutolab`` reads only the old
ZView-style export (environment notes) and no metadata; no maintained package reads NOVA
ASCII exports. Both are small text formats:

NOVA ASCII export
    one header row of column names with units, e.g. 'Potential applied (V)', 'Time (s)',
    'WE(1).Current (A)', 'WE(1).Potential (V)', 'Scan', 'Index' (cv) or 'Frequency (Hz)',
    "Z' (Ω)", "-Z'' (Ω)", 'Time (s)' (eis); rows separated by ';', tab or ',' (the separator
    is the one the header uses: ';' first, then tab, then ','); with ';' or tab a comma
    is a decimal comma. Encoding UTF-8 (with or without BOM), else cp1252. NOVA writes
    no settings block, so the scan rate and DC potential are not in the file:
    ``scan_rate_V_s`` is NaN (``scan_rate_from_data_V_s``, the median |dE/dt| of the
    applied potential, is given for checking; measurements.tsv's ``scan_rate_mV_s``
    supplies the value) and ``dc_potential_V`` is the mean 'WE(1).Potential (V)' where
    that column is exported, else NaN. 'Scan' is kept as the cycle number as written (an
    export of scan 3 only has cycle 3); a 0-based count is shifted to start at 1.
    A column written "-Z''" is negated to give ``z_imag`` its true sign; "Z''" is taken as is.
Z60W Data File
    the ZView data-file layout, read by :func:`interphase.readers.zplot.read_zview_data_file`.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import zplot
from interphase.readers._cv import cycle_numbers
from interphase.readers._text import decode, is_number, number, si_factor, split_lines

NAME = "autolab"
VERSION = "1"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

Z60W_MAGIC = "Z60W Data File"
# Column names only NOVA writes (cv) and the NOVA impedance pair (eis).
NOVA_MARKERS = ("WE(1).Current", "WE(1).Potential", "Potential applied (V)")
_NAME_UNIT_RE = re.compile(r"^(?P<quantity>.*?)\s*\((?P<unit>[^()]*)\)\s*$")


def header_line(head: bytes) -> str:
    """The first non-empty line of the head, BOM removed."""
    text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    for line in re.split(r"\r*\n|\r", text):
        if line.strip():
            return line.strip()
    return ""


def is_nova_header(line: str) -> bool:
    """True for a NOVA column-header row (WE(1) columns, 'Potential applied', or Frequency with Z' and Z'')."""
    if any(marker in line for marker in NOVA_MARKERS):
        return True
    return (
        "Frequency (Hz)" in line
        and re.search(r"(^|[;,\t])\s*Z' \(", line) is not None
        and "Z'' (" in line
    )


def sniff(path: Path, head: bytes) -> bool:
    """True for a '"Z60W Data File' or a NOVA ASCII column header."""
    line = header_line(head)
    return line.strip('"').startswith(Z60W_MAGIC) or is_nova_header(line)


def separator(line: str) -> str:
    """The field separator of a NOVA header row: ';', tab or ','."""
    for sep in (";", "\t", ","):
        if sep in line:
            return sep
    return ","


def split_row(line: str, sep: str) -> list[str]:
    """Fields of a row, trailing empty fields (trailing separators) removed."""
    fields = [f.strip() for f in line.split(sep)]
    while fields and fields[-1] == "":
        fields.pop()
    return fields


def find_column(
    names: list[str], quantities: tuple[str, ...], si_unit: str | None
) -> tuple[int, float] | None:
    """Index and factor to ``si_unit`` of the first wanted column (None: a count, any unit)."""
    for wanted in quantities:
        for j, name in enumerate(names):
            match = _NAME_UNIT_RE.match(name)
            quantity, unit = (
                (match.group("quantity"), match.group("unit").strip()) if match else (name, "")
            )
            if quantity.strip().lower() != wanted.lower():
                continue
            if si_unit is None:
                return j, 1.0
            factor = si_factor(unit, si_unit)
            if factor is not None:
                return j, factor
    return None


def parse_table(path: Path) -> tuple[list[str], list[list[float]], int, str]:
    """Column names, rows of floats, the line number of the first row and the separator."""
    lines = split_lines(decode(path.read_bytes()))
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not is_nova_header(lines[start]):
        found = repr(lines[start][:60]) if start is not None else "an empty file"
        raise ReadError(
            path,
            f"line {(start or 0) + 1}",
            "a NOVA column header ('WE(1).Current (A)', 'Frequency (Hz)' with Z' and -Z'')",
            found,
        )
    sep = separator(lines[start])
    decimal_comma = sep != ","
    names = split_row(lines[start], sep)
    rows: list[list[float]] = []
    first = start + 2
    for i, line in enumerate(lines[start + 1 :], start=first):
        if not line.strip():
            continue
        fields = split_row(line, sep)
        if len(fields) != len(names):
            raise ReadError(
                path,
                f"line {i}",
                f"{len(names)} fields separated by {sep!r}",
                f"{len(fields)} fields",
            )
        try:
            rows.append([number(f, decimal_comma) if f else math.nan for f in fields])
        except ValueError:
            bad = next(f for f in fields if f and not is_number(f, decimal_comma))
            raise ReadError(
                path, f"line {i}, column {names[fields.index(bad)]!r}", "a number", repr(bad)
            ) from None
    if not rows:
        raise ReadError(path, f"line {first}", "at least one data row", "end of file")
    return names, rows, first, sep


def column_values(rows: list[list[float]], found: tuple[int, float] | None) -> np.ndarray | None:
    """A column as an array in SI units, or None."""
    if found is None:
        return None
    j, factor = found
    return np.array([row[j] for row in rows]) * factor


def missing(path: Path, line_no: int, wanted: str, names: list[str], technique: str) -> ReadError:
    """The ReadError for a column a technique needs."""
    return ReadError(
        path,
        f"line {line_no} (column header)",
        f"a column {wanted} for {technique}",
        f"columns {', '.join(names)}",
    )


def nova_attrs(sep: str) -> dict:
    """Attributes every NOVA export gets (it has no settings block)."""
    return {
        "instrument": "Metrohm Autolab",
        "software": "NOVA",
        "software_version": "",
        "start_time": "",
        "file_variant": f"NOVA ASCII export (separator {sep!r})",
        "reader": NAME,
        "reader_version": VERSION,
    }


def read_nova_cv(path: Path) -> xr.Dataset:
    """A NOVA voltammogram export, in acquisition order."""
    names, rows, first, sep = parse_table(path)
    potential = column_values(rows, find_column(names, ("WE(1).Potential", "Potential"), "V"))
    applied = column_values(rows, find_column(names, ("Potential applied",), "V"))
    current = column_values(rows, find_column(names, ("WE(1).Current", "Current"), "A"))
    time = column_values(rows, find_column(names, ("Time",), "s"))
    if potential is None:
        potential = applied
    for values, wanted in (
        (potential, "'WE(1).Potential (V)'"),
        (current, "'WE(1).Current (A)'"),
        (time, "'Time (s)'"),
    ):
        if values is None:
            raise missing(path, first - 1, wanted, names, "cv")
    cycles = cycle_numbers(column_values(rows, find_column(names, ("Scan",), None)), len(rows))
    extra = {}
    if applied is not None:
        long_name = "potential set by the potentiostat"
        extra["control_potential"] = datasets.variable("point", applied, "V", long_name)
    attrs = nova_attrs(sep)
    ramp = applied if applied is not None else potential
    dt = np.diff(time)
    slopes = np.abs(np.diff(ramp)[dt > 0] / dt[dt > 0])
    attrs.update(
        {
            "scan_rate_V_s": math.nan,
            "scan_rate_source": "not in the file (NOVA ASCII has no settings block)",
            "scan_rate_from_data_V_s": float(np.median(slopes)) if slopes.size else math.nan,
        }
    )
    cycle_name = "scan number as exported by NOVA"
    return datasets.cv_dataset(
        time, potential, current, cycles, attrs, extra=extra, cycle_long_name=cycle_name
    )


def read_nova_eis(path: Path) -> xr.Dataset:
    """A NOVA impedance export, frequency strictly decreasing."""
    names, rows, first, sep = parse_table(path)
    freq = column_values(rows, find_column(names, ("Frequency",), "Hz"))
    z_real = column_values(rows, find_column(names, ("Z'",), "ohm"))
    minus_imag = column_values(rows, find_column(names, ("-Z''",), "ohm"))
    z_imag = (
        -minus_imag
        if minus_imag is not None
        else column_values(rows, find_column(names, ("Z''",), "ohm"))
    )
    for values, wanted in (
        (freq, "'Frequency (Hz)'"),
        (z_real, '"Z\' (Ω)"'),
        (z_imag, "\"-Z'' (Ω)\""),
    ):
        if values is None:
            raise missing(path, first - 1, wanted, names, "eis")
    time = column_values(rows, find_column(names, ("Time",), "s"))
    ewe = column_values(rows, find_column(names, ("WE(1).Potential",), "V"))
    attrs = nova_attrs(sep)
    attrs.update(
        {
            "dc_potential_V": float(np.nanmean(ewe)) if ewe is not None else math.nan,
            "dc_potential_source": "mean of WE(1).Potential (V)"
            if ewe is not None
            else "not in the file",
        }
    )
    return zplot.spectrum(path, freq, z_real, z_imag, time, first, attrs)


def is_z60w(path: Path) -> bool:
    """True when the file starts with the Z60W magic line."""
    return header_line(path.read_bytes()[:512]).strip('"').startswith(Z60W_MAGIC)


def read(path: Path, technique: str) -> xr.Dataset:
    """The Autolab export at ``path`` as an ``eis`` or ``cv`` dataset."""
    path = Path(path)
    if technique not in TECHNIQUES:
        raise ReadError(
            path,
            None,
            f"a technique this reader handles ({', '.join(TECHNIQUES)})",
            repr(technique),
        )
    if is_z60w(path):
        if technique != "eis":
            raise ReadError(
                path,
                "line 1",
                "a cv export (a Z60W Data File holds an impedance spectrum)",
                "'Z60W Data File'",
            )
        ds = zplot.read_zview_data_file(
            path, split_lines(decode(path.read_bytes())), Z60W_MAGIC, NAME, VERSION
        )
        ds.attrs["instrument"] = "Metrohm Autolab"
        return ds
    names_line = header_line(path.read_bytes()[: 1 << 16])
    has_frequency = "Frequency (Hz)" in names_line
    if technique == "cv":
        if has_frequency:
            raise ReadError(
                path,
                "line 1 (column header)",
                "a cv export (potential and current columns)",
                "an impedance export (Frequency (Hz) column)",
            )
        return read_nova_cv(path)
    if not has_frequency:
        raise ReadError(
            path,
            "line 1 (column header)",
            "an eis export with a 'Frequency (Hz)' column",
            repr(names_line[:80]),
        )
    return read_nova_eis(path)
