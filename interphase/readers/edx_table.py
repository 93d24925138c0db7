"""EDX composition line profiles exported as a text table (CSV / TSV) by TEM software.

Velox, Bruker ESPRIT and Oxford AZtec all export a line scan as a table: some free
header lines (key/value metadata), one header row with a distance column whose unit is
in the name (``Distance (nm)``, ``Position [µm]``) and one column per element
(``O``, ``O (at%)``, ``O-K [at.%]``, ``Co K (Atomic %)``, ``Co Ka (counts)``), then one
row a position. Separators are comma, semicolon or tab; German-locale exports write
decimal commas; files are UTF-8 (often with a BOM) or cp1252 (``µ``).

Why a parser of our own: ``pandas.read_csv`` needs the header row's line number, the
separator and the decimal mark up front and reports a bad cell only as a dtype, not as a
line and column; ``csv.Sniffer`` guesses wrong on decimal-comma tables. The table is
found here by content (the first row with a distance-like column and two or more
element columns), the cells are split with the standard ``csv`` module (quoting) and
every cell is converted with its line and column known, so a bad file gives a
:class:`~interphase.errors.ReadError` that says where.

Output (``edx_line`` layout of :mod:`interphase.datasets`): ``composition`` (distance,
element) in ``percent`` (atomic percent) or ``count``; distance in nm, increasing, film
side first. A file that runs from the electrolyte into the film (film transition metals
higher at the end than at the start) is turned round as x' = x_max - x and gets the
attribute ``distance_reversed = 1``.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers._text import decoded, length_nm, split_lines, table_number

NAME = "edx_table"
VERSION = "1"
TECHNIQUES = ("edx_line",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

SYMBOLS = datasets.ELEMENT_SYMBOLS  # chemical symbols, Z = 1..103

SEPARATORS = ("\t", ";", ",")
_SEPARATOR_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}

_DISTANCE_RE = re.compile(
    r"^\s*(?:scan\s+|line\s+|relative\s+)?(?P<name>distance|position|dist\.?|pos\.?|length|x)"
    r"(?P<rest>(?:\s|[\(\[/_,]|$).*)$",
    re.IGNORECASE,
)
_ELEMENT_RE = re.compile(r"^\s*(?P<sym>[A-Z][a-z]?)(?![A-Za-z])(?P<rest>.*)$")
# X-ray line designators after the symbol: K, L, M, Ka, Kα1, K-series, 'K series'...
_LINE_RE = re.compile(
    r"^[\s_\-]*(?:k|l|m)(?:\s*[_\-]?\s*(?:alpha|beta|a|b|α|β)?\s*\d?)(?:[\s_\-]*series)?(?![a-z])"
)
_ERROR_RE = re.compile(r"sigma|σ|error|\berr\b|uncert|±|\+/-|\bstd\b|\bsd\b")
_PERCENT_RE = re.compile(
    r"^(?:at\.?\s*-?\s*%|atomic\s*%?|atom\s*-?\s*%|at\.?\s*percent|atomic\s+percent|at)$"
)
_COUNT_RE = re.compile(
    r"^(?:counts?|cts|net\s+counts?|net\s+intensity|intensity|net|x-?ray\s+counts?)$"
)


@dataclass(frozen=True)
class Column:
    """One element column of the table: its index, header text, symbol and unit kind."""

    index: int
    header: str
    element: str
    kind: str  # "percent", "count" or "" (no unit written)


@dataclass(frozen=True)
class Header:
    """The header row found in the text: where it is, how the table is split, its columns."""

    line_index: int
    separator: str
    cells: list[str]
    distance_index: int | None
    elements: list[Column]


def split_cells(line: str, separator: str) -> list[str]:
    """The cells of one line, quotes honoured, surrounding blanks removed."""
    return [cell.strip() for cell in next(csv.reader([line], delimiter=separator))]


def distance_unit(header: str) -> str | None:
    """The unit text of a distance-like header ('' when none is written), else None."""
    match = _DISTANCE_RE.match(header)
    if not match:
        return None
    rest = match.group("rest").strip()
    bracket = re.search(r"[\(\[]\s*([^\)\]]*?)\s*[\)\]]", rest)
    if bracket:
        return bracket.group(1)
    return rest.lstrip("/_, ").strip()


def element_column(index: int, header: str) -> Column | None:
    """The element column a header names, or None (not an element, or an error/sigma column).

    The unit kind is "percent", "count", "" (no unit written) or "?<text>" for a unit
    this reader does not know (reported by :func:`read`).
    """
    match = _ELEMENT_RE.match(header)
    if not match or match.group("sym") not in SYMBOLS:
        return None
    rest = match.group("rest").strip().lower()
    rest = _LINE_RE.sub("", rest, count=1).strip()
    if _ERROR_RE.search(rest):
        return None
    unit = re.sub(r"^[\(\[]\s*|\s*[\)\]]$", "", rest).strip().strip("-_/ ").strip()
    if length_nm(unit) is not None:
        return None  # a coordinate such as 'Y (nm)', not an element
    if unit == "":
        kind = ""
    elif _PERCENT_RE.match(unit):
        kind = "percent"
    elif _COUNT_RE.match(unit):
        kind = "count"
    else:
        kind = "?" + unit
    return Column(index, header, match.group("sym"), kind)


def parse_header(cells: list[str], line_index: int, separator: str) -> Header | None:
    """The header described by a row's cells, or None when it has fewer than two element columns."""
    distance_index = None
    elements = []
    for i, cell in enumerate(cells):
        if distance_index is None and distance_unit(cell) is not None:
            distance_index = i
            continue
        column = element_column(i, cell)
        if column is not None:
            elements.append(column)
    if len(elements) < 2:
        return None
    return Header(line_index, separator, cells, distance_index, elements)


def find_header(lines: list[str], limit: int = 500) -> Header | None:
    """The first row with a distance column and >= 2 element columns; else one with elements."""
    fallback = None
    for i, line in enumerate(lines[:limit]):
        if not line.strip():
            continue
        for separator in SEPARATORS:
            if separator not in line:
                continue
            header = parse_header(split_cells(line, separator), i, separator)
            if header is None:
                continue
            if header.distance_index is not None:
                return header
            if fallback is None:
                fallback = header
    return fallback


def sniff(path: Path, head: bytes) -> bool:
    """True for a table with a distance column, >= 2 element columns and a numeric row after it."""
    if not head or b"\x00" in head:
        return False
    text, _ = decoded(head)
    lines = split_lines(text)
    if len(head) >= 1 << 16 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a truncated head may be cut
    header = find_header(lines, limit=300)
    if header is None or header.distance_index is None or not plausible(header):
        return False
    for line in lines[header.line_index + 1 :]:
        if not line.strip():
            continue
        cells = split_cells(line, header.separator)
        try:
            return header.distance_index < len(cells) and math.isfinite(
                table_number(cells[header.distance_index])
            )
        except ValueError:
            return False
    return False


def plausible(header: Header) -> bool:
    """True when the distance unit is a length and >= 2 distinct elements have a known unit kind."""
    assert header.distance_index is not None
    unit = (distance_unit(header.cells[header.distance_index]) or "").strip()
    if length_nm(unit) is None:
        return False
    known = {c.element for c in header.elements if not c.kind.startswith("?")}
    return len(known) >= 2


def metadata(lines: list[str], separator: str) -> dict[str, str]:
    """Key/value pairs of the header lines above the table ('key<sep>value' or 'key: value')."""
    out: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        cells = [c for c in split_cells(line, separator) if c != ""] if separator in line else []
        if len(cells) < 2 and ":" in line:
            key, _, value = line.partition(":")
            cells = [key.strip(), value.strip()]
        if len(cells) >= 2:
            out.setdefault(
                cells[0].rstrip(":").strip(),
                separator.join(cells[1:]) if len(cells) > 2 else cells[1],
            )
    return out


def metadata_attrs(meta: dict[str, str]) -> dict[str, str | float]:
    """Layout attributes (instrument, software, start_time, beam_energy_keV) from header keys."""
    attrs: dict[str, str | float] = {}
    lowered = {k.lower(): v for k, v in meta.items()}
    for key, value in lowered.items():
        if key.startswith(("instrument", "microscope")) and "instrument" not in attrs:
            attrs["instrument"] = value
        elif key.startswith("software") and "software" not in attrs:
            attrs["software"] = value
        elif (
            key.startswith(("high voltage", "accelerating voltage", "beam energy", "hv"))
            and "kv" in key
        ):
            try:
                attrs["beam_energy_keV"] = table_number(value)
            except ValueError:
                pass
    date = lowered.get("date") or lowered.get("acquisition date")
    time = lowered.get("time") or lowered.get("acquisition time")
    if date:
        attrs["start_time"] = f"{date} {time}".strip() if time else date
    return attrs


def column_kinds(
    path: Path, header: Header, values: np.ndarray
) -> tuple[list[Column], str, list[str]]:
    """The element columns kept, the composition kind ('atomic_percent'/'counts'), headers ignored.

    Atomic-percent columns win over count columns when a file has both; columns in another
    unit (wt%, as AZtec exports beside at%) are ignored when two or more elements remain,
    else they are a ReadError. Columns without a unit take the kind of the others, or are
    judged from the numbers (rows summing to about 100 are atomic percent, non-negative
    integers are counts).
    """
    place = f"line {header.line_index + 1}"
    elements = [c for c in header.elements if not c.kind.startswith("?")]
    unknown = [c for c in header.elements if c.kind.startswith("?")]
    if unknown and len({c.element for c in elements}) < 2:
        column = unknown[0]
        raise ReadError(
            path,
            f"{place}, column {column.index + 1} '{column.header}'",
            "an element column in atomic percent ('at%', 'Atomic %') or counts",
            f"unit {column.kind[1:]!r}",
        )
    kinds = {c.kind for c in elements} - {""}
    if "percent" in kinds:
        kind = "percent"
    elif "count" in kinds:
        kind = "count"
    else:
        block = values[:, [c.index for c in elements]]
        finite = block[np.isfinite(block)]
        sums = np.nansum(block, axis=1)
        if (
            finite.size
            and finite.min() >= -5
            and finite.max() <= 105
            and 80 <= np.median(sums) <= 120
        ):
            kind = "percent"
        elif finite.size and finite.min() >= 0 and np.all(finite == np.round(finite)):
            kind = "count"
        else:
            raise ReadError(
                path,
                place,
                "element columns with a unit ('at%' or 'counts'), or rows summing to about 100 at%",
                f"unitless columns with row sums around {np.median(sums):.4g}",
            )
    kept = [c for c in elements if c.kind in (kind, "")]
    seen: dict[str, Column] = {}
    for column in kept:
        if column.element in seen:
            raise ReadError(
                path,
                f"{place}, column {column.index + 1} '{column.header}'",
                f"one column for {column.element}",
                f"a second one after column {seen[column.element].index + 1} "
                f"'{seen[column.element].header}'",
            )
        seen[column.element] = column
    ignored = [c.header for c in header.elements if c not in kept]
    return kept, ("atomic_percent" if kind == "percent" else "counts"), ignored


def table_values(path: Path, lines: list[str], header: Header) -> tuple[np.ndarray, list[int]]:
    """The numeric table under the header (rows x header cells) and each row's file line number."""
    width = len(header.cells)
    while width > 0 and header.cells[width - 1] == "":
        width -= 1  # a trailing separator makes an empty last header cell
    used = {header.distance_index, *(c.index for c in header.elements)}
    rows, line_numbers = [], []
    for i in range(header.line_index + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        cells = split_cells(line, header.separator)
        while len(cells) > width and cells[-1] == "":
            cells.pop()
        if len(cells) != width:
            raise ReadError(
                path,
                f"line {i + 1}",
                f"{width} {_SEPARATOR_NAMES[header.separator]}-separated cells like the header",
                f"{len(cells)}",
            )
        row = np.full(width, np.nan)
        for j in used:
            try:
                row[j] = table_number(cells[j])
            except ValueError:
                raise ReadError(
                    path,
                    f"line {i + 1}, column {j + 1} '{header.cells[j]}'",
                    "a number",
                    repr(cells[j]),
                ) from None
        rows.append(row)
        line_numbers.append(i + 1)
    if not rows:
        raise ReadError(
            path, f"after line {header.line_index + 1}", "rows of numbers under the header", "none"
        )
    return np.vstack(rows), line_numbers


def distance_nm(
    path: Path, header: Header, values: np.ndarray, line_numbers: list[int]
) -> tuple[np.ndarray, str]:
    """The distance column in nm and the unit written in the file."""
    assert header.distance_index is not None
    name = header.cells[header.distance_index]
    unit = distance_unit(name) or ""
    factor = length_nm(unit)
    place = f"line {header.line_index + 1}, column {header.distance_index + 1} '{name}'"
    if factor is None:
        raise ReadError(
            path, place, "a distance unit (nm, µm, Å, pm, mm)", repr(unit) if unit else "no unit"
        )
    x = np.round(
        values[:, header.distance_index] * factor, 9
    )  # drop binary artefacts of unit scaling
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ReadError(
            path,
            f"line {line_numbers[bad[0]]}, column {header.distance_index + 1} '{name}'",
            "a distance",
            "an empty cell",
        )
    return x, unit


def read(path: Path, technique: str = "edx_line") -> xr.Dataset:
    """Read an EDX line-profile table into the edx_line layout (distance in nm, film side first)."""
    path = Path(path)
    if technique not in TECHNIQUES:
        raise ReadError(path, None, f"technique {' or '.join(TECHNIQUES)}", repr(technique))
    text, encoding = decoded(path.read_bytes())
    lines = split_lines(text)
    header = find_header(lines)
    if header is None:
        raise ReadError(
            path,
            "header",
            "a header row with two or more element columns ('O (at%)', 'Co-K', 'Ni Ka (counts)')",
            "none in the first 500 lines",
        )
    if header.distance_index is None:
        raise ReadError(
            path,
            f"line {header.line_index + 1}",
            "a distance column ('Distance (nm)', 'Position [µm]')",
            repr(header.cells),
        )
    values, line_numbers = table_values(path, lines, header)
    columns, kind, ignored = column_kinds(path, header, values)
    x, unit = distance_nm(path, header, values, line_numbers)
    composition = values[:, [c.index for c in columns]]
    order = np.argsort(x, kind="stable")
    x, composition = x[order], composition[order]
    duplicated = np.flatnonzero(np.diff(x) <= 0)
    if duplicated.size:
        raise ReadError(
            path,
            f"line {line_numbers[order[duplicated[0] + 1]]}",
            "distinct distances",
            f"{x[duplicated[0]]:g} nm twice",
        )
    elements = [c.element for c in columns]
    reversed_ = datasets.film_side_last(composition, elements)
    if reversed_:
        x = x.max() - x[::-1]
        composition = composition[::-1]
    units = "percent" if kind == "atomic_percent" else "count"
    long_name = "composition (atomic percent)" if units == "percent" else "X-ray line counts"
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "composition_kind": kind,
        "distance_reversed": int(reversed_),
        "distance_unit_in_file": unit,
        "column_headers": ", ".join(c.header for c in columns),
        "ignored_columns": ", ".join(ignored),
        "separator": _SEPARATOR_NAMES[header.separator],
        "encoding": encoding,
        "header_line": header.line_index + 1,
        **metadata_attrs(metadata(lines[: header.line_index], header.separator)),
    }
    return datasets.edx_composition_dataset(
        x, elements, composition, attrs, units=units, long_name=long_name
    )
