"""Metrohm Autolab exports: NOVA ASCII tables (cv, eis), the ZView-style 'Z60W Data File' (eis).

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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import zplot
from interphase.readers._cv import cycle_numbers
from interphase.readers._text import (
    decode,
    head_as_utf8,
    is_number,
    number,
    si_factor,
    split_lines,
)

NAME = "autolab"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

Z60W_MAGIC = "Z60W Data File"
# Overload-column cells that mean "no overload" (lower case); any other mark flags the row.
NO_OVERLOAD = ("", "false", "no", "none", "-", "ok", "off")
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
    """True for a NOVA column header (WE(1), 'Potential applied', or Frequency with Z' and Z'')."""
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


@dataclass
class NovaTable:
    """A NOVA export's table: column names, rows of text cells, their line numbers."""

    path: Path
    names: list[str]
    rows: list[list[str]]
    lines: list[int]
    sep: str

    def places(self) -> list[str]:
        """'line N' for every row."""
        return [f"line {n}" for n in self.lines]


def parse_table(path: Path) -> NovaTable:
    """The table of a NOVA export; cells stay text until a column is asked for.

    Every row has the header's number of cells (an empty cell, e.g. of an overload column,
    counts; separators after the last one are ignored); another count is refused.
    """
    lines = split_lines(decode(path.read_bytes()))
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or not is_nova_header(lines[start]):
        found = repr(lines[start][:60]) if start is not None else "an empty file"
        expected = "a NOVA column header ('WE(1).Current (A)', 'Frequency (Hz)' with Z' and -Z'')"
        raise ReadError(path, f"line {(start or 0) + 1}", expected, found)
    sep = separator(lines[start])
    names = split_row(lines[start], sep)
    table = NovaTable(path, names, [], [], sep)
    for n, line in enumerate(lines[start + 1 :], start=start + 2):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(sep)]
        while len(fields) > len(names) and fields[-1] == "":
            fields.pop()  # trailing separators
        if len(fields) != len(names):
            expected = f"{len(names)} fields separated by {sep!r}"
            raise ReadError(path, f"line {n}", expected, f"{len(split_row(line, sep))} fields")
        table.rows.append(fields)
        table.lines.append(n)
    if not table.rows:
        raise ReadError(path, f"line {start + 2}", "at least one data row", "end of file")
    return table


def column_values(table: NovaTable, found: tuple[int, float] | None) -> np.ndarray | None:
    """One column as numbers in SI units (an empty cell is NaN), or None when absent.

    Only the columns a layout needs are parsed: text columns such as 'Current range'
    ('1 µA') are never read as numbers.
    """
    if found is None:
        return None
    j, factor = found
    decimal_comma = table.sep != ","
    out = np.empty(len(table.rows))
    for i, cells in enumerate(table.rows):
        cell = cells[j]
        try:
            out[i] = number(cell, decimal_comma) if cell else math.nan
        except ValueError:
            place = f"line {table.lines[i]}, column {table.names[j]!r}"
            raise ReadError(table.path, place, "a number", repr(cell)) from None
    return out * factor


def overloaded(table: NovaTable) -> np.ndarray | None:
    """True for rows whose overload column holds a mark; None when there is no such column."""
    j = next((j for j, name in enumerate(table.names) if "overload" in name.lower()), None)
    if j is None:
        return None
    marks = [cells[j].strip().lower() for cells in table.rows]
    return np.array([m not in NO_OVERLOAD and not _is_zero(m) for m in marks], dtype=bool)


def _is_zero(mark: str) -> bool:
    """True for a cell that is the number 0 ('0', '0,0', '0.000E+00')."""
    return is_number(mark) and number(mark) == 0


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


def find(table: NovaTable, quantities: tuple[str, ...], si_unit: str | None) -> np.ndarray | None:
    """The first wanted column in SI units, parsed from its text cells; None when absent."""
    return column_values(table, find_column(table.names, quantities, si_unit))


def read_nova_cv(path: Path) -> xr.Dataset:
    """A NOVA voltammogram export, in acquisition order; overloaded rows dropped and noted."""
    table = parse_table(path)
    potential = find(table, ("WE(1).Potential", "Potential"), "V")
    applied = find(table, ("Potential applied",), "V")
    current = find(table, ("WE(1).Current", "Current"), "A")
    time = find(table, ("Time",), "s")
    if potential is None:
        potential = applied
    for values, wanted in (
        (potential, "'WE(1).Potential (V)'"),
        (current, "'WE(1).Current (A)'"),
        (time, "'Time (s)'"),
    ):
        if values is None:
            raise missing(path, table.lines[0] - 1, wanted, table.names, "cv")
    cycles = cycle_numbers(find(table, ("Scan",), None), len(table.rows))
    extra = {}
    if applied is not None:
        long_name = "potential set by the potentiostat"
        extra["control_potential"] = datasets.variable("point", applied, "V", long_name)
    attrs = nova_attrs(table.sep)
    ramp = applied if applied is not None else potential
    dt = np.diff(time)
    slopes = np.abs(np.diff(ramp)[dt > 0] / dt[dt > 0])
    attrs.update(
        {
            "scan_rate_V_s": math.nan,
            "scan_rate_source": "not in the file (NOVA ASCII has no settings block)",
            "scan_rate_from_data_V_s": float(np.nanmedian(slopes)) if slopes.size else math.nan,
        }
    )
    return datasets.cv_from_rows(
        path,
        time,
        potential,
        current,
        cycles,
        attrs,
        places=table.places(),
        overload=overloaded(table),
        extra=extra,
        cycle_long_name="scan number as exported by NOVA",
    )


def read_nova_eis(path: Path) -> xr.Dataset:
    """A NOVA impedance export: every sweep it holds; overloaded rows dropped and noted."""
    table = parse_table(path)
    freq = find(table, ("Frequency",), "Hz")
    z_real = find(table, ("Z'",), "ohm")
    minus_imag = find(table, ("-Z''",), "ohm")
    z_imag = -minus_imag if minus_imag is not None else find(table, ("Z''",), "ohm")
    for values, wanted in (
        (freq, "'Frequency (Hz)'"),
        (z_real, '"Z\' (Ω)"'),
        (z_imag, "\"-Z'' (Ω)\""),
    ):
        if values is None:
            raise missing(path, table.lines[0] - 1, wanted, table.names, "eis")
    ewe = find(table, ("WE(1).Potential",), "V")
    attrs = nova_attrs(table.sep)
    attrs.update(
        {
            "dc_potential_V": float(np.nanmean(ewe)) if ewe is not None else math.nan,
            "dc_potential_source": "mean of WE(1).Potential (V)"
            if ewe is not None
            else "not in the file",
        }
    )
    rows = datasets.EisRows(
        freq,
        z_real,
        z_imag,
        table.places(),
        time=find(table, ("Time",), "s"),
        potential=ewe,
        overload=overloaded(table),
    )
    long_name = "time since the start of the sweep"
    return datasets.eis_from_rows(path, rows, attrs, time_long_name=long_name)


def is_z60w(path: Path) -> bool:
    """True when the file starts with the Z60W magic line."""
    return header_line(head_as_utf8(path.read_bytes()[:512])).strip('"').startswith(Z60W_MAGIC)


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
    names_line = header_line(head_as_utf8(path.read_bytes()[: 1 << 16]))
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
