"""BioLogic EC-Lab ASCII export (.mpt): impedance spectra (PEIS/GEIS) and voltammograms.

Why a parser of our own: galvani's ``MPTfile`` wants the magic line with CRLF exactly, an
ASCII (or given) encoding, and refuses any column name outside its whitelist; it does
not read the header's settings (area, E (V), dE/dt). impedance.py's
``preprocessing.readBioLogic`` fails on decimal commas and reads no metadata. yadg
reads .mpt but is not installed and pulls a large dependency tree. The format is
simple: a magic line, ``Nb header lines : N``, N-3 free header lines, a tab-separated
column header (line N) and tab-separated rows; so it is read here in ~200 lines.

Quirks handled (realdata/README.md): 'EC-Lab' / 'EC-LAB' / 'BT-Lab' spelling, cp1252
(µ, ², °) or UTF-8 (with or without BOM), CRLF / CR CR LF / LF, a trailing tab that makes
an empty last column, decimal commas in data and header, no final newline, -Im(Z)
written positive for a capacitive arc, current in mA, cycle numbers starting at 0.

Dates: EC-Lab writes 'Acquisition started on : MM/DD/YYYY HH:MM:SS[.fff]' in every
locale (yadg's eclab extractor makes the same assumption); the raw text is kept too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers._cv import cycle_numbers
from interphase.readers._text import decode, si_factor, split_lines, to_float

NAME = "biologic_mpt"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

MAGICS = ("EC-LAB ASCII FILE", "BT-LAB ASCII FILE")
_COUNT_RE = re.compile(r"^\s*Nb header lines\s*:\s*(\d+)\s*$")
# Units a current column may be written in (the factor to A comes from the toolkit).
_CURRENT_UNITS = ("A", "mA", "µA", "uA", "nA")
# Words of EC-Lab technique names that are not potential sweeps (GCPL, Modulo Bat's
# galvanostatic steps, chronoamperometry/-potentiometry, OCV, impedance).
NOT_SWEEPS = ("galvano", "chrono", "open circuit", "impedance", "gcpl", "constant current")


def sniff(path: Path, head: bytes) -> bool:
    """True when the file starts with an EC-Lab (or BT-Lab) ASCII magic line."""
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip().upper()
    return first.decode("latin-1") in MAGICS


def header_count(lines: list[str], path: Path) -> int:
    """The 'Nb header lines : N' value, checked against the file."""
    if not lines or lines[0].strip().upper() not in MAGICS:
        raise ReadError(
            path, "line 1", "'EC-Lab ASCII FILE'", repr(lines[0][:40]) if lines else "an empty file"
        )
    match = _COUNT_RE.match(lines[1]) if len(lines) > 1 else None
    if not match:
        raise ReadError(
            path,
            "line 2",
            "'Nb header lines : N'",
            repr(lines[1][:40]) if len(lines) > 1 else "end of file",
        )
    count = int(match.group(1))
    if count < 3 or count > len(lines):
        raise ReadError(
            path, "line 2", f"a header line count between 3 and {len(lines)}", str(count)
        )
    return count


def column_names(line: str, path: Path, line_no: int) -> list[str]:
    """Column names of the tab-separated column header, without the trailing empty column."""
    names = line.split("\t")
    while names and names[-1].strip() == "":
        names.pop()
    if len(names) < 2:
        raise ReadError(
            path,
            f"line {line_no}",
            "the tab-separated column header (the count in line 2 may be wrong)",
            repr(line[:60]),
        )
    return [n.strip() for n in names]


def header_value(header: list[str], key: str) -> str | None:
    """The text after 'key :' in the free header, or None."""
    for line in header:
        left, sep, right = line.partition(" : ")
        if sep and left.strip() == key:
            return right.strip()
        if line.strip() == f"{key} :":
            return ""
    return None


def setting_values(header: list[str], key: str) -> list[list[str]]:
    """Values of a fixed-width setting row ('E (V)   4.0000   ...'), one list per occurrence."""
    out = []
    for line in header:
        if line[:20].rstrip() == key and len(line) > 20:
            cells = [line[i : i + 20].strip() for i in range(20, len(line), 20)]
            out.append(cells)
    return out


def first_setting(header: list[str], key: str) -> str | None:
    """The first column's value of the first occurrence of a technique setting, or None."""
    rows = setting_values(header, key)
    if not rows or not rows[0] or rows[0][0] == "":
        return None
    return rows[0][0]


def area_cm2(header: list[str]) -> float:
    """The 'Electrode surface area' in cm² (NaN when absent or in an unknown unit)."""
    text = header_value(header, "Electrode surface area")
    if not text:
        return math.nan
    match = re.match(r"([-+0-9.,Ee]+)\s*(\S*)", text)
    factor = si_factor(match.group(2), "cm2") if match else None
    if factor is None:
        return math.nan
    return to_float(match.group(1)) * factor


def scan_rate_V_s(header: list[str]) -> float:
    """The CV setting dE/dt in V/s ('dE/dt' value with its 'dE/dt unit' row); NaN when not found."""
    value = first_setting(header, "dE/dt")
    if value is None:
        return math.nan
    factor = si_factor(first_setting(header, "dE/dt unit") or "mV/s", "V s-1")
    try:
        return to_float(value) * factor if factor is not None else math.nan
    except ValueError:
        return math.nan


def start_time(header: list[str]) -> tuple[str, str]:
    """Acquisition start as ISO 8601 (EC-Lab writes MM/DD/YYYY) and as written."""
    raw = header_value(header, "Acquisition started on") or ""
    for fmt in ("%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(raw, fmt).isoformat(), raw
        except ValueError:
            continue
    return "", raw


def header_attrs(header: list[str]) -> dict:
    """Attributes every BioLogic dataset gets from the free header."""
    software_line = next((line for line in header if line.strip().endswith("(software)")), "")
    software = software_line.replace("(software)", "").strip()
    version = re.search(r"v(\d+(?:\.\d+)*)", software)
    iso, raw = start_time(header)
    attrs = {
        "instrument": header_value(header, "Device") or "",
        "software": software,
        "software_version": version.group(1) if version else "",
        "start_time": iso,
        "start_time_as_written": raw,
        "instrument_technique": header[3].strip() if len(header) > 3 else "",
    }
    area = area_cm2(header)
    if math.isfinite(area):
        attrs["area_in_file_cm2"] = area
    return attrs


@dataclass
class Table:
    """The data table of an export: column names, rows of text fields and their line numbers."""

    path: Path
    names: list[str]
    rows: list[list[str]]
    lines: list[int]

    @property
    def header_line(self) -> int:
        """The line number of the column header."""
        return self.lines[0] - 1 if self.lines else 0

    def places(self) -> list[str]:
        """'line N' for every row."""
        return [f"line {n}" for n in self.lines]


def column(table: Table, wanted: tuple[str, ...]) -> np.ndarray | None:
    """The first of the ``wanted`` columns present, as floats; None when none is present.

    Only the columns asked for are parsed, so text columns the layout does not need never
    stop a file; 'NaN' or 'inf' cells are kept (the layout builder drops those rows).
    """
    name = next((w for w in wanted if w in table.names), None)
    if name is None:
        return None
    j = table.names.index(name)
    out = np.empty(len(table.rows))
    for i, fields in enumerate(table.rows):
        try:
            out[i] = to_float(fields[j])
        except (IndexError, ValueError):
            found = repr(fields[j]) if j < len(fields) else f"only {len(fields)} fields"
            place = f"line {table.lines[i]}, column '{name}'"
            raise ReadError(table.path, place, "a number", found) from None
    return out


def require(table: Table, wanted: tuple[str, ...], technique: str) -> np.ndarray:
    """The first of the ``wanted`` columns, or a ReadError saying which a technique needs."""
    values = column(table, wanted)
    if values is None:
        names = table.names
        listed = f"columns {', '.join(names[:12])}{'...' if len(names) > 12 else ''}"
        expected = f"a column {' or '.join(repr(w) for w in wanted)} for {technique}"
        raise ReadError(table.path, f"line {table.header_line} (column header)", expected, listed)
    return values


def parse(path: Path) -> tuple[list[str], Table]:
    """Header lines and the data table (rows with their 1-based line numbers)."""
    lines = split_lines(decode(Path(path).read_bytes()))
    count = header_count(lines, path)
    header = lines[: count - 1]
    names = column_names(lines[count - 1], path, count)
    numbered = [(n, line) for n, line in enumerate(lines[count:], start=count + 1) if line.strip()]
    if not numbered:
        raise ReadError(path, f"line {count + 1}", "at least one data row", "end of file")
    rows = [line.split("\t") for _, line in numbered]
    return header, Table(Path(path), names, rows, [n for n, _ in numbered])


def dc_potential(header: list[str], mean_ewe: float) -> tuple[float, str]:
    """The DC potential of a PEIS: the 'E (V)' setting when it is vs. Ref, else the mean <Ewe>/V."""
    value, versus = None, None
    for i, line in enumerate(header):
        if line[:20].rstrip() == "E (V)" and len(line) > 20:
            value = line[20:40].strip()
            following = header[i + 1] if i + 1 < len(header) else ""
            versus = following[20:40].strip() if following[:20].rstrip() == "vs." else None
            break
    if value is not None and versus == "Ref":
        try:
            return to_float(value), "setting 'E (V)' vs. Ref"
        except ValueError:
            pass
    if math.isfinite(mean_ewe):
        return mean_ewe, "mean of <Ewe>/V"
    return math.nan, "unknown"


def reference_attrs(header: list[str]) -> dict:
    """``reference_electrode`` as the header states it ('Reference electrode : ...'), if it does."""
    text = header_value(header, "Reference electrode")
    return {"reference_electrode": text} if text else {}


def read_eis(path: Path) -> xr.Dataset:
    """An impedance record: one spectrum, or every sweep of a file holding several."""
    header, table = parse(path)
    freq = require(table, ("freq/Hz",), "eis")
    z_real = require(table, ("Re(Z)/Ohm",), "eis")
    z_imag = -require(table, ("-Im(Z)/Ohm",), "eis")
    ewe = column(table, ("<Ewe>/V", "Ewe/V"))
    mean_ewe = float(np.nanmean(ewe)) if ewe is not None and ewe.size else math.nan
    potential, source = dc_potential(header, mean_ewe)
    rows = datasets.EisRows(
        freq,
        z_real,
        z_imag,
        table.places(),
        time=column(table, ("time/s",)),
        group=column(table, ("cycle number",)),
        potential=ewe if source == "mean of <Ewe>/V" else None,
    )
    attrs = {**header_attrs(header), **reference_attrs(header)}
    attrs.update(
        {
            "dc_potential_V": potential,
            "dc_potential_source": source,
            "reader": NAME,
            "reader_version": VERSION,
        }
    )
    long_name = "time since the start of the technique"
    return datasets.eis_from_rows(path, rows, attrs, time_long_name=long_name)


def current_column(names: list[str]) -> tuple[str, float] | None:
    """The name of the current column ('<I>/mA' preferred over 'I/mA') and its factor to A."""
    for prefix in ("<I>/", "I/"):
        for unit in _CURRENT_UNITS:
            if prefix + unit in names:
                return prefix + unit, si_factor(unit, "A")
    return None


def not_a_voltammogram(technique_name: str, control: str) -> str | None:
    """What an EC-Lab record is when it cannot be a voltammogram, None when it may be one.

    ``technique_name`` is the technique the file names ('Cyclic Voltammetry', 'Modulo Bat',
    'Galvanostatic Cycling with Potential Limitation'...), ``control`` the control mode
    found in the data ('galvanostatic' for a control current column, else '').
    """
    name = technique_name.strip()
    if "voltammetry" in name.lower():
        return None
    if control == "galvanostatic":
        return f"an EC-Lab '{name or 'unnamed'}' record under current control (galvanostatic)"
    if any(word in name.lower() for word in NOT_SWEEPS):
        return f"an EC-Lab '{name}' record"
    return None


def control_mode(names: list[str] | tuple[str, ...]) -> str:
    """'galvanostatic' when the record has a control current column and no control potential."""
    current = any(n.startswith("control/") and n.endswith("A") for n in names)
    return "galvanostatic" if current and "control/V" not in names else ""


def refuse_non_voltammogram(path: Path, place: str, technique_name: str, names) -> None:
    """ReadError when an EC-Lab record declared as cv holds something else (GCPL, Modulo Bat...)."""
    found = not_a_voltammogram(technique_name, control_mode(names))
    if found:
        expected = "a voltammogram (cv), as measurements.tsv declares"
        raise ReadError(path, place, expected, found)


def read_cv(path: Path) -> xr.Dataset:
    """A voltammogram (an EC-Lab CV, LSV or potentiostatic sweep), in acquisition order."""
    header, table = parse(path)
    place = f"line {table.header_line} (column header)"
    if "freq/Hz" in table.names:
        found = "an impedance record (freq/Hz column)"
        raise ReadError(path, place, "a time record with Ewe and I (cv)", found)
    technique_name = header[3].strip() if len(header) > 3 else ""
    refuse_non_voltammogram(
        path, "line 4 (technique) and column header", technique_name, table.names
    )
    time = require(table, ("time/s",), "cv")
    potential = require(table, ("Ewe/V", "<Ewe>/V"), "cv")
    found = current_column(table.names)
    if found is None:
        require(table, ("<I>/mA", "I/mA"), "cv")
    name, factor = found
    current = column(table, (name,)) * factor
    cycles = cycle_numbers(column(table, ("cycle number",)), len(table.rows))
    control = column(table, ("control/V",))
    extra = {}
    if control is not None:
        long_name = "potential set by the potentiostat"
        extra["control_potential"] = datasets.variable("point", control, "V", long_name)
    attrs = {**header_attrs(header), **reference_attrs(header)}
    attrs.update(
        {"scan_rate_V_s": scan_rate_V_s(header), "reader": NAME, "reader_version": VERSION}
    )
    return datasets.cv_from_rows(
        path, time, potential, current, cycles, attrs, places=table.places(), extra=extra
    )


def read(path: Path, technique: str) -> xr.Dataset:
    """The EC-Lab text export at ``path`` as an ``eis`` or ``cv`` dataset."""
    path = Path(path)
    if technique == "eis":
        return read_eis(path)
    if technique == "cv":
        return read_cv(path)
    expected = f"a technique this reader handles ({', '.join(TECHNIQUES)})"
    raise ReadError(path, None, expected, repr(technique))
