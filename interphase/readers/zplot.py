"""Scribner ZPlot / ZView impedance files (.z): 'ZPLOT2 ASCII' and the 'ZPlotW Data File' variant.

Why a parser of our own: impedance.py's ``preprocessing.readZPlot`` finds the data after
'End Comments' only (it cannot read the 'ZPlotW Data File' variant) and keeps no header
value; no other maintained package reads .z files. Both layouts are small text formats:

``ZPLOT2 ASCII``
    'Key: value' header lines (start date and time, 'Open Circuit Potential (V)', the
    experiment settings, 'Surface Area', 'Data Points: N'), the tab-separated column names
    on the line before 'End Comments', then tab-separated rows.
``ZView data file`` ('"ZPlotW Data File: Version 3.2c"', and Autolab's '"Z60W Data File"',
    read through :func:`read_zview_data_file` by the autolab reader)
    quoted free header lines (one may be a user comment), 'Date: MM-DD-YYYY  Time: ...',
    a numeric parameter line, the point count, the quoted column header
    '  Freq(Hz)  Ampl  Bias  Time(Sec)  Z'(a)  Z''(b)  GD  Err  Range', then rows
    separated by commas (with or without spaces) or tabs.

Z'' is written with its true sign (capacitive arc negative; the inductive high-frequency
points are positive), so ``z_imag`` = Z''. The point count in the header may disagree with
the rows (realdata: 56 or 79 announced, 21 or 31 present): the rows present are read and
both numbers kept as attributes. Rows with frequency <= 0 (DC rows) are dropped and counted.
Dates are MM-DD-YYYY (ZPlot is US software; '12-17-2019' in the realdata confirms the order).
The DC potential is not decoded: ZPlot's 'Potential-DC' setting is relative to either the
reference or the open-circuit potential ('Potential-DC Type', whose codes are not documented
here), so ``dc_potential_V`` is NaN and the raw setting is kept; measurements.tsv's
``potential_V`` supplies the value.
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
from interphase.readers._text import decode, float_or, split_lines, to_float

NAME = "zplot"
VERSION = "2"
TECHNIQUES = ("eis",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

ZPLOT2_MAGIC = "ZPLOT2 ASCII"
ZPLOTW_MAGIC = "ZPlotW Data File"
END_COMMENTS = "End Comments"
# Column-name tokens of a ZView data-file header (names contain spaces, so split by pattern).
_ZVIEW_TOKEN_RE = re.compile(r"Freq\s*\(Hz\)|Time\s*\(Sec\)|Z''\s*\(b\)|Z'\s*\(a\)|\S+")
_STRONG_SPLIT_RE = re.compile(r"\s*[\t;]\s*")
_WEAK_SPLIT_RE = re.compile(r"\s*,\s*|\s+")
_DATE_RE = re.compile(
    r"Date:\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+Time:\s*(\d{1,2}:\d{2}:\d{2}))?"
)


def first_line(head: bytes) -> str:
    """The first line of the head, BOM and surrounding quotes removed."""
    line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].split(b"\r", 1)[0]
    return line.decode("latin-1").strip().strip('"').strip()


def sniff(path: Path, head: bytes) -> bool:
    """True for a file starting 'ZPLOT2 ASCII' or '"ZPlotW Data File'."""
    line = first_line(head)
    return line.upper() == ZPLOT2_MAGIC or line.startswith(ZPLOTW_MAGIC)


def iso_date(month: str, day: str, year: str, time: str | None) -> str:
    """ISO 8601 from ZPlot's MM-DD-YYYY date and HH:MM:SS time ('' when invalid)."""
    try:
        stamp = datetime(int(year), int(month), int(day))
        if time:
            h, m, s = (int(x) for x in time.split(":"))
            stamp = stamp.replace(hour=h, minute=m, second=s)
    except ValueError:
        return ""
    return stamp.isoformat()


def numbered_rows(lines: list[str], first: int, split) -> tuple[list[list[str]], list[int]]:
    """Fields of the non-blank lines from index ``first`` on, and their 1-based line numbers."""
    numbered = [(n, line) for n, line in enumerate(lines[first:], start=first + 1) if line.strip()]
    return [split(line) for _, line in numbered], [n for n, _ in numbered]


def rows_to_arrays(
    rows: list[list[str]], names: list[str], path: Path, line_numbers: list[int], wanted: tuple
) -> dict[str, np.ndarray]:
    """The ``wanted`` columns as floats by name (others are not parsed); a ReadError names the
    line of a missing field or of a field that is not a number."""
    used = [(j, name) for j, name in enumerate(names) if name in wanted]
    out = {name: np.empty(len(rows)) for _, name in used}
    for i, fields in enumerate(rows):
        if len(fields) < len(names):
            expected = f"{len(names)} fields ({', '.join(names)})"
            raise ReadError(path, f"line {line_numbers[i]}", expected, f"{len(fields)} fields")
        for j, name in used:
            try:
                out[name][i] = to_float(fields[j])
            except ValueError:
                place = f"line {line_numbers[i]}, column {name!r}"
                raise ReadError(path, place, "a number", repr(fields[j])) from None
    return out


def spectrum(
    path: Path, cols: dict[str, np.ndarray], names: tuple, line_numbers: list[int], attrs: dict
) -> xr.Dataset:
    """The eis dataset of the frequency, Z', Z'' (and time) columns ``names``: every sweep.

    DC rows (frequency <= 0) are dropped and counted; a file holding repeated sweeps (the
    frequency starting again at the top) keeps every sweep.
    """
    freq_name, re_name, im_name, time_name = names
    time = cols[time_name] if time_name else None
    rows = datasets.EisRows(
        cols[freq_name],
        cols[re_name],
        cols[im_name],
        [f"line {n}" for n in line_numbers],
        time=time,
    )
    out_attrs = {**attrs, "data_points_read": int(np.count_nonzero(cols[freq_name] > 0))}
    long_name = "time since the start of the sweep"
    return datasets.eis_from_rows(path, rows, out_attrs, time_long_name=long_name)


def zplot2_header(lines: list[str], path: Path) -> tuple[dict[str, str], int]:
    """The 'Key: value' pairs of a ZPLOT2 ASCII header and the index of the 'End Comments' line."""
    end = next((i for i, line in enumerate(lines) if line.strip() == END_COMMENTS), None)
    if end is None:
        raise ReadError(
            path, f"lines 2-{len(lines)}", "a line 'End Comments' closing the ZPLOT2 header", "none"
        )
    pairs: dict[str, str] = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if sep:
            pairs.setdefault(key.strip(), value.strip())
    return pairs, end


def header_float(pairs: dict[str, str], key: str) -> float:
    """A numeric header value, NaN when absent or not a number."""
    return float_or(pairs.get(key))


def zplot2_attrs(pairs: dict[str, str]) -> dict:
    """Attributes from a ZPLOT2 header."""
    date = _DATE_RE.match(f"Date: {pairs.get('Date', '')} Time: {pairs.get('Time', '')}")
    version = pairs.get("Measured Data, ZPlot", "")
    pstat, analyzer = pairs.get("Begin Pstat/Gstat", ""), pairs.get("Begin Analyzer", "")
    attrs = {
        "instrument": " + ".join(f"Solartron {code}" for code in (pstat, analyzer) if code),
        "software": f"ZPlot {version}".strip(),
        "software_version": version,
        "start_time": iso_date(*date.groups()) if date else "",
        "start_time_as_written": f"{pairs.get('Date', '')} {pairs.get('Time', '')}".strip(),
        "instrument_technique": pairs.get("Experiment Type", ""),
        "open_circuit_potential_V": header_float(pairs, "Open Circuit Potential (V)"),
        "potential_dc_setting_V": header_float(pairs, "Potential-DC"),
        "potential_dc_type_code": pairs.get("Potential-DC Type", ""),
        "potential_ac_mV": header_float(pairs, "Potential-AC"),
        "data_points_in_header": int(header_float(pairs, "Data Points"))
        if math.isfinite(header_float(pairs, "Data Points"))
        else -1,
        "dc_potential_V": math.nan,
        "dc_potential_source": "unknown: 'Potential-DC' is relative to a reference chosen by "
        "'Potential-DC Type' (not decoded)",
    }
    area = header_float(pairs, "Surface Area")
    if math.isfinite(area) and area > 0:
        attrs["area_in_file_cm2"] = area  # ZPlot's 'Surface Area' is in cm²
    return attrs


def column_of(names: list[str], prefixes: tuple[str, ...]) -> str | None:
    """The first column whose name (spaces removed) starts with one of the prefixes."""
    for prefix in prefixes:
        for name in names:
            if name.replace(" ", "").startswith(prefix):
                return name
    return None


def impedance_columns(
    names: list[str], path: Path, line_no: int
) -> tuple[str, str, str, str | None]:
    """The frequency, Z', Z'' and time column names of a ZPlot/ZView column header."""
    freq, z_re, z_im = (
        column_of(names, ("Freq",)),
        column_of(names, ("Z'(a)", "Z'")),
        column_of(names, ("Z''(b)", "Z''")),
    )
    if z_re == z_im:
        z_re = next(
            (
                n
                for n in names
                if n.replace(" ", "").startswith("Z'") and not n.replace(" ", "").startswith("Z''")
            ),
            None,
        )
    if not (freq and z_re and z_im):
        raise ReadError(
            path,
            f"line {line_no} (column header)",
            "columns Freq(Hz), Z'(a) and Z''(b)",
            repr(" | ".join(names)),
        )
    return freq, z_re, z_im, column_of(names, ("Time(Sec)", "Time"))


def read_zplot2(path: Path, lines: list[str]) -> xr.Dataset:
    """A 'ZPLOT2 ASCII' file."""
    pairs, end = zplot2_header(lines, path)
    names = [n.strip() for n in lines[end - 1].split("\t") if n.strip()]
    freq_name, re_name, im_name, time_name = impedance_columns(names, path, end)
    first = end + 2  # 1-based line number of the first data row
    rows, line_numbers = numbered_rows(lines, end + 1, lambda line: line.rstrip("\t ").split("\t"))
    if not rows:
        expected = "at least one data row after 'End Comments'"
        raise ReadError(path, f"line {first}", expected, "end of file")
    columns = (freq_name, re_name, im_name, time_name)
    cols = rows_to_arrays(rows, names, path, line_numbers, columns)
    attrs = zplot2_attrs(pairs)
    attrs.update({"reader": NAME, "reader_version": VERSION, "file_variant": "ZPLOT2 ASCII"})
    return spectrum(path, cols, columns, line_numbers, attrs)


def zview_column_names(line: str) -> list[str]:
    """Column names of a quoted ZView data-file header ('Freq(Hz)  Ampl ... Range')."""
    return [t.replace(" ", "") for t in _ZVIEW_TOKEN_RE.findall(line.strip().strip('"'))]


def split_fields(line: str, n: int) -> list[str]:
    """Fields of a row: TAB or ';' separated (a comma then decimal), else comma or space."""
    fields = [f for f in _STRONG_SPLIT_RE.split(line.strip()) if f != ""]
    if len(fields) >= n:
        return fields
    return [f for f in _WEAK_SPLIT_RE.split(line.strip()) if f != ""]


def read_zview_data_file(
    path: Path, lines: list[str], magic: str, reader: str, reader_version: str
) -> xr.Dataset:
    """A ZView-style data file ('"<magic>: Version x"', quoted header, count, columns, rows)."""
    magic_line = lines[0].strip().strip('"') if lines else ""
    if not magic_line.startswith(magic):
        raise ReadError(path, "line 1", f"'\"{magic}: Version ...\"'", repr(magic_line[:40]))
    header_at = next(
        (i for i, line in enumerate(lines[:60]) if "Freq" in line and "Z'" in line), None
    )
    if header_at is None or header_at < 2:
        raise ReadError(
            path,
            "lines 2-60",
            "the quoted column header '  Freq(Hz)  Ampl  Bias  Time(Sec)  Z'(a)  Z''(b) ...'",
            "none",
        )
    names = zview_column_names(lines[header_at])
    freq_name, re_name, im_name, time_name = impedance_columns(names, path, header_at + 1)
    count_text = lines[header_at - 1].strip()
    if not count_text.isdigit():
        raise ReadError(
            path,
            f"line {header_at}",
            "the number of data points (an integer)",
            repr(count_text[:40]),
        )
    first = header_at + 2
    rows, line_numbers = numbered_rows(
        lines, header_at + 1, lambda line: split_fields(line, len(names))
    )
    if not rows:
        raise ReadError(
            path, f"line {first}", "at least one data row after the column header", "end of file"
        )
    cols = rows_to_arrays(rows, names, path, line_numbers, (freq_name, re_name, im_name, time_name))
    header = [line.strip().strip('"').strip() for line in lines[1 : header_at - 2]]
    date = next((m for m in (_DATE_RE.search(line) for line in header) if m), None)
    version = magic_line.partition("Version")[2].strip()
    ocp_line = next((line for line in header if line.startswith("Open Circuit Potential (V):")), "")
    try:
        ocp = to_float(ocp_line.partition(":")[2])
    except ValueError:
        ocp = math.nan
    attrs = {
        "software": f"{magic.split(' Data File')[0]} {version}".strip(),
        "software_version": version,
        "start_time": iso_date(*date.groups()) if date else "",
        "start_time_as_written": date.group(0) if date else "",
        "instrument_technique": next((line for line in header if line.startswith("Sweep")), ""),
        "comment": "; ".join(
            line
            for line in header
            if line and not line.startswith(("Date:", "Open Circuit", "Sweep"))
        ),
        "open_circuit_potential_V": ocp,
        "data_points_in_header": int(count_text),
        "dc_potential_V": math.nan,
        "dc_potential_source": "unknown: the file does not state it",
        "file_variant": magic,
        "reader": reader,
        "reader_version": reader_version,
    }
    recorded = time_name if time_name and np.any(cols[time_name] != 0) else None  # Z60W: 0
    columns = (freq_name, re_name, im_name, recorded)
    return spectrum(path, cols, columns, line_numbers, attrs)


def read(path: Path, technique: str) -> xr.Dataset:
    """The ZPlot/ZView file at ``path`` as an ``eis`` dataset."""
    path = Path(path)
    if technique != "eis":
        raise ReadError(
            path, None, "technique eis (ZPlot files hold impedance spectra)", repr(technique)
        )
    lines = split_lines(decode(path.read_bytes()))
    first = lines[0].strip().strip('"').strip() if lines else ""
    if first.upper() == ZPLOT2_MAGIC:
        return read_zplot2(path, lines)
    if first.startswith(ZPLOTW_MAGIC):
        return read_zview_data_file(path, lines, ZPLOTW_MAGIC, NAME, VERSION)
    raise ReadError(
        path, "line 1", f"'{ZPLOT2_MAGIC}' or '\"{ZPLOTW_MAGIC}: Version ...\"'", repr(first[:40])
    )
