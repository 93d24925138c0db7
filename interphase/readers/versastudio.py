"""Princeton Applied Research VersaStudio ``.par`` files: potentiostatic EIS and voltammetry.

Format (checked against a VersaSTAT 4 / VersaStudio 2.52.3 file in ../shared/realdata):
sections ``<Application>``, ``<Action0>``, ``<Action1>``..., ``<Instrument>``,
``<Experiment>``, ``<Segment1>``... each closed by ``</Name>`` on its own line, holding
``key=value`` lines (``Scan Rate (V/s)=.005``, ``Working Electrode Area (cm2)=1``,
``Measured Open Circuit=6.404 mV``).  A ``<SegmentN>`` section starts with ``Type=``,
``Version=`` and ``Definition=`` (the comma-separated column names: ``Segment #, Point #,
E(V), I(A), Elapsed Time(s), ..., Frequency(Hz), ..., Z Real, Z Imag, ...``), then one
comma-separated row a point.  Free text (the ``Comment`` of an action) is UTF-8 and may be
Japanese or anything else; it is kept in ``comment``.

It looks like XML but is not (values such as ``Direction=<`` are not escaped), so the
sections are split by their tag lines here rather than parsed with an XML library.
``Z Imag`` has its true sign (the example's arc is negative); ``I(A)`` is anodic positive
(VersaStudio's default).  ``impedance.preprocessing.readVersaStudio`` reads the impedance
columns by position and no metadata, so it is not used.
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
from interphase.readers import _cv, _text

NAME = "versastudio_par"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

_OPEN = re.compile(r"^<([A-Za-z][A-Za-z0-9_]*)>$")
_SEGMENT = re.compile(r"^Segment(\d+)$")


@dataclass
class Section:
    """One <Name>...</Name> section: its key=value pairs and (for segments) its data rows."""

    name: str
    first_line: int
    values: dict[str, str]
    rows: list[tuple[int, str]]


def sniff(path: Path, head: bytes) -> bool:
    """True for an <Application> section naming VersaStudio, or one with a Segment Definition."""
    text = _text.decode(head).lstrip()
    if not text.startswith("<Application>"):
        return False
    return "Name=VersaStudio" in text[:2000] or (
        "<Segment" in text and "\nDefinition=" in text.replace("\r", "")
    )


def parse(path: Path, text: str) -> dict[str, Section]:
    """The sections of a .par text by name; ReadError for an unclosed section."""
    lines = _text.split_lines(text)
    sections: dict[str, Section] = {}
    current: Section | None = None
    for n, raw in enumerate(lines, start=1):
        line = raw.strip()
        if current is None:
            match = _OPEN.match(line)
            if match:
                current = Section(match.group(1), n, {}, [])
            continue
        if line == f"</{current.name}>":
            sections[current.name] = current
            current = None
        elif (
            _SEGMENT.match(current.name)
            and "Definition" in current.values
            and "=" not in line
            and line
        ):
            current.rows.append((n, line))
        elif "=" in line:
            key, value = line.split("=", 1)
            current.values.setdefault(key.strip(), value.strip())
    if current is not None:
        raise ReadError(
            path,
            f"line {current.first_line}",
            f"'</{current.name}>' closing the section",
            "end of file",
        )
    return sections


def segment_table(path: Path, section: Section) -> tuple[list[str], np.ndarray]:
    """Column names (from Definition=) and the numeric rows of one Segment section."""
    names = [c.strip() for c in section.values["Definition"].split(",")]
    while names and names[-1] in ("", "0"):
        names.pop()
    out = np.empty((len(section.rows), len(names)))
    for k, (n, line) in enumerate(section.rows):
        cells = line.split(",")
        if len(cells) < len(names):
            raise ReadError(
                path,
                f"line {n}",
                f"{len(names)} comma-separated numbers (Definition= of {section.name})",
                f"{len(cells)}",
            )
        try:
            out[k] = [float(c) for c in cells[: len(names)]]
        except ValueError:
            raise ReadError(path, f"line {n}", "comma-separated numbers", repr(line[:60])) from None
    return names, out


def data_table(path: Path, sections: dict[str, Section]) -> tuple[list[str], np.ndarray, list[int]]:
    """All Segment sections with data, concatenated (one Definition), and each row's line."""
    segments = sorted(
        (int(m.group(1)), s) for name, s in sections.items() if (m := _SEGMENT.match(name))
    )
    tables = [segment_table(path, s) for _, s in segments if "Definition" in s.values and s.rows]
    if not tables:
        raise ReadError(
            path,
            "sections",
            "a <SegmentN> section with Definition= and data rows",
            ", ".join(sections) or "no section",
        )
    names = tables[0][0]
    for other, _ in tables[1:]:
        if other != names:
            raise ReadError(
                path,
                "Segment sections",
                "one Definition= for every segment",
                "segments with different columns",
            )
    lines = [n for _, s in segments if "Definition" in s.values for n, _ in s.rows]
    return names, np.vstack([t for _, t in tables]), lines


def column(path: Path, names: list[str], table: np.ndarray, name: str) -> np.ndarray:
    """One column by its Definition= name, or ReadError listing the columns."""
    if name not in names:
        raise ReadError(path, "Definition=", f"a column '{name}'", ", ".join(names))
    return table[:, names.index(name)]


def value_float(text: str | None) -> float:
    """A number at the start of a value ('.005', '6.404 mV' -> in volts), NaN when none."""
    found = _text.leading_number(text) if text else None
    if found is None:
        return math.nan
    value, word = found
    unit = _text.unit_factor(word) if word else None
    return value * (unit[1] if unit else 1.0)


def actions(sections: dict[str, Section]) -> list[Section]:
    """The <ActionN> sections in order."""
    found = [(int(name[6:]), s) for name, s in sections.items() if re.fullmatch(r"Action\d+", name)]
    return [s for _, s in sorted(found, key=lambda item: item[0])]


def start_time(experiment: Section | None) -> str:
    """ISO 8601 from DateAcquired ('Thursday, July 19, 2018') and TimeAcquired ('9:40:30 AM')."""
    if experiment is None:
        return ""
    stamp = (
        f"{experiment.values.get('DateAcquired', '')} {experiment.values.get('TimeAcquired', '')}"
    )
    for fmt in ("%A, %B %d, %Y %I:%M:%S %p", "%A, %B %d, %Y %H:%M:%S"):
        try:
            return datetime.strptime(stamp, fmt).isoformat()
        except ValueError:
            continue
    return ""


def instrument(section: Section | None) -> str:
    """'VersaSTAT4 SN 16334007' from the <Instrument> section's Type and SN."""
    if section is None:
        return ""
    serial = section.values.get("SN", "")
    return (
        f"{section.values.get('Type', '')} SN {serial}".strip()
        if serial
        else section.values.get("Type", "")
    )


def common_attrs(sections: dict[str, Section]) -> dict:
    """Instrument, software, start time, area, open-circuit potential and comment."""
    app = sections.get("Application")
    inst = sections.get("Instrument")
    acts = actions(sections)
    common = acts[0].values if acts else {}
    attrs = {
        "reader": NAME,
        "reader_version": VERSION,
        "instrument": instrument(inst),
        "software": f"{app.values.get('Name', '')} {app.values.get('Version', '')}".strip()
        if app
        else "",
        "start_time": start_time(sections.get("Experiment")),
        "comment": common.get("Comment", ""),
        "actions": ", ".join(a.values.get("Name", "") for a in acts),
        "open_circuit_potential_V": value_float(common.get("Measured Open Circuit")),
    }
    area = value_float(common.get("Working Electrode Area (cm2)"))
    if math.isfinite(area) and area > 0:
        attrs["area_in_file_cm2"] = area
    reference = common.get("Reference Electrode", "")
    if reference and not reference.startswith("(unspecified)"):
        attrs["reference_electrode"] = reference  # as written, e.g. 'Ag/AgCl (0.197 Volts)'
    return attrs


def read(path: Path, technique: str) -> xr.Dataset:
    """Read a VersaStudio .par file as ``eis`` or ``cv``."""
    path = Path(path)
    sections = parse(path, _text.decode(path.read_bytes()))
    names, table, lines = data_table(path, sections)
    places = [f"line {n}" for n in lines]
    if technique == "eis":
        return read_eis(path, sections, names, table, places)
    if technique == "cv":
        return read_cv(path, sections, names, table, places)
    raise ReadError(path, "technique", "one of " + ", ".join(TECHNIQUES), repr(technique))


def eis_action(sections: dict[str, Section]) -> Section | None:
    """The action that measured the impedance (one with a 'Start Frequency (Hz)' key)."""
    return next((a for a in actions(sections) if "Start Frequency (Hz)" in a.values), None)


def read_eis(
    path: Path, sections: dict[str, Section], names: list[str], table: np.ndarray, places
) -> xr.Dataset:
    """Rows with Frequency(Hz) > 0 as an eis dataset (every sweep), high to low."""
    freq = column(path, names, table, "Frequency(Hz)")
    keep = np.flatnonzero(freq > 0)
    if keep.size == 0:
        raise ReadError(
            path,
            "Segment sections",
            "impedance rows (Frequency(Hz) > 0)",
            f"{freq.size} rows without a frequency",
        )
    attrs = common_attrs(sections)
    attrs.update(dc_potential(eis_action(sections), attrs["open_circuit_potential_V"]))
    action = eis_action(sections)
    if action is not None:
        attrs["ac_amplitude_V"] = value_float(action.values.get("Amplitude (mV RMS)")) * 1e-3
        attrs["ac_amplitude_kind"] = "rms"
    rows = datasets.EisRows(
        freq,
        column(path, names, table, "Z Real"),
        column(path, names, table, "Z Imag"),
        places,
        time=column(path, names, table, "Elapsed Time(s)"),
    )
    long_name = "elapsed time since start of the action"
    return datasets.eis_from_rows(path, rows, attrs, time_long_name=long_name)


def dc_potential(action: Section | None, ocp: float) -> dict:
    """dc_potential_V vs reference from the action's 'Potential (V)' value and its 'Versus'."""
    if action is None or "Potential (V),Value" not in action.values:
        return {"dc_potential_V": math.nan, "dc_potential_source": "unknown"}
    value = value_float(action.values["Potential (V),Value"])
    versus = action.values.get("Potential (V),Versus", "vs Ref")
    if versus == "vs Ref":
        return {
            "dc_potential_V": value,
            "dc_potential_source": "'Potential (V)' of the EIS action, vs Ref",
        }
    if versus == "vs OC" and math.isfinite(ocp):
        return {
            "dc_potential_V": value + ocp,
            "dc_potential_source": "'Potential (V)' vs OC + 'Measured Open Circuit'",
        }
    return {
        "dc_potential_V": math.nan,
        "dc_potential_source": f"'Potential (V)' {value} V {versus}: reference unknown",
    }


def read_cv(
    path: Path, sections: dict[str, Section], names: list[str], table: np.ndarray, places
) -> xr.Dataset:
    """Rows without a frequency as a cv; cycles from the sweep; scan rate from the action."""
    dc = (
        column(path, names, table, "Frequency(Hz)") == 0
        if "Frequency(Hz)" in names
        else np.ones(table.shape[0], dtype=bool)
    )
    e = column(path, names, table, "E(V)")[dc]
    i = column(path, names, table, "I(A)")[dc]
    t = column(path, names, table, "Elapsed Time(s)")[dc]
    if e.size < 2:
        raise ReadError(
            path, "Segment sections", "voltammetry rows (no frequency)", f"{e.size} rows"
        )
    attrs = common_attrs(sections)
    rate = next(
        (
            value_float(a.values["Scan Rate (V/s)"])
            for a in actions(sections)
            if "Scan Rate (V/s)" in a.values and "Start Frequency (Hz)" not in a.values
        ),
        math.nan,
    )
    attrs["scan_rate_V_s"] = rate if math.isfinite(rate) else _cv.scan_rate_from_data(e, t)
    attrs["scan_rate_source"] = (
        "'Scan Rate (V/s)' of the action" if math.isfinite(rate) else "median |dE/dt| of the data"
    )
    attrs["current_convention"] = "anodic positive (VersaStudio default)"
    attrs["cycle_source"] = "sweep reversals, two segments a cycle"
    long_name = "elapsed time since start of the action"
    dc_places = [place for place, row_is_dc in zip(places, dc) if row_is_dc]
    cycles = _cv.sweep_cycles(e)
    return datasets.cv_from_rows(
        path, t, e, i, cycles, attrs, places=dc_places, time_long_name=long_name
    )
