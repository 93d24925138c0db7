"""Bruker DIFFRAC.SUITE ``.brml`` 2θ scans (a zip of XML files).

Why our own parser: ``.brml`` is a zip of plain XML; :mod:`zipfile` plus defusedxml read
it in a few lines. No maintained PyPI library reads it (``xylib-py`` does not; GenX and
nomad-measurements carry private readers inside applications).

Read: ``Experiment0/RawData0.xml`` (the first data route of the first experiment):
``<Datum>`` rows of comma-separated numbers whose columns are described by
``<DataViews>``/``<RawDataView Start=… Length=…>``: the ``MeasuredTime`` column (s per
step), the ``AbsorptionFactor`` column, the ``ScanAxes`` view's ``TwoTheta`` field (the
2θ of each step) and the first recorded detector view (``MeasuredDataIndex="0"``, counts).
Files without ``<DataViews>`` (older DIFFRAC.SUITE) use the DIFFRAC layout ``time,
enabled, 2θ, θ, …, counts``: column 2 is 2θ and the last column the counts. A route
whose scan axes lack TwoTheta (rocking curve, phi or chi scan) is refused.
``intensity = counts × absorption factor`` (the factor by which the absorber attenuated
the beam at that step; 1 without absorber), ``intensity_cps = intensity / time``.
Wavelengths and anode from the tube (``WaveLengthAlpha1/2``, ``WaveLengthRatio``,
``TubeMaterial``). ``scan_kind`` is ``"reflectivity"`` when the scan ends below 8° 2θ or
the scan is named as one (``XRR``/``Reflectivity``). Only the first route is read
(``n_ranges_in_file`` counts the RawData files).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import xarray as xr
from defusedxml import ElementTree

from interphase.datasets import wavelength_attrs, xrd_dataset
from interphase.errors import ReadError
from interphase.readers._text import float_or

NAME = "bruker_brml"
VERSION = "1"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

RAW_DATA = re.compile(r"^Experiment\d+/RawData\d+\.xml$")
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def sniff(path: Path, head: bytes) -> bool:
    """True for a zip holding Experiment*/RawData*.xml."""
    if not head.startswith(b"PK\x03\x04") or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return any(RAW_DATA.match(n) for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


def _local(tag: str) -> str:
    """The tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _first(root, name: str):
    """The first descendant with this local name, or None."""
    return next((e for e in root.iter() if _local(e.tag) == name), None)


def _value_attr(root, name: str, default: float = float("nan")) -> float:
    """The float ``Value`` attribute of the first element of this name."""
    elem = _first(root, name)
    return float_or(elem.get("Value") if elem is not None else None, default, decimal_comma=False)


def _text(root, name: str) -> str:
    """The text of the first element of this name, '' when absent."""
    elem = _first(root, name)
    return (elem.text or "").strip() if elem is not None else ""


def column_map(route) -> dict[str, int]:
    """Column indices of time, absorption factor, 2θ and counts from a route's <DataViews>."""
    columns: dict[str, int] = {}
    views = _first(route, "DataViews")
    if views is None:
        return columns
    for view in views:
        start = int(view.get("Start", "-1"))
        kind = view.get(XSI_TYPE, "")
        logic = view.get("LogicName", "")
        if kind == "FixedRawDataView" and logic in ("MeasuredTime", "AbsorptionFactor"):
            columns[logic] = start
        elif kind == "VaryingRawDataView":
            varying = _first(view, "Varying")
            if varying is None or varying.get("LogicName") != "ScanAxes":
                continue
            fields = [f for f in varying if _local(f.tag) == "FieldDefinitions"]
            columns["ScanAxes"] = start
            for i, field in enumerate(fields):
                if field.get("AxisId") == "TwoTheta":
                    columns["TwoTheta"] = start + i
        elif kind == "RecordedRawDataView" and view.get("MeasuredDataIndex") == "0":
            columns.setdefault("Counts", start)
    return columns


def _rows(path: Path, route, member: str) -> np.ndarray:
    """The <Datum> rows of a route as an n × k array."""
    rows = []
    for i, datum in enumerate((d for d in route.iter() if _local(d.tag) == "Datum"), start=1):
        try:
            rows.append([float(v) for v in (datum.text or "").split(",")])
        except ValueError:
            raise ReadError(
                path,
                f"{member}, <Datum> {i}",
                "comma-separated numbers",
                repr((datum.text or "")[:60]),
            ) from None
    if not rows:
        raise ReadError(path, member, "<Datum> rows", "none")
    if len({len(r) for r in rows}) > 1:
        raise ReadError(path, member, "<Datum> rows of equal length", "rows of different lengths")
    return np.array(rows, dtype=float)


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read the first data route of a .brml file as the xrd layout."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = sorted(
                (n for n in zf.namelist() if RAW_DATA.match(n)),
                key=lambda n: [int(d) for d in re.findall(r"\d+", n)],
            )
            if not members:
                raise ReadError(
                    path, "zip archive", "Experiment0/RawData0.xml", ", ".join(zf.namelist()[:5])
                )
            member = members[0]
            xml = zf.read(member)
    except zipfile.BadZipFile as exc:
        raise ReadError(path, "byte 0", "a zip archive (.brml)", str(exc)) from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise ReadError(
            path, f"{member}, line {exc.position[0]}", "well-formed XML", str(exc)
        ) from None
    route = _first(root, "DataRoute")
    if route is None:
        raise ReadError(path, member, "a <DataRoute>", "none")
    table = _rows(path, route, member)
    columns = column_map(route)
    if "ScanAxes" in columns and "TwoTheta" not in columns:
        raise ReadError(
            path,
            f"{member}, <DataViews>",
            "a scan with a TwoTheta axis (a 2θ scan)",
            "scan axes without TwoTheta (rocking curve, phi or chi scan...)",
        )
    width = table.shape[1]
    wanted = {k: v for k, v in columns.items() if k != "ScanAxes"}
    if width < 3 or any(v >= width for v in wanted.values()):
        raise ReadError(
            path,
            f"{member}, <Datum> 1",
            f"columns {sorted(wanted.values()) or [0, 2, 'last']} (time, 2θ, counts)",
            f"{width} columns",
        )
    two_theta = table[:, columns.get("TwoTheta", 2)]
    counts = table[:, columns.get("Counts", width - 1)]
    time = table[:, columns.get("MeasuredTime", 0)]
    factor = (
        table[:, columns["AbsorptionFactor"]]
        if "AbsorptionFactor" in columns
        else np.ones(len(table))
    )
    scan_info = _first(route, "ScanInformation")
    scan_name = (
        " ".join(scan_info.get(k, "") for k in ("ScanName", "VisibleName"))
        if scan_info is not None
        else ""
    )
    tube = _first(root, "Tube")
    source = tube if tube is not None else root
    ka1 = _value_attr(source, "WaveLengthAlpha1", _value_attr(root, "WaveLength"))
    ka2 = _value_attr(source, "WaveLengthAlpha2")
    ratio = _value_attr(source, "WaveLengthRatio", 0.0)
    attrs = {
        **wavelength_attrs(ka1, ka2, ratio),
        "anode": _text(source, "TubeMaterial"),
        "scan_axis": scan_name.strip(),
        "start_time": _text(root, "TimeStampStarted"),
        "measurement_status": _text(root, "MeasurementStatus"),
        "generator_kV": _value_attr(source, "Voltage"),
        "generator_mA": _value_attr(source, "Current"),
        "column_source": "DataViews"
        if {"TwoTheta", "Counts"} <= set(columns)
        else "default column order",
        "n_ranges_in_file": len(members),
        "scan_used": member,
        "reader": NAME,
        "reader_version": VERSION,
    }
    if not np.all(factor == 1):
        attrs["absorption_applied"] = "counts multiplied by the AbsorptionFactor column"
    if re.search(r"reflectivity|\bXRR\b", scan_name, re.IGNORECASE):
        attrs["scan_kind"] = "reflectivity"
    return xrd_dataset(two_theta, counts * factor, time, attrs)
