"""Generic delimited tables (CSV, TSV, semicolon) of impedance spectra or voltammograms.

The fallback for exports no vendor reader recognises.  The first non-blank line not
starting with ``#`` is the header and names the columns with their units:

- impedance: ``frequency (Hz), Z' (Ohm), -Z'' (Ohm)``, ``freq/Hz;Re(Z)/Ohm;-Im(Z)/Ohm``...
- voltammetry: ``E / V, I / mA, cycle`` (optionally a time column).

Units: ``(unit)``, ``[unit]`` or ``/unit``; mHz/Hz/kHz/MHz, mOhm/Ohm/kOhm/MOhm (or Ω), µV/mV/V,
pA/nA/µA/mA/A, ms/s/min/h are converted to SI.  A leading minus on the imaginary part
(``-Z''``, ``-Im(Z)``) means the column holds -Z'' and it is negated back to the true sign.
The delimiter is the header's (TAB, then ``;``, then ``,``); with TAB or ``;`` a comma in a
number is a decimal comma.  Trailing delimiters (an empty last column) are ignored; rows of
an impedance table with frequency 0 (DC rows) are dropped and counted.

A header-less file of exactly three numeric columns whose first column is a positive,
monotonic frequency spanning at least two decades (numpy ``savetxt`` output such as
impedance.py's ``exampleData.csv``) is read as ``eis`` with the columns *assumed* to be
frequency (Hz), Z' (ohm), Z'' (ohm, true sign); the attribute ``columns_assumed`` says so.

The sniff is strict because this reader is the fallback: a header must name the columns
of an impedance or voltammetry table *with units*, the rows must be numeric, and files
carrying a vendor's marks (EC-Lab, Gamry EXPLAIN, ZPlot, NOVA ``WE(1).``, Parstat
``Elapsed Time (s)``, CHI ``Instrument Model:``, VersaStudio ``<Application>``...) are left
to their readers.

Why hand-written: pandas.read_csv could split the rows but not recognise the column roles,
units or sign conventions, which is the whole job here; the splitting is a few lines.
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
from interphase.readers import _cv, _text

NAME = "generic_table"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

# Vendor marks: a file containing one of these belongs to a vendor reader, never to this one.
VENDOR_MARKS = (
    "EC-Lab",
    "EC-LAB",
    "BT-Lab",
    "BT-LAB",
    "EXPLAIN",
    "ZPLOT",
    "ZPlot",
    "Z60W",
    "WE(1).",
    "Elapsed Time (s)",
    "<Application>",
    "Instrument Model:",
    "Data Source:",
    "[Measurement conditions]",
    "Nb header lines",
    "NPOINTS",
    "#FORMAT",
    "Zimg",
)
# Column roles: normalised column names (lower case, no spaces, Z" written Z'') -> role.
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "frequency": ("f", "freq", "freq.", "frequency"),
    "z_real": ("z'", "zre", "zreal", "z_real", "z_re", "re(z)", "rez", "real(z)", "zr"),
    "z_imag": ("z''", "zim", "zimag", "z_imag", "z_im", "im(z)", "imz", "imag(z)", "zi"),
    "potential": ("e", "ewe", "e_we", "potential", "voltage", "u"),
    "current": ("i", "current", "<i>", "i_we"),
    "time": ("t", "time", "elapsedtime"),
    "cycle": ("cycle", "cyclenumber", "cycleno", "cycle_number", "scan"),
}
# The unit each role is converted to (UDUNITS); cycle is a count without unit.
ROLE_UNITS = {
    "frequency": "Hz",
    "z_real": "ohm",
    "z_imag": "ohm",
    "potential": "V",
    "current": "A",
    "time": "s",
}
MIN_DECADES = 2.0  # header-less files: the first column must span this many decades of frequency
MIN_ROWS = 3


@dataclass(frozen=True)
class Column:
    """One header cell: its text, role (or ''), SI factor and whether it holds the negated value."""

    text: str
    role: str
    factor: float
    negated: bool


def delimiter_of(line: str) -> str | None:
    """The delimiter of a line: TAB, then ';', then ',', None for whitespace."""
    for delim in ("\t", ";", ","):
        if delim in line:
            return delim
    return None


def split(line: str, delim: str | None) -> list[str]:
    """The stripped cells of a line, trailing empty cells (a trailing delimiter) dropped."""
    cells = [c.strip().strip('"') for c in (line.split(delim) if delim else line.split())]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def number(cell: str, delim: str | None) -> float:
    """A cell as a number; a comma is a decimal comma unless it is the delimiter."""
    return float(cell) if delim == "," else _text.to_float(cell)


def name_and_unit(cell: str) -> tuple[str, str]:
    """Split 'Z\\' (Ohm)', 'freq/Hz', 'E / V', 'Re(Z)/Ohm' into name and unit ('' when none)."""
    for pattern in (r"^(.+?)\s*/\s*([^/()\[\]]+)$", r"^(.+?)\s*[\(\[]\s*([^()\[\]]+?)\s*[\)\]]$"):
        match = re.match(pattern, cell)
        if match and _text.unit_factor(match.group(2)) is not None:
            return match.group(1).strip(), match.group(2).strip()
    return cell.strip(), ""


def role_of(name: str) -> tuple[str, bool]:
    """The role of a column name and whether it is negated ('-Z\\'\\'' -> ('z_imag', True))."""
    norm = (
        name.lower()
        .replace(" ", "")
        .replace("\u2019", "'")
        .replace("\u2032", "'")
        .replace('"', "''")
    )
    negated = norm[:1] in ("-", "\u2212")
    if negated:
        norm = norm[1:]
    for role, names in ROLE_NAMES.items():
        if norm in names:
            return role, negated
    return "", False


def header_columns(cells: list[str]) -> list[Column]:
    """Interpret header cells; a role whose unit is missing or of the wrong kind gets no role."""
    out = []
    for cell in cells:
        name, unit = name_and_unit(cell)
        role, negated = role_of(name)
        factor = 1.0
        if role in ROLE_UNITS:
            known = _text.unit_factor(unit) if unit else None
            if known is None or known[0] != ROLE_UNITS[role]:
                role = ""
            else:
                factor = known[1]
        out.append(Column(cell, role, factor, negated))
    return out


def table_technique(columns: list[Column]) -> str | None:
    """'eis' when frequency, Z' and Z'' are named, 'cv' for potential and current, else None."""
    roles = [c.role for c in columns if c.role]
    if len(roles) != len(set(roles)):
        return None
    if {"frequency", "z_real", "z_imag"} <= set(roles):
        return "eis"
    if {"potential", "current"} <= set(roles):
        return "cv"
    return None


def content_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, line) of the non-blank lines that are not '#' comments."""
    return [
        (n, line)
        for n, line in enumerate(_text.split_lines(text), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def numeric_rows(lines: list[tuple[int, str]], delim: str | None, ncols: int) -> bool:
    """True when every line has ncols cells that are numbers (NaN and inf count as numbers)."""
    try:
        for _, line in lines:
            cells = split(line, delim)
            if len(cells) != ncols:
                return False
            for cell in cells:
                number(cell, delim)
    except ValueError:
        return False
    return True


def headerless_frequency_ok(freq: np.ndarray) -> bool:
    """A first column that looks like a frequency sweep: positive, monotonic, >= 2 decades."""
    if freq.size < 10 or np.any(freq <= 0):
        return False
    steps = np.diff(freq)
    monotonic = bool(np.all(steps > 0) or np.all(steps < 0))
    return monotonic and math.log10(freq.max() / freq.min()) >= MIN_DECADES


def sniff(path: Path, head: bytes) -> bool:
    """True for a header naming EIS/CV columns with units, or a header-less 3-column spectrum."""
    text = _text.decode(head)
    if any(mark in text[:4096] for mark in VENDOR_MARKS):
        return False
    lines = content_lines(text)
    if len(head) >= (1 << 16) and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut by the 64 KiB head
    if len(lines) < MIN_ROWS + 1:
        return False
    first = lines[0][1]
    delim = delimiter_of(first)
    cells = split(first, delim)
    if numeric_rows(lines[:1], delim, len(cells)):
        if len(cells) != 3 or not numeric_rows(lines, delim, 3):
            return False
        return headerless_frequency_ok(
            np.array([number(split(line, delim)[0], delim) for _, line in lines])
        )
    columns = header_columns(cells)
    return table_technique(columns) is not None and numeric_rows(lines[1:], delim, len(cells))


def parse(
    path: Path, text: str
) -> tuple[list[Column] | None, str | None, np.ndarray, list[int], int]:
    """Header columns (None: header-less), delimiter, rows, their line numbers, the header line."""
    lines = content_lines(text)
    if not lines:
        raise ReadError(path, "line 1", "a header line and numeric rows", "an empty file")
    n0, first = lines[0]
    delim = delimiter_of(first)
    cells = split(first, delim)
    columns = None if numeric_rows(lines[:1], delim, len(cells)) else header_columns(cells)
    body = lines if columns is None else lines[1:]
    ncols = len(cells)
    rows = np.empty((len(body), ncols))
    for k, (n, line) in enumerate(body):
        values = split(line, delim)
        if len(values) != ncols:
            raise ReadError(
                path,
                f"line {n}",
                f"{ncols} cells separated by {delim or 'spaces'!r} (as on line {n0})",
                f"{len(values)}",
            )
        try:
            rows[k] = [number(v, delim) for v in values]
        except ValueError:
            raise ReadError(path, f"line {n}", "a number in every cell", repr(line[:60])) from None
    if not body:
        raise ReadError(path, f"line {n0 + 1}", "numeric rows after the header", "none")
    return columns, delim, rows, [n for n, _ in body], n0


def values_of(columns: list[Column], rows: np.ndarray, role: str) -> np.ndarray | None:
    """The SI values of the column with the given role (sign restored), None when absent."""
    for k, col in enumerate(columns):
        if col.role == role:
            return rows[:, k] * col.factor * (-1.0 if col.negated else 1.0)
    return None


def read(path: Path, technique: str) -> xr.Dataset:
    """Read a delimited table as ``eis`` or ``cv`` from its named columns."""
    path = Path(path)
    columns, delim, rows, line_numbers, header_line = parse(path, _text.decode(path.read_bytes()))
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "instrument": "",
        "software": "",
        "start_time": "",
        "delimiter": {"\t": "tab", ";": "semicolon", ",": "comma", None: "whitespace"}[delim],
        "decimal_mark": "." if delim == "," else "'.' or ','",
    }
    if columns is None:
        if technique != "eis" or rows.shape[1] != 3:
            raise ReadError(
                path,
                f"line {line_numbers[0]}",
                "a header naming the columns with units (only a 3-column spectrum may lack one)",
                f"{rows.shape[1]} numeric columns, no header",
            )
        columns = [
            Column("col1", "frequency", 1.0, False),
            Column("col2", "z_real", 1.0, False),
            Column("col3", "z_imag", 1.0, False),
        ]
        attrs["columns_assumed"] = (
            "no header: columns assumed to be frequency (Hz), Z' (ohm), Z'' (ohm, true sign)"
        )
    else:
        attrs["columns_in_file"] = ", ".join(c.text for c in columns)
        found = table_technique(columns)
        if found != technique:
            raise ReadError(
                path,
                f"line {header_line}",
                f"{technique} columns with units: {expected_columns(technique)}",
                attrs["columns_in_file"],
            )
    if technique == "eis":
        return read_eis(path, columns, rows, line_numbers, attrs)
    return read_cv(path, columns, rows, line_numbers, attrs)


def expected_columns(technique: str) -> str:
    """The columns a technique needs, for error messages."""
    return (
        "frequency, Z', Z'' (or -Z'')"
        if technique == "eis"
        else "potential E and current I (optional time, cycle)"
    )


def read_eis(
    path: Path, columns: list[Column], rows: np.ndarray, line_numbers: list[int], attrs: dict
) -> xr.Dataset:
    """Impedance rows (frequency > 0) as an eis dataset: every sweep, high to low."""
    freq = values_of(columns, rows, "frequency")
    if not np.any(freq > 0):
        place = f"lines {line_numbers[0]}-{line_numbers[-1]}"
        raise ReadError(path, place, "impedance rows with frequency > 0", "none")
    imag_col = next(c for c in columns if c.role == "z_imag")
    attrs["z_imag_in_file"] = (
        "negated (-Z'' column), sign restored" if imag_col.negated else "true sign"
    )
    attrs["dc_potential_V"] = math.nan
    attrs["dc_potential_source"] = (
        "unknown (a generic table states none; give potential_V in measurements.tsv)"
    )
    table = datasets.EisRows(
        freq,
        values_of(columns, rows, "z_real"),
        values_of(columns, rows, "z_imag"),
        [f"line {n}" for n in line_numbers],
        time=values_of(columns, rows, "time"),
        group=values_of(columns, rows, "cycle"),
    )
    return datasets.eis_from_rows(path, table, attrs)


def read_cv(
    path: Path, columns: list[Column], rows: np.ndarray, line_numbers: list[int], attrs: dict
) -> xr.Dataset:
    """A voltammogram: potential, current (anodic positive, as written), time and cycle if given."""
    e = values_of(columns, rows, "potential")
    i = values_of(columns, rows, "current")
    t = values_of(columns, rows, "time")
    cyc = values_of(columns, rows, "cycle")
    if cyc is not None:
        cycle = _cv.cycle_numbers(cyc, cyc.size)
        attrs["cycle_source"] = "cycle column"
    else:
        cycle = _cv.sweep_cycles(e)
        attrs["cycle_source"] = "sweep reversals, two segments a cycle"
    if t is None:
        t = np.full(e.size, math.nan)
        attrs["time_source"] = "absent from the file"
    attrs["scan_rate_V_s"] = _cv.scan_rate_from_data(e, t)
    attrs["scan_rate_source"] = (
        "median |dE/dt| of the data"
        if np.isfinite(attrs["scan_rate_V_s"])
        else "unknown (no time column; give scan_rate_mV_s in measurements.tsv)"
    )
    attrs["current_convention"] = "as written in the file, assumed anodic positive"
    places = [f"line {n}" for n in line_numbers]
    return datasets.cv_from_rows(path, t, e, i, cycle, attrs, places=places, time_long_name="time")
