"""CH Instruments (CHI 6xx/7xx) "Convert to txt" exports: A.C. Impedance and Cyclic Voltammetry.

Format (checked against a CHI660E export in ../shared/realdata):

- line 1 the date and time (``Feb. 20, 2020   15:55:08``), line 2 the technique
  (``A.C. Impedance``, ``Cyclic Voltammetry``);
- ``Key: value`` lines (``File:``, ``Data Source:``, ``Instrument Model:  CHI660E``,
  ``Header:``, ``Note:``), then a ``Key (unit) = value`` block (``Init E (V) = 0``,
  ``Scan Rate (V/s) = 0.1``, ``Segment = 4``...), for CV optionally a ``Results:`` block of
  peak values per segment;
- the column header ``Freq/Hz, Z'/ohm, Z"/ohm, Z/ohm, Phase/deg`` (EIS) or
  ``Potential/V, Current/A[, Charge/C][, Time/s]`` (CV), a blank line, and rows separated by
  ``", "``; with "separate segments" the CV rows come in blocks headed ``Segment N:``.

Signs: CHI writes ``Z"`` with its true sign (a capacitive arc is negative), so it is taken
as it is.  CHI's default current convention is the "polarographic" (US) one, cathodic
current positive (the CHI software's default plot has reduction current up and is what the
``Current/A`` column holds); the reader negates it to the layout's anodic-positive convention
and records that in ``current_convention``.  It also checks the sign against the data: with
anodic positive the current on the positive-going sweep lies above that on the
negative-going one (``charging_current_sign`` > 0); the outcome is in
``current_convention_check``, so a file written with "anodic positive" selected is noticed.

Why hand-written: ``impedance.preprocessing.readCHInstruments`` reads only the EIS columns
by position and no header; no maintained PyPI package reads CHI text with its metadata.
The format is a few key/value lines and one comma-separated table.
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
from interphase.readers import _cv, _text

NAME = "chi"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

_COLUMN_HEADER = re.compile(r"^\s*(Freq/Hz|Potential/V|Time/s)\s*,")
_SEGMENT = re.compile(r"^\s*Segment\s+(\d+)\s*:\s*$")
_INSTRUMENT = re.compile(r"^\s*Instrument Model:\s*CHI", re.MULTILINE)
_DATE = re.compile(r"^([A-Z][a-z]{2,4})\.?\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}:\d{2}:\d{2})\s*$")
CONVENTION = "anodic positive (CHI 'cathodic positive' default converted: Current/A negated)"


@dataclass
class ChiFile:
    """The parsed content of a CHI text export."""

    date_line: str
    technique: str
    info: dict[str, str]
    keys: dict[str, str]
    columns: list[str]
    rows: list[list[float]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)


def sniff(path: Path, head: bytes) -> bool:
    """True for a CHI export: 'Instrument Model: CHI' or a CHI date line, and a column header."""
    text = "\n".join(_text.split_lines(_text.decode(head)[:8192]))
    lines = text.split("\n")
    has_header = any(_COLUMN_HEADER.match(line) for line in lines)
    chi_date = bool(lines) and _DATE.match(lines[0].strip()) is not None
    return has_header and (bool(_INSTRUMENT.search(text)) or (chi_date and "Data Source:" in text))


def parse(path: Path, text: str) -> ChiFile:
    """Split a CHI text into date, technique, header values and the numeric table."""
    lines = _text.split_lines(text)
    start = next((i for i, line in enumerate(lines) if _COLUMN_HEADER.match(line)), None)
    if start is None:
        raise ReadError(
            path,
            "header",
            "a CHI column header ('Freq/Hz, ...' or 'Potential/V, Current/A')",
            "none",
        )
    info: dict[str, str] = {}
    keys: dict[str, str] = {}
    in_results = False
    for line in lines[2:start]:
        if line.strip() == "Results:":
            in_results = True
        elif " = " in line and not in_results:
            key, value = line.split(" = ", 1)
            keys.setdefault(key.strip(), value.strip())
        elif ":" in line and not in_results and "=" not in line:
            key, value = line.split(":", 1)
            info.setdefault(key.strip(), value.strip())
    columns = [c.strip() for c in lines[start].split(",")]
    chi = ChiFile(lines[0].strip(), lines[1].strip() if len(lines) > 1 else "", info, keys, columns)
    segment = 0
    for n in range(start + 1, len(lines)):
        line = lines[n].strip()
        if not line:
            continue
        match = _SEGMENT.match(line)
        if match:
            segment = int(match.group(1))
            continue
        try:
            values = [float(c) for c in line.split(",")]
        except ValueError:
            raise ReadError(
                path, f"line {n + 1}", f"{len(columns)} numbers separated by ', '", repr(line[:60])
            ) from None
        if len(values) != len(columns):
            raise ReadError(
                path,
                f"line {n + 1}",
                f"{len(columns)} numbers ({', '.join(columns)})",
                f"{len(values)}",
            )
        chi.rows.append(values)
        chi.row_lines.append(n + 1)
        chi.segments.append(segment)
    if not chi.rows:
        raise ReadError(path, f"line {start + 2}", "data rows after the column header", "none")
    return chi


def unit_to(unit: str, si_unit: str) -> float | None:
    """Factor from a CHI column unit to ``si_unit`` ('1e-6A', CHI's µA, included)."""
    unit = unit.strip()
    if si_unit == "A" and unit == "1e-6A":
        return 1e-6
    return _text.si_factor(unit, si_unit)


def column(chi: ChiFile, path: Path, name: str, si_unit: str) -> np.ndarray:
    """The column 'name/unit' in SI, or ReadError naming the header line's columns."""
    for k, col in enumerate(chi.columns):
        label, _, unit = col.rpartition("/")
        factor = unit_to(unit, si_unit) if label.strip() == name else None
        if factor is not None:
            return np.array([row[k] for row in chi.rows]) * factor
    expected = f"a column '{name}/<unit of {si_unit}>'"
    raise ReadError(path, "column header", expected, ", ".join(chi.columns))


def key_float(chi: ChiFile, key: str) -> float:
    """A numeric header value ('Init E (V) = 0'), NaN when absent or not a number."""
    return _text.float_or(chi.keys.get(key), decimal_comma=False)


def start_time(date_line: str) -> str:
    """ISO 8601 start time from CHI's 'Feb. 20, 2020   15:55:08', '' when not parseable."""
    match = _DATE.match(date_line)
    if not match:
        return ""
    month, day, year, clock = match.groups()
    try:
        return datetime.strptime(
            f"{month[:3]} {day} {year} {clock}", "%b %d %Y %H:%M:%S"
        ).isoformat()
    except ValueError:
        return ""


def common_attrs(chi: ChiFile) -> dict:
    """Attributes of every CHI dataset: instrument, software, start time, technique, header keys."""
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "instrument": chi.info.get("Instrument Model", ""),
        "software": "CH Instruments (Convert to txt)",
        "start_time": start_time(chi.date_line),
        "file_date": chi.date_line,
        "technique_in_file": chi.technique,
        "data_source": chi.info.get("Data Source", ""),
        "file_header": chi.info.get("Header", ""),
        "file_note": chi.info.get("Note", ""),
    }
    for key, value in chi.keys.items():
        attrs["chi_" + re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_")] = value
    return attrs


def read(path: Path, technique: str) -> xr.Dataset:
    """Read a CHI text export as an ``eis`` spectrum or a ``cv``."""
    path = Path(path)
    chi = parse(path, _text.decode(path.read_bytes()))
    if technique == "eis":
        return read_eis(path, chi)
    if technique == "cv":
        return read_cv(path, chi)
    raise ReadError(path, "technique", "one of " + ", ".join(TECHNIQUES), repr(technique))


def read_eis(path: Path, chi: ChiFile) -> xr.Dataset:
    """The impedance table as an eis dataset, frequency high to low."""
    if not chi.columns[0].startswith("Freq"):
        raise ReadError(
            path,
            "column header",
            "'Freq/Hz, Z'/ohm, Z\"/ohm, ...' (an A.C. Impedance export)",
            ", ".join(chi.columns),
        )
    freq = column(chi, path, "Freq", "Hz")
    zr = column(chi, path, "Z'", "ohm")
    zi = column(chi, path, 'Z"', "ohm")
    attrs = common_attrs(chi)
    attrs["dc_potential_V"] = key_float(chi, "Init E (V)")
    attrs["dc_potential_source"] = "'Init E (V)' header (vs reference)"
    attrs["ac_amplitude_V"] = key_float(chi, "Amplitude (V)")
    rows = datasets.EisRows(freq, zr, zi, places(chi))
    return datasets.eis_from_rows(path, rows, attrs)


def places(chi: ChiFile) -> list[str]:
    """'line N' for every data row."""
    return [f"line {n}" for n in chi.row_lines]


def read_cv(path: Path, chi: ChiFile) -> xr.Dataset:
    """The voltammogram as a cv dataset: current negated to anodic positive, cycles by segment."""
    if not any(c.startswith("Potential/") for c in chi.columns):
        raise ReadError(
            path,
            "column header",
            "'Potential/V, Current/A' (a voltammetry export)",
            ", ".join(chi.columns),
        )
    if chi.technique and "voltammetry" not in chi.technique.lower():
        found = f"a CHI '{chi.technique}' record"
        raise ReadError(
            path, "line 2 (technique)", "a voltammogram (cv), as measurements.tsv declares", found
        )
    potential = column(chi, path, "Potential", "V")
    current = -column(chi, path, "Current", "A")
    attrs = common_attrs(chi)
    scan_rate = key_float(chi, "Scan Rate (V/s)")
    attrs["scan_rate_V_s"] = scan_rate
    if any(c.startswith("Time/") for c in chi.columns):
        time = column(chi, path, "Time", "s")
        attrs["time_source"] = "Time/s column"
    elif math.isfinite(scan_rate) and scan_rate > 0:
        time = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(potential)))]) / scan_rate
        attrs["time_source"] = "computed: cumulative |dE| / 'Scan Rate (V/s)'"
    else:
        time = np.full(potential.size, math.nan)
        attrs["time_source"] = "unknown (no Time/s column, no scan rate)"
    if any(chi.segments):
        cycle = ((np.array(chi.segments) + 1) // 2).astype(np.int32)
        attrs["cycle_source"] = "'Segment N:' blocks, two segments a cycle"
    else:
        cycle = _cv.sweep_cycles(potential)
        attrs["cycle_source"] = "sweep reversals, two segments a cycle"
    attrs["current_convention"] = CONVENTION
    attrs["current_convention_check"] = convention_check(potential, current)
    attrs["area_note"] = "CHI text exports state no electrode area"
    long_name = "time since start of the sweep"
    return datasets.cv_from_rows(
        path, time, potential, current, cycle, attrs, places=places(chi), time_long_name=long_name
    )


def convention_check(potential: np.ndarray, current: np.ndarray) -> str:
    """Whether the converted current follows the sweep direction as anodic-positive current does."""
    sign = _cv.charging_current_sign(potential, current)
    if not math.isfinite(sign):
        return "not checked (no sweep)"
    if sign > 0.05:
        return f"consistent: current follows the sweep direction (score {sign:.2f})"
    if sign < -0.05:
        return (
            f"INCONSISTENT: current opposes the sweep direction (score {sign:.2f}); "
            "the file may already be anodic positive"
        )
    return f"undecided (score {sign:.2f})"
