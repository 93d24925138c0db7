"""Rigaku SmartLab 2θ scans: ``.ras`` text (SmartLab Guidance), ``.rasx`` zip (Studio II).

Why our own parser: both are simple documented-by-example text formats; the one
maintained Python reader we know (``xrayutilities.io.rigaku_ras``) is part of a large
package with compiled extensions and does not read ``.rasx``.

``.ras``: ``*RAS_DATA_START``, a ``*RAS_HEADER_START`` … ``*RAS_HEADER_END`` block of
``*KEY "value"`` lines, then ``*RAS_INT_START`` rows ``2θ counts attenuation`` and
``*RAS_INT_END``. The text is Shift-JIS (Japanese Windows; names are ``日本語|English``);
a file that is not valid Shift-JIS is read as UTF-8, and a file that is neither is
refused with the byte offset. Only the first data block is read (``n_scans_in_file``).

``.rasx``: a zip holding ``Data0/Profile0.txt`` (UTF-8 with BOM, TAB-separated
``2θ counts attenuation``) and ``Data0/MesurementConditions0.xml`` (sic), read with defusedxml.

In both, ``intensity = counts × attenuation`` (the third column is the factor by which the
attenuator reduced the beam at that point); the counting time per point is
``step / speed`` (speed in deg/min) and gives ``intensity_cps``. Wavelengths come from
``*HW_XG_WAVE_LENGTH_ALPHA1/2`` (``WavelengthKalpha1/2``); Kα2/Kα1 = 0.5 (the natural
intensity ratio, Cu; Hölzer et al. 1997) unless the wave type says Kα1 only.
``scan_kind`` is ``"reflectivity"`` when the scan ends below 8° 2θ or the header says so.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import xarray as xr
from defusedxml import ElementTree

from interphase.datasets import wavelength_attrs, xrd_dataset
from interphase.errors import ReadError
from interphase.readers._text import decode, float_or

NAME = "rigaku_ras"
VERSION = "2"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

KA2_KA1_RATIO = (
    0.5  # natural Cu Kα2/Kα1 intensity ratio (Hölzer et al., Phys. Rev. A 56, 4554 (1997))
)

_HEADER_LINE = re.compile(r'^\*([A-Za-z0-9_\-]+)\s+"(.*)"\s*$')


def sniff(path: Path, head: bytes) -> bool:
    """True for a .ras text (``*RAS_DATA_START``) or a .rasx zip holding Data0/Profile0.txt."""
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"*RAS_DATA_START"):
        return True
    if head.startswith(b"PK\x03\x04") and path.is_file():
        try:
            with zipfile.ZipFile(path) as zf:
                return "Data0/Profile0.txt" in zf.namelist()
        except zipfile.BadZipFile:
            return False
    return False


# Shift-JIS, Microsoft's Shift-JIS (cp932, as Japanese Windows writes it), else UTF-8.
ENCODINGS = ("shift_jis", "cp932", "utf-8-sig")


def decode_ras(path: Path, raw: bytes) -> str:
    """The text of a .ras file (BOM, else :data:`ENCODINGS`); else a ReadError naming the byte."""
    try:
        return decode(raw, ENCODINGS)
    except UnicodeDecodeError as sjis:
        raise ReadError(
            path,
            f"byte {sjis.start}",
            "Shift-JIS (or UTF-8) text, as Rigaku writes .ras",
            repr(raw[sjis.start : sjis.start + 8]),
        ) from None


def parse_ras(path: Path, text: str) -> tuple[dict[str, str], np.ndarray, int]:
    """Header, data rows (n × 3: 2θ, counts, attenuation) of the first block, number of blocks."""
    header: dict[str, str] = {}
    rows: list[list[float]] = []
    state = "outside"
    n_blocks = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("*RAS_DATA_START"):
            n_blocks += 1
            continue
        if n_blocks > 1:
            continue  # only the first block is read
        if line.startswith("*RAS_HEADER_START"):
            state = "header"
        elif line.startswith("*RAS_HEADER_END"):
            state = "outside"
        elif line.startswith("*RAS_INT_START"):
            state = "data"
        elif line.startswith("*RAS_INT_END"):
            state = "outside"
        elif state == "header":
            match = _HEADER_LINE.match(line)
            if match:
                header.setdefault(match.group(1), match.group(2))
        elif state == "data":
            fields = line.split()
            try:
                values = [float(v) for v in fields[:3]]
            except ValueError:
                raise ReadError(
                    path, f"line {lineno}", "a data row '2θ counts attenuation'", repr(line[:60])
                ) from None
            if len(values) == 2:
                values.append(1.0)
            if len(values) != 3:
                raise ReadError(
                    path, f"line {lineno}", "a data row '2θ counts attenuation'", repr(line[:60])
                )
            rows.append(values)
    if n_blocks == 0:
        raise ReadError(path, "line 1", "*RAS_DATA_START", "no RAS block")
    if not rows:
        raise ReadError(path, "*RAS_INT_START block", "data rows '2θ counts attenuation'", "none")
    return header, np.array(rows, dtype=float), n_blocks


def _float(value: str | None, default: float = float("nan")) -> float:
    """A header value as float, ``default`` when absent or not a number."""
    return float_or(value, default, decimal_comma=False)


def _english(value: str) -> str:
    """The English half of a 'Japanese|English' header value."""
    return value.split("|")[-1].strip()


def _counting_time(step: float, speed: float, speed_unit: str) -> float:
    """Seconds per point from the step (deg) and the scan speed (deg/min or deg/s)."""
    if not (step > 0 and speed > 0):
        return float("nan")
    per_second = speed / 60.0 if "min" in speed_unit else speed
    return abs(step) / per_second


def _dataset(path: Path, rows: np.ndarray, meta: dict) -> xr.Dataset:
    """The xrd dataset from rows (2θ, counts, attenuation) and header facts."""
    two_theta, counts, attenuation = rows[:, 0], rows[:, 1], rows[:, 2]
    time = meta.pop("counting_time_s")
    unit_y = meta.pop("unit_y", "counts").lower()
    texts = " ".join(meta.pop("texts", []))
    if re.search(r"reflectivity|\bXRR\b", texts, re.IGNORECASE):
        meta["scan_kind"] = "reflectivity"
    attrs = {**meta, "reader": NAME, "reader_version": VERSION}
    long_name = "diffracted intensity (counts × attenuation)"
    return xrd_dataset(
        two_theta,
        counts * attenuation,
        time,
        attrs,
        counts_are_cps=unit_y == "cps",
        intensity_long_name=long_name,
    )


def _wave_attrs(ka1: float, ka2: float, wave_type: str) -> dict:
    """Wavelength attributes; Kα2 dropped when the generator says Kα1 only."""
    mono = wave_type.replace(" ", "").lower() in ("ka1", "kalpha1")
    ratio = 0.0 if mono or not np.isfinite(ka2) else KA2_KA1_RATIO
    return wavelength_attrs(ka1, ka2, ratio)


def read_ras(path: Path) -> xr.Dataset:
    """Read a .ras text file."""
    header, rows, n_blocks = parse_ras(path, decode_ras(path, path.read_bytes()))
    declared = _float(header.get("MEAS_DATA_COUNT"))
    meta = {
        **_wave_attrs(
            _float(header.get("HW_XG_WAVE_LENGTH_ALPHA1")),
            _float(header.get("HW_XG_WAVE_LENGTH_ALPHA2")),
            header.get("MEAS_COND_XG_WAVE_TYPE", "Ka"),
        ),
        "anode": header.get("HW_XG_TARGET_NAME", ""),
        "counting_time_s": _counting_time(
            _float(header.get("MEAS_SCAN_STEP")),
            _float(header.get("MEAS_SCAN_SPEED")),
            header.get("MEAS_SCAN_SPEED_UNIT", "deg/min"),
        ),
        "unit_y": header.get("MEAS_SCAN_UNIT_Y", "counts"),
        "scan_axis": header.get("MEAS_SCAN_AXIS_X", ""),
        "instrument": _english(header.get("HW_GONIOMETER_NAME", "")),
        "start_time": header.get("MEAS_SCAN_START_TIME", ""),
        "file_sample": header.get("FILE_SAMPLE", ""),
        "n_scans_in_file": n_blocks,
        "scan_used": f"1 of {n_blocks}",
        "texts": [
            header.get(k, "")
            for k in ("FILE_MEMO", "FILE_COMMENT", "MEAS_COND_OPT_ATTR", "MEAS_COND_OPT_NAME")
        ],
    }
    if np.isfinite(declared) and int(declared) != rows.shape[0]:
        meta["data_count_note"] = (
            f"header MEAS_DATA_COUNT {int(declared)}, rows read {rows.shape[0]}"
        )
    return _dataset(path, rows, meta)


def _xml_text(root, name: str) -> str:
    """Text of the first element with this local name, '' when absent."""
    for elem in root.iter():
        if elem.tag.rsplit("}", 1)[-1] == name:
            return (elem.text or "").strip()
    return ""


def read_rasx(path: Path) -> xr.Dataset:
    """Read a .rasx zip (Data0/Profile0.txt + Data0/MesurementConditions0.xml)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            profile = zf.read("Data0/Profile0.txt")
            cond_name = next(
                (n for n in names if re.match(r"Data0/Me(a)?surementConditions0\.xml", n)), None
            )
            conditions = zf.read(cond_name) if cond_name else b""
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ReadError(path, "zip archive", "a .rasx with Data0/Profile0.txt", str(exc)) from None
    try:
        rows = np.loadtxt(io.StringIO(decode(profile)), ndmin=2)
    except ValueError as exc:
        raise ReadError(
            path, "Data0/Profile0.txt", "rows '2θ counts attenuation'", str(exc)
        ) from None
    if rows.shape[1] == 2:
        rows = np.column_stack([rows, np.ones(len(rows))])
    root = ElementTree.fromstring(conditions) if conditions else None
    get = (lambda name: _xml_text(root, name)) if root is not None else (lambda name: "")
    meta = {
        **_wave_attrs(
            _float(get("WavelengthKalpha1")),
            _float(get("WavelengthKalpha2")),
            get("WaveType") or "Ka",
        ),
        "anode": get("TargetName"),
        "counting_time_s": _counting_time(
            _float(get("Step")), _float(get("Speed")), get("SpeedUnit") or "deg/min"
        ),
        "unit_y": get("IntensityUnit") or "counts",
        "scan_axis": get("AxisName"),
        "instrument": get("SystemName"),
        "start_time": get("StartTime"),
        "file_sample": get("SampleName"),
        "n_scans_in_file": sum(1 for n in names if re.match(r"Data\d+/Profile\d+\.txt", n)),
        "scan_used": "Data0/Profile0.txt",
        "texts": [get("Memo"), get("Comment"), get("PartName"), get("Attribute")],
    }
    return _dataset(path, rows[:, :3], meta)


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read a Rigaku .ras or .rasx file as the xrd layout."""
    path = Path(path)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    return read_rasx(path) if magic == b"PK\x03\x04" else read_ras(path)
