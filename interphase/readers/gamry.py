"""Gamry Framework "EXPLAIN" .DTA files: potentiostatic EIS (ZCURVE), voltammetry (CURVEk).

Format (Gamry Framework 6-7, checked against real exports in ../shared/realdata):

- line 1 ``EXPLAIN``, line 2 ``TAG<TAB>EISPOT`` (or ``CV``, ``EISGALV``...);
- header lines ``KEY<TAB>TYPE<TAB>VALUE[<TAB>more]<TAB>description``; a ``POTEN`` value is
  followed by a ``T``/``F`` flag meaning "versus open circuit" (``VDC -0.05 T`` = 50 mV below
  E_oc); ``NOTES<TAB>NOTES<TAB>n`` is followed by n free-text lines;
- tables ``NAME<TAB>TABLE[<TAB>npoints]``, then a column-name row, a unit row and the data rows,
  all starting with a TAB; a table ends at the first line that does not start with a TAB;
- ``OCVCURVE`` (open-circuit record) comes before ``ZCURVE`` in EIS files; CV files hold one
  ``CURVEk`` table a cycle; ``EXPERIMENTABORTED`` marks a run stopped early.
- ISO-8859-1 text (``°`` in the Zphz unit), CRLF or LF, decimal commas where a German locale
  wrote the file (cells are TAB-separated, so a comma can only be a decimal mark).

Gamry writes ``Zimag`` with its true sign (a capacitive arc has Zimag < 0), so it is taken
as it is.  ``Im`` is in A, ``Vf`` in V versus the reference electrode, anodic current positive
(Gamry's default ``CONVENTION 1``; the value is kept in the attribute ``current_convention``).

CV cycles: table ``CURVEk`` becomes cycle k, every table kept, even the one-point ``CURVE11``
Gamry writes after the last full cycle (the closing point of the sweep).  Readers return what
the file holds; choosing a *complete* cycle is the analysis's job
(:func:`interphase.cv.peaks.complete_cycles`).

Why hand-written: ``impedance.preprocessing.readGamry`` reads only ZCURVE by column position
and no metadata or CV; the PyPI parsers (``gamry-parser``, ``gamry-dta``) return polars frames
and would add polars as a dependency for a format this simple.  This module is ~200 lines of
plain splitting with the quirks above handled and tested on real files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers._text import decode, float_or, split_lines, to_float

NAME = "gamry_dta"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

# Gamry Framework writes ISO-8859-1 (° in the Zphz unit); a BOM, if any, still decides.
ENCODINGS = ("iso-8859-1",)
_CURVE = re.compile(r"^CURVE(\d+)$")
_ZCURVE = re.compile(r"^ZCURVE\d*$")
# Gamry TAGs of potential sweeps (CV, LSV, RCV...); another TAG declared as cv is refused.
SWEEP_TAGS = ("CV", "LSV", "SWEEP")


@dataclass
class Table:
    """One TABLE block: name, column names, unit row, data cells and lines (1-based)."""

    name: str
    columns: list[str]
    units: list[str]
    rows: list[list[str]] = field(default_factory=list)
    first_line: int = 0
    lines: list[int] = field(default_factory=list)  # 1-based line of each row

    def places(self) -> list[str]:
        """'table NAME, line N' for every row."""
        return [f"table {self.name}, line {n}" for n in self.lines]


@dataclass
class DtaFile:
    """The parsed content of a .DTA file."""

    tag: str
    header: dict[str, list[str]]
    notes: list[str]
    tables: list[Table]  # in file order (a name may repeat)
    aborted: bool

    def named(self, pattern: re.Pattern) -> list[Table]:
        """The tables with data whose name matches ``pattern``, in file order."""
        return [t for t in self.tables if pattern.match(t.name) and t.rows]

    def names(self) -> str:
        """The table names, for messages."""
        return ", ".join(t.name for t in self.tables) or "no table"


def sniff(path: Path, head: bytes) -> bool:
    """True when the file starts with the EXPLAIN line and has a TAG line."""
    text = head.lstrip(b"\xef\xbb\xbf")[:4096]
    return text.startswith(b"EXPLAIN") and b"\nTAG\t" in text.replace(b"\r", b"")


def parse(path: Path, text: str) -> DtaFile:
    """Split a .DTA text into its tag, header keys, notes and tables."""
    lines = split_lines(text)
    if not lines or lines[0].strip().lstrip("\ufeff") != "EXPLAIN":
        raise ReadError(
            path,
            "line 1",
            "'EXPLAIN' (a Gamry .DTA file)",
            repr(lines[0][:40]) if lines else "an empty file",
        )
    header: dict[str, list[str]] = {}
    notes: list[str] = []
    tables: list[Table] = []
    tag = ""
    aborted = False
    i = 1
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith(("\t", " ")):
            i += 1
            continue
        cells = line.split("\t")
        key = cells[0].strip()
        kind = cells[1].strip() if len(cells) > 1 else ""
        if key == "TAG":
            tag = kind
        elif key == "EXPERIMENTABORTED":
            aborted = True
        elif kind == "NOTES":
            n = int(to_float(cells[2])) if len(cells) > 2 and cells[2].strip() else 0
            notes = [lines[j].strip() for j in range(i + 1, min(i + 1 + n, len(lines)))]
            i += 1 + n
            continue
        elif kind == "TABLE":
            i = _parse_table(path, lines, i, key, tables)
            continue
        header[key] = [c.strip() for c in cells[1:]]
        i += 1
    return DtaFile(tag, header, [n for n in notes if n], tables, aborted)


def _parse_table(path: Path, lines: list[str], i: int, name: str, tables: list[Table]) -> int:
    """Read the TABLE starting at line index i into ``tables``; return the index after it."""
    if i + 2 >= len(lines) or not lines[i + 1].startswith("\t"):
        raise ReadError(
            path,
            f"line {i + 2}",
            f"the column names of table {name}",
            "end of file" if i + 1 >= len(lines) else repr(lines[i + 1][:40]),
        )
    columns = [c.strip() for c in lines[i + 1].split("\t")[1:]]
    units = [c.strip() for c in lines[i + 2].split("\t")[1:]]
    table = Table(name, columns, units, first_line=i + 4)
    j = i + 3
    while j < len(lines) and (lines[j].startswith("\t") or not lines[j].strip()):
        if lines[j].strip():
            table.rows.append(lines[j].split("\t")[1:])
            table.lines.append(j + 1)
        j += 1
    tables.append(table)
    return j


def column(path: Path, table: Table, name: str) -> np.ndarray:
    """One numeric column of a table as floats, or ReadError naming the bad cell's line."""
    if name not in table.columns:
        raise ReadError(
            path,
            f"table {table.name}, line {table.first_line - 2}",
            f"a column '{name}'",
            ", ".join(table.columns),
        )
    k = table.columns.index(name)
    out = np.empty(len(table.rows))
    for n, cells in enumerate(table.rows):
        try:
            out[n] = to_float(cells[k])
        except (IndexError, ValueError):
            found = repr(cells[k]) if k < len(cells) else f"{len(cells)} cells"
            place = f"table {table.name}, line {table.lines[n]}"
            raise ReadError(path, place, f"a number in column '{name}'", found) from None
    return out


def header_float(dta: DtaFile, key: str) -> float:
    """The numeric value of a header key, NaN when absent or not a number."""
    values = dta.header.get(key) or []
    return float_or(values[1] if len(values) > 1 else None)


def header_flag(dta: DtaFile, key: str) -> bool | None:
    """The T/F flag following a POTEN value (True = versus open circuit), None when absent."""
    values = dta.header.get(key)
    if not values or len(values) < 3 or values[2] not in ("T", "F"):
        return None
    return values[2] == "T"


def start_time(date: str, time: str) -> str:
    """ISO 8601 start time from Gamry's DATE (d.m.yyyy or m/d/yyyy, locale-dependent) and TIME."""
    for fmt in ("%d.%m.%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(f"{date} {time}", fmt).isoformat()
        except ValueError:
            continue
    return ""


def common_attrs(dta: DtaFile) -> dict:
    """Attributes every Gamry dataset carries: instrument, software, start time, area, notes."""
    date = dta.header.get("DATE", ["", ""])[1] if len(dta.header.get("DATE", [])) > 1 else ""
    time = dta.header.get("TIME", ["", ""])[1] if len(dta.header.get("TIME", [])) > 1 else ""
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "gamry_tag": dta.tag,
        "instrument": dta.header.get("PSTAT", ["", ""])[1]
        if len(dta.header.get("PSTAT", [])) > 1
        else "",
        "software": "Gamry Framework "
        + (
            dta.header.get("FRAMEWORKVERSION", ["", ""])[1]
            if len(dta.header.get("FRAMEWORKVERSION", [])) > 1
            else ""
        ),
        "start_time": start_time(date, time),
        "file_date": date,
        "file_time": time,
        "notes": "\n".join(dta.notes),
        "experiment_aborted": int(dta.aborted),
    }
    area = header_float(dta, "AREA")
    if math.isfinite(area):
        attrs["area_in_file_cm2"] = area
    convention = header_float(dta, "CONVENTION")
    if math.isfinite(convention):
        attrs["current_convention"] = int(convention)
    return attrs


def read(path: Path, technique: str) -> xr.Dataset:
    """Read a Gamry .DTA file as an ``eis`` spectrum (ZCURVE) or a ``cv`` (CURVE1..n)."""
    path = Path(path)
    text = decode(path.read_bytes(), ENCODINGS)
    dta = parse(path, text)
    if technique == "eis":
        return read_eis(path, dta)
    if technique == "cv":
        return read_cv(path, dta)
    raise ReadError(path, "technique", "one of " + ", ".join(TECHNIQUES), repr(technique))


def read_eis(path: Path, dta: DtaFile) -> xr.Dataset:
    """The ZCURVE table(s) as an eis dataset: one sweep a table (or a frequency restart)."""
    tables = dta.named(_ZCURVE)
    if not tables:
        expected = "a ZCURVE table with data (an EIS file)"
        raise ReadError(path, "tables", expected, dta.names())
    parts = [
        (
            column(path, t, "Freq"),
            column(path, t, "Zreal"),
            column(path, t, "Zimag"),
            column(path, t, "Time") if all("Time" in u.columns for u in tables) else None,
            np.full(len(t.rows), k),
        )
        for k, t in enumerate(tables)
    ]
    freq, zr, zi, time, group = (
        np.concatenate(values) if values[0] is not None else None for values in zip(*parts)
    )
    places = [place for t in tables for place in t.places()]
    rows = datasets.EisRows(freq, zr, zi, places, time=time, group=group)
    attrs = common_attrs(dta)
    attrs.update(dc_potential_attrs(dta, tables[0], path))
    return datasets.eis_from_rows(path, rows, attrs, time_long_name="time since start of the sweep")


def dc_potential_attrs(dta: DtaFile, table: Table, path: Path) -> dict:
    """dc_potential_V versus the reference, from VDC (+ EOC when VDC is vs open circuit)."""
    vdc = header_float(dta, "VDC")
    vs_oc = header_flag(dta, "VDC")
    eoc = header_float(dta, "EOC")
    out = {"dc_potential_setpoint_V": vdc, "dc_potential_setpoint_vs": "Eoc" if vs_oc else "Eref"}
    if math.isfinite(vdc) and not vs_oc:
        out["dc_potential_V"] = vdc
        out["dc_potential_source"] = "VDC header (vs Eref)"
    elif math.isfinite(vdc) and vs_oc and math.isfinite(eoc):
        out["dc_potential_V"] = vdc + eoc
        out["dc_potential_source"] = "VDC header (vs Eoc) + EOC, i.e. vs Eref"
    elif "Vdc" in table.columns:
        out["dc_potential_V"] = float(np.median(column(path, table, "Vdc")))
        out["dc_potential_source"] = "median of the Vdc column (vs Eref)"
    else:
        out["dc_potential_V"] = math.nan
        out["dc_potential_source"] = "unknown"
    out["dc_potential_reference"] = "vs Eref"
    return out


def overloaded(table: Table) -> np.ndarray:
    """True for rows whose 'Over' flags show an overload ('.' means none in every position)."""
    if "Over" not in table.columns:
        return np.zeros(len(table.rows), dtype=bool)
    k = table.columns.index("Over")
    flags = [cells[k].strip() if k < len(cells) else "" for cells in table.rows]
    return np.array([bool(f.strip(".")) for f in flags], dtype=bool)


def read_cv(path: Path, dta: DtaFile) -> xr.Dataset:
    """The CURVE1..CURVEn tables as one cv dataset, table k giving cycle k.

    Rows whose 'Over' column flags an overload (any character but '.') are dropped, counted
    in the quality note (the measurement is flagged).
    """
    if dta.tag and not any(word in dta.tag.upper() for word in SWEEP_TAGS):
        found = f"a Gamry {dta.tag} record (TAG {dta.tag})"
        raise ReadError(
            path, "TAG line", "a voltammogram (cv), as measurements.tsv declares", found
        )
    tables = dta.named(_CURVE)
    if not tables:
        expected = "CURVE1..CURVEn tables with data (a CV file)"
        raise ReadError(path, "tables", expected, dta.names())
    curves = sorted(tables, key=lambda t: int(_CURVE.match(t.name).group(1)))
    parts = {"time": [], "potential": [], "current": [], "cycle": [], "over": []}
    for table in curves:
        parts["time"].append(column(path, table, "T"))
        parts["potential"].append(column(path, table, "Vf"))
        parts["current"].append(column(path, table, "Im"))
        k = int(_CURVE.match(table.name).group(1))
        parts["cycle"].append(np.full(len(table.rows), k, dtype=np.int32))
        parts["over"].append(overloaded(table))
    cat = {name: np.concatenate(values) for name, values in parts.items()}
    first = curves[0]
    reference = (
        first.units[first.columns.index("Vf")]
        if "Vf" in first.columns and len(first.units) == len(first.columns)
        else ""
    )
    attrs = common_attrs(dta)
    scan_mV_s = header_float(dta, "SCANRATE")
    attrs["scan_rate_V_s"] = scan_mV_s / 1000.0  # Gamry SCANRATE is in mV/s
    attrs["potential_reference"] = reference
    attrs["points_per_cycle"] = ", ".join(
        f"{int(_CURVE.match(t.name).group(1))}:{len(t.rows)}" for t in curves
    )
    return datasets.cv_from_rows(
        path,
        cat["time"],
        cat["potential"],
        cat["current"],
        cat["cycle"],
        attrs,
        places=[place for t in curves for place in t.places()],
        overload=cat["over"],
        time_long_name="time",
        cycle_long_name="cycle number (CURVEk table)",
    )
