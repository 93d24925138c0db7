"""PANalytical / Malvern Panalytical XRDML (XML) 2θ scans, namespaces 1.0-2.1.

Why our own parser: XRDML is documented XML (https://www.xrdml.com), so a few
defusedxml look-ups read it. The PyPI readers we looked at do not fit: ``xrdtools``
(2018, unmaintained) knows neither ``<counts>`` (XRDML 2.x) nor beam attenuation;
``yadg`` pulls in a large dependency tree for one file type; ``xylib-py`` needs a compiled
library and ignores the attenuation factors.

What is read (first ``<xrdMeasurement>``, its first ``<scan>``):
- 2θ from ``<positions axis="2Theta">`` as ``startPosition``/``endPosition`` (equally
  spaced, as the format defines) or ``listPositions``;
- counts from ``<intensities>`` (XRDML ≤ 1.x) or ``<counts>`` (2.x);
- ``<beamAttenuationFactors>``: where present, each count is multiplied by its factor (the
  instrument attenuated the beam by that factor at that point; this makes the scan
  continuous where the attenuator switches), so ``intensity`` is in unattenuated counts;
- ``commonCountingTime`` or per-point ``countingTimes`` → ``intensity_cps`` = intensity / time;
- ``kAlpha1``, ``kAlpha2``, ``ratioKAlpha2KAlpha1`` and the tube's ``anodeMaterial``.

Several scans in one file (repeated scans, appended scans): the first is read and the
attributes ``n_scans_in_file`` and ``scan_used`` say so; summing is not done because
repeated scans need not share a grid or conditions.

``scan_kind`` is ``"reflectivity"`` when the scan ends below 8° 2θ or the measurement
says "reflectivity"/"XRR", else ``"powder"``: the phase analysis refuses reflectivity scans.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import xarray as xr
from defusedxml import ElementTree

from interphase.datasets import REFLECTIVITY_MAX_2THETA, wavelength_attrs, xrd_dataset
from interphase.errors import ReadError
from interphase.readers._text import float_or

NAME = "panalytical_xrdml"
VERSION = "2"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config


def sniff(path: Path, head: bytes) -> bool:
    """True for an XML document in an XRDML namespace."""
    return b"<xrdMeasurements" in head[:4096] and b"xrdml.com/XRDMeasurement" in head[:4096]


def _local(tag: str) -> str:
    """The tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _child(elem, name: str):
    """The first direct child with this local name, or None."""
    for c in elem:
        if _local(c.tag) == name:
            return c
    return None


def _children(elem, name: str) -> list:
    """All direct children with this local name."""
    return [c for c in elem if _local(c.tag) == name]


def _find(elem, name: str):
    """The first descendant with this local name, or None."""
    for c in elem.iter():
        if _local(c.tag) == name:
            return c
    return None


def _numbers(path: Path, elem, what: str) -> np.ndarray:
    """The whitespace-separated numbers of an element."""
    try:
        return np.array([float(v) for v in (elem.text or "").split()], dtype=float)
    except ValueError as exc:
        raise ReadError(path, f"<{what}>", "whitespace-separated numbers", str(exc)) from None


def _float_text(elem, default: float = float("nan")) -> float:
    """An element's text as a float, ``default`` when absent or empty."""
    return float_or(elem.text if elem is not None else None, default, decimal_comma=False)


def _two_theta(path: Path, data_points, n: int) -> np.ndarray:
    """The 2θ positions of a scan's ``<dataPoints>``."""
    for pos in _children(data_points, "positions"):
        if pos.get("axis") != "2Theta":
            continue
        listed = _child(pos, "listPositions")
        if listed is not None:
            values = _numbers(path, listed, "listPositions")
            if values.size != n:
                raise ReadError(
                    path,
                    "<listPositions axis=2Theta>",
                    f"{n} positions (one per count)",
                    str(values.size),
                )
            return values
        start, end = _child(pos, "startPosition"), _child(pos, "endPosition")
        if start is not None and end is not None:
            return np.linspace(_float_text(start), _float_text(end), n)
        common = _child(pos, "commonPosition")
        if common is not None:
            raise ReadError(
                path,
                "<positions axis=2Theta>",
                "a 2θ scan",
                "a fixed 2θ (commonPosition): not a 2θ scan",
            )
    raise ReadError(
        path, "<dataPoints>", '<positions axis="2Theta"> with start/end or listPositions', "none"
    )


def _counting_time(path: Path, data_points, n: int) -> np.ndarray | None:
    """Counting time per point (s) from commonCountingTime or countingTimes, or None."""
    common = _child(data_points, "commonCountingTime")
    if common is not None:
        return np.full(n, _float_text(common))
    listed = _child(data_points, "countingTimes")
    if listed is not None:
        values = _numbers(path, listed, "countingTimes")
        if values.size == n:
            return values
        raise ReadError(path, "<countingTimes>", f"{n} values", str(values.size))
    return None


def _is_reflectivity(root, measurement, two_theta: np.ndarray) -> bool:
    """True for an X-ray reflectivity scan (ends below 8° or says so)."""
    if np.nanmax(two_theta) < REFLECTIVITY_MAX_2THETA:
        return True
    texts = [measurement.get("measurementType", "")]
    texts += [e.text or "" for e in root.iter() if _local(e.tag) == "entry"]
    return any(re.search(r"reflectivity|\bXRR\b", t, re.IGNORECASE) for t in texts)


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read the first 2θ scan of an XRDML file as the xrd layout."""
    path = Path(path)
    try:
        root = ElementTree.parse(str(path)).getroot()
    except ElementTree.ParseError as exc:
        raise ReadError(
            path, f"line {exc.position[0]}, column {exc.position[1]}", "well-formed XML", str(exc)
        ) from None
    if _local(root.tag) != "xrdMeasurements":
        raise ReadError(path, "root element", "<xrdMeasurements>", f"<{_local(root.tag)}>")
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    measurement = _child(root, "xrdMeasurement")
    if measurement is None:
        raise ReadError(path, "<xrdMeasurements>", "an <xrdMeasurement>", "none")
    scans = _children(measurement, "scan")
    if not scans:
        raise ReadError(path, "<xrdMeasurement>", "at least one <scan>", "none")
    scan = scans[0]
    data_points = _child(scan, "dataPoints")
    if data_points is None:
        raise ReadError(path, "<scan> 1", "<dataPoints>", "none")
    counts_elem = _child(data_points, "counts")
    if counts_elem is None:
        counts_elem = _child(data_points, "intensities")
    if counts_elem is None:
        raise ReadError(path, "<dataPoints> of scan 1", "<intensities> or <counts>", "neither")
    counts = _numbers(path, counts_elem, _local(counts_elem.tag))
    n = counts.size
    if n < 2:
        raise ReadError(path, f"<{_local(counts_elem.tag)}>", "at least 2 points", str(n))
    two_theta = _two_theta(path, data_points, n)
    attenuation = _child(data_points, "beamAttenuationFactors")
    attrs: dict = {}
    intensity = counts
    if attenuation is not None:
        factors = _numbers(path, attenuation, "beamAttenuationFactors")
        if factors.size != n:
            raise ReadError(
                path, "<beamAttenuationFactors>", f"{n} factors (one per count)", str(factors.size)
            )
        intensity = counts * factors
        attrs["beam_attenuation_applied"] = "counts multiplied by beamAttenuationFactors"
    time = _counting_time(path, data_points, n)

    wave = _find(measurement, "usedWavelength")
    ka1 = _float_text(_child(wave, "kAlpha1")) if wave is not None else float("nan")
    ka2 = _float_text(_child(wave, "kAlpha2")) if wave is not None else float("nan")
    ratio = _float_text(_child(wave, "ratioKAlpha2KAlpha1")) if wave is not None else float("nan")
    anode = _find(measurement, "anodeMaterial")
    header = _child(scan, "header")
    start_time = _find(header, "startTimeStamp") if header is not None else None
    software = _find(header, "applicationSoftware") if header is not None else None
    instrument = _find(header, "instrumentControlSoftware") if header is not None else None
    attrs.update(
        {
            **wavelength_attrs(ka1, ka2, ratio),
            "anode": (anode.text or "").strip() if anode is not None else "",
            "scan_kind": "reflectivity"
            if _is_reflectivity(root, measurement, two_theta)
            else "powder",
            "scan_axis": scan.get("scanAxis", ""),
            "measurement_type": measurement.get("measurementType", ""),
            "n_scans_in_file": len(scans),
            "scan_used": f"1 of {len(scans)}",
            "xrdml_namespace": namespace,
            "instrument": (instrument.text or "").strip() if instrument is not None else "",
            "software": (software.text or "").strip() if software is not None else "",
            "start_time": (start_time.text or "").strip() if start_time is not None else "",
            "reader": NAME,
            "reader_version": VERSION,
        }
    )
    return xrd_dataset(two_theta, intensity, time, attrs)
