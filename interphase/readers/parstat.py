"""Princeton Applied Research text exports: Parstat tab-separated tables and PowerSuite EIS exports.

Two variants (checked against real exports in ../shared/realdata):

Parstat
    first line ``Potential (V)<TAB>Current (A)<TAB>Elapsed Time (s)<TAB>Frequency (Hz)<TAB>
    Zre (ohms)<TAB>Zim (ohms)<TAB>|Vac| (V)<TAB>|Iac| (A)<TAB>`` and one row a line, every
    line ending in a TAB (an empty last cell).  A DC record (rows with ``Frequency = 0``,
    e.g. a potentiostatic or galvanostatic hold) may come before the impedance rows: for
    ``eis`` those rows are dropped (their count is kept in ``dc_rows_dropped``); for ``cv``
    they are the data, but only when they are a potential sweep (span >= 50 mV and a
    steady |dE/dt|), else ReadError.  ``Zim`` has its true sign (the example's low-frequency
    arc is negative), current is anodic positive (the example's hold discharges a cathode
    with negative current while its potential falls).
PowerSuite
    first line ``Frequency<TAB> Zre<TAB> Zimg``, cells TAB + space separated, line ends
    CR CR LF, frequency ascending (reordered to decreasing here); Hz and ohm, ``Zimg`` with
    its true sign.  EIS only.

Cells are TAB separated, so a comma in a cell can only be a decimal comma.

Why hand-written: ``impedance.preprocessing.readParstat``/``readPowerSuite`` read the
impedance columns by position, drop every header value and fail on decimal commas; no
maintained package reads these exports with their DC record.  The format is one header line
and a TAB-separated table.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers import _cv, _text

NAME = "parstat"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

POWERSUITE_COLUMNS = ["Frequency", "Zre", "Zimg"]
_NAME_UNIT = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def cells_of(line: str) -> list[str]:
    """The stripped TAB-separated cells of a line, trailing empty cells (trailing TABs) dropped."""
    cells = [c.strip() for c in line.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def first_cells(head: bytes) -> list[str]:
    """The cells of the first non-empty line of a file's head."""
    for line in _text.split_lines(_text.decode(head[:4096])):
        if line.strip():
            return cells_of(line)
    return []


def variant(cells: list[str]) -> str | None:
    """'parstat', 'powersuite' or None from the first line's cells."""
    if cells[:3] == POWERSUITE_COLUMNS:
        return "powersuite"
    if (
        len(cells) >= 3
        and cells[0] == "Potential (V)"
        and cells[1] == "Current (A)"
        and "Elapsed Time (s)" in cells
    ):
        return "parstat"
    return None


def sniff(path: Path, head: bytes) -> bool:
    """True when the first line is a Parstat or a PowerSuite column header."""
    return variant(first_cells(head)) is not None


def parse(path: Path, text: str) -> tuple[list[str], np.ndarray, list[int]]:
    """Column names, the numeric table (rows x columns) and each row's 1-based line number."""
    lines = _text.split_lines(text)
    k = next((i for i, line in enumerate(lines) if line.strip()), None)
    if k is None:
        raise ReadError(path, "line 1", "a Parstat or PowerSuite column header", "an empty file")
    names = cells_of(lines[k])
    rows: list[list[float]] = []
    line_numbers: list[int] = []
    for n in range(k + 1, len(lines)):
        if not lines[n].strip():
            continue
        cells = cells_of(lines[n])
        if len(cells) != len(names):
            raise ReadError(
                path,
                f"line {n + 1}",
                f"{len(names)} TAB-separated cells ({', '.join(names)})",
                f"{len(cells)}",
            )
        try:
            rows.append([_text.to_float(c) for c in cells])
        except ValueError:
            raise ReadError(
                path, f"line {n + 1}", "numbers in every cell", repr(lines[n][:60])
            ) from None
        line_numbers.append(n + 1)
    if not rows:
        raise ReadError(path, f"line {k + 2}", "data rows after the column header", "none")
    return names, np.array(rows), line_numbers


def column(path: Path, names: list[str], table: np.ndarray, name: str) -> np.ndarray:
    """A column by its name (unit in parentheses ignored), or ReadError listing the columns."""
    for k, full in enumerate(names):
        match = _NAME_UNIT.match(full)
        if full == name or (match and match.group(1) == name):
            return table[:, k]
    raise ReadError(path, "line 1", f"a column '{name}'", ", ".join(names))


def read(path: Path, technique: str) -> xr.Dataset:
    """Read a Parstat or PowerSuite text export as ``eis`` or ``cv``."""
    path = Path(path)
    raw = path.read_bytes()
    kind = variant(first_cells(raw))
    if kind is None:
        raise ReadError(
            path,
            "line 1",
            "a Parstat ('Potential (V)<TAB>Current (A)...') "
            "or PowerSuite ('Frequency<TAB> Zre<TAB> Zimg') header",
            repr(first_cells(raw)[:4]),
        )
    names, table, line_numbers = parse(path, _text.decode(raw))
    if technique == "eis":
        return read_eis(path, kind, names, table, line_numbers)
    if technique == "cv":
        if kind == "powersuite":
            raise ReadError(
                path,
                "line 1",
                "a Parstat table with Potential and Current columns (cv)",
                "a PowerSuite impedance export",
            )
        return read_cv(path, names, table, line_numbers)
    raise ReadError(path, "technique", "one of " + ", ".join(TECHNIQUES), repr(technique))


def read_eis(
    path: Path, kind: str, names: list[str], table: np.ndarray, line_numbers: list[int]
) -> xr.Dataset:
    """The impedance rows (frequency > 0) as an eis dataset, frequency high to low."""
    if kind == "powersuite":
        freq, zr, zi = table[:, 0], table[:, 1], table[:, 2]
        time = None
        potential = None
    else:
        freq = column(path, names, table, "Frequency")
        zr = column(path, names, table, "Zre")
        zi = column(path, names, table, "Zim")
        time = column(path, names, table, "Elapsed Time")
        potential = column(path, names, table, "Potential")
    keep = freq > 0
    if not np.any(keep):
        raise ReadError(
            path,
            f"lines {line_numbers[0]}-{line_numbers[-1]}",
            "impedance rows (Frequency (Hz) > 0)",
            f"only {freq.size} DC rows with Frequency 0",
        )
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "file_variant": kind,
        "instrument": "Princeton Applied Research PARSTAT"
        if kind == "parstat"
        else "Princeton Applied Research (PowerSuite)",
        "software": "" if kind == "parstat" else "PowerSuite",
        "start_time": "",
    }
    if potential is not None:
        attrs["dc_potential_V"] = float(np.nanmedian(potential[keep]))
        attrs["dc_potential_source"] = (
            "median of the Potential (V) column over the impedance rows (vs reference)"
        )
    else:
        attrs["dc_potential_V"] = math.nan
        attrs["dc_potential_source"] = "unknown (PowerSuite export has no potential)"
    places = [f"line {n}" for n in line_numbers]
    rows = datasets.EisRows(freq, zr, zi, places, time=time)
    long_name = "elapsed time since start of the run"
    return datasets.eis_from_rows(path, rows, attrs, time_long_name=long_name)


def read_cv(path: Path, names: list[str], table: np.ndarray, line_numbers: list[int]) -> xr.Dataset:
    """The DC rows (frequency 0, or all without a Frequency column) as a cv, if they sweep."""
    potential = column(path, names, table, "Potential")
    current = column(path, names, table, "Current")
    time = column(path, names, table, "Elapsed Time")
    has_freq = any(n.startswith("Frequency") for n in names)
    dc = (
        column(path, names, table, "Frequency") == 0
        if has_freq
        else np.ones(potential.size, dtype=bool)
    )
    e, i, t = potential[dc], current[dc], time[dc]
    if not _cv.is_sweep(e, t):
        span = float(e.max() - e.min()) if e.size else 0.0
        raise ReadError(
            path,
            "DC rows",
            "a potential sweep (span >= 50 mV at a steady dE/dt) for cv",
            f"{e.size} DC rows spanning {span * 1e3:.1f} mV",
        )
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "file_variant": "parstat",
        "instrument": "Princeton Applied Research PARSTAT",
        "software": "",
        "start_time": "",
        "scan_rate_V_s": _cv.scan_rate_from_data(e, t),
        "scan_rate_source": "median |dE/dt| of the data (the file states no scan rate)",
        "current_convention": "anodic positive (as written by the Parstat)",
        "cycle_source": "sweep reversals, two segments a cycle",
    }
    places = [f"line {n}" for n, row_is_dc in zip(line_numbers, dc) if row_is_dc]
    long_name = "elapsed time since start of the run"
    cycles = _cv.sweep_cycles(e)
    return datasets.cv_from_rows(
        path, t, e, i, cycles, attrs, places=places, time_long_name=long_name
    )
