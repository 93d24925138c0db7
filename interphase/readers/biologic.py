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
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers._cv import cycle_numbers
from interphase.readers._text import decode, si_factor, split_lines, to_float

NAME = "biologic_mpt"
VERSION = "1"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

MAGICS = ("EC-LAB ASCII FILE", "BT-LAB ASCII FILE")
_COUNT_RE = re.compile(r"^\s*Nb header lines\s*:\s*(\d+)\s*$")
# Units a current column may be written in (the factor to A comes from the toolkit).
_CURRENT_UNITS = ("A", "mA", "µA", "uA", "nA")


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
    """Values of a fixed-width technique setting row ('E (V)   4.0000   ...'), one list per occurrence."""
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


def column(
    rows: list[list[str]], names: list[str], wanted: tuple[str, ...], path: Path, first_line: int
) -> np.ndarray | None:
    """The first of the ``wanted`` columns present, as floats; None when none is present."""
    name = next((w for w in wanted if w in names), None)
    if name is None:
        return None
    j = names.index(name)
    out = np.empty(len(rows))
    for i, fields in enumerate(rows):
        try:
            out[i] = to_float(fields[j])
        except (IndexError, ValueError):
            found = repr(fields[j]) if j < len(fields) else f"only {len(fields)} fields"
            raise ReadError(
                path, f"line {first_line + i}, column '{name}'", "a number", found
            ) from None
    return out


def require(
    values: np.ndarray | None,
    wanted: tuple[str, ...],
    names: list[str],
    path: Path,
    line_no: int,
    technique: str,
) -> np.ndarray:
    """``values``, or a ReadError saying which column a technique needs."""
    if values is None:
        raise ReadError(
            path,
            f"line {line_no} (column header)",
            f"a column {' or '.join(repr(w) for w in wanted)} for {technique}",
            f"columns {', '.join(names[:12])}{'...' if len(names) > 12 else ''}",
        )
    return values


def parse(path: Path) -> tuple[list[str], list[str], list[list[str]], int]:
    """Header lines, column names, rows of fields and the 1-based line number of the first row."""
    lines = split_lines(decode(Path(path).read_bytes()))
    count = header_count(lines, path)
    header = lines[: count - 1]
    names = column_names(lines[count - 1], path, count)
    rows = [line.split("\t") for line in lines[count:] if line.strip() != ""]
    if not rows:
        raise ReadError(path, f"line {count + 1}", "at least one data row", "end of file")
    return header, names, rows, count + 1


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


def read_eis(path: Path) -> xr.Dataset:
    """An impedance spectrum, frequency strictly decreasing."""
    header, names, rows, first = parse(path)
    wanted = {"freq": ("freq/Hz",), "re": ("Re(Z)/Ohm",), "mim": ("-Im(Z)/Ohm",)}
    freq = require(
        column(rows, names, wanted["freq"], path, first),
        wanted["freq"],
        names,
        path,
        first - 1,
        "eis",
    )
    z_real = require(
        column(rows, names, wanted["re"], path, first), wanted["re"], names, path, first - 1, "eis"
    )
    minus_imag = require(
        column(rows, names, wanted["mim"], path, first),
        wanted["mim"],
        names,
        path,
        first - 1,
        "eis",
    )
    time = column(rows, names, ("time/s",), path, first)
    ewe = column(rows, names, ("<Ewe>/V", "Ewe/V"), path, first)
    z_imag = -minus_imag
    order = np.argsort(-freq, kind="stable")
    freq, z_real, z_imag = freq[order], z_real[order], z_imag[order]
    time = time[order] if time is not None else None
    keep = np.ones(freq.size, dtype=bool)
    for i in range(1, freq.size):
        if freq[i] == freq[i - 1]:
            a, b = order[i - 1], order[i]
            if z_real[i] != z_real[i - 1] or z_imag[i] != z_imag[i - 1]:
                raise ReadError(
                    path,
                    f"lines {first + min(a, b)} and {first + max(a, b)}",
                    "one impedance per frequency (one spectrum per file)",
                    f"{freq[i]:g} Hz twice with different impedance",
                )
            keep[i] = False
    mean_ewe = float(np.mean(ewe)) if ewe is not None and ewe.size else math.nan
    potential, source = dc_potential(header, mean_ewe)
    attrs = header_attrs(header)
    attrs.update(
        {
            "dc_potential_V": potential,
            "dc_potential_source": source,
            "reader": NAME,
            "reader_version": VERSION,
        }
    )
    return datasets.eis_dataset(
        freq[keep],
        z_real[keep],
        z_imag[keep],
        attrs,
        time=time[keep] if time is not None else None,
        time_long_name="time since the start of the technique",
    )


def current_column(names: list[str]) -> tuple[str, float] | None:
    """The name of the current column ('<I>/mA' preferred over 'I/mA') and its factor to A."""
    for prefix in ("<I>/", "I/"):
        for unit in _CURRENT_UNITS:
            if prefix + unit in names:
                return prefix + unit, si_factor(unit, "A")
    return None


def read_cv(path: Path) -> xr.Dataset:
    """A voltammogram (or any EC-Lab record with Ewe and I columns), in acquisition order."""
    header, names, rows, first = parse(path)
    if "freq/Hz" in names:
        raise ReadError(
            path,
            f"line {first - 1} (column header)",
            "a time record with Ewe and I (cv)",
            "an impedance record (freq/Hz column)",
        )
    time = require(
        column(rows, names, ("time/s",), path, first), ("time/s",), names, path, first - 1, "cv"
    )
    potential = require(
        column(rows, names, ("Ewe/V", "<Ewe>/V"), path, first),
        ("Ewe/V", "<Ewe>/V"),
        names,
        path,
        first - 1,
        "cv",
    )
    current_name = current_column(names)
    if current_name is None:
        require(None, ("<I>/mA", "I/mA"), names, path, first - 1, "cv")
    name, factor = current_name
    current = column(rows, names, (name,), path, first) * factor
    cycles = cycle_numbers(column(rows, names, ("cycle number",), path, first), len(rows))
    control = column(rows, names, ("control/V",), path, first)
    extra = {}
    if control is not None:
        extra["control_potential"] = datasets.variable(
            "point", control, "V", "potential set by the potentiostat"
        )
    attrs = header_attrs(header)
    attrs.update(
        {"scan_rate_V_s": scan_rate_V_s(header), "reader": NAME, "reader_version": VERSION}
    )
    return datasets.cv_dataset(time, potential, current, cycles, attrs, extra=extra)


def read(path: Path, technique: str) -> xr.Dataset:
    """The EC-Lab text export at ``path`` as an ``eis`` or ``cv`` dataset."""
    path = Path(path)
    if technique == "eis":
        return read_eis(path)
    if technique == "cv":
        return read_cv(path)
    raise ReadError(
        path, None, f"a technique this reader handles ({', '.join(TECHNIQUES)})", repr(technique)
    )
