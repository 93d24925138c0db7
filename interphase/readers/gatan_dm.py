"""Gatan DigitalMicrograph files (.dm3, .dm4): EELS and EDX spectra, spectrum lines and images.

Why rosettasciio: :func:`rsciio.digitalmicrograph.file_reader` (HyperSpy's DM reader, kept by
the HyperSpy team, the reference open reader of Gatan's undocumented tag format) parses the
DM3/DM4 tag tree, the data types and the calibrations; writing a tag parser here would repeat
it. This module takes from its result the data, the calibrated axes and the tags:

- the energy axis is the axis calibrated in ``eV`` or ``keV`` (converted to eV), wherever it is
  in the array (DM stores spectrum images energy first: rsciio then marks the energy axis as
  navigation and leaves the transpose to HyperSpy);
- the other axes are spatial: none -> a single spectrum at distance 0; one -> a spectrum line,
  its calibrated axis converted to nm (a step in pixels only is refused); two -> a spectrum
  image, summed across the second navigation axis (HyperSpy's order: x first, then y), i.e.
  along y, giving a line along x (attribute ``reduced_from``);
- the signal type is ``ImageTags.Meta Data.Signal`` (rsciio's ``signal_type``: ``EELS`` or
  ``EDS_TEM`` for ``X-ray``): an EELS file serves eels_line only, an X-ray file edx_line only;
  a file without that tag serves either, with a note;
- EELS metadata: beam energy from ``Microscope Info.Voltage`` (V), the convergence and
  collection semi-angles from ``EELS.Experimental Conditions`` (mrad; DM writes 0.0 for an
  angle never entered, read as NaN and said in ``reader_notes``);
- EDX spectra (a spectrum line or image: two or more positions) are kept as measured, the
  spectra variant of the edx_line layout, with the elements DM labels (``elements_named``)
  and the detector's ``Zero fwhm`` (keV, stored in eV) and ``Fano`` from ``EDS.Detector
  Info``: the EDX analysis quantifies them (:func:`interphase.edx.quantify.composition_line`).

Content detection: a DM3 file starts with the big-endian int32 version 3, a 4-byte root length
and a 4-byte byte-order flag (0 or 1); DM4 with version 4, an 8-byte length and the flag; then
the root tag group's 'sorted' and 'open' flags (0 or 1).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import ELEMENT_SYMBOLS, edx_spectra_dataset, eels_line_dataset
from interphase.errors import ReadError
from interphase.readers import _text

NAME = "gatan_dm"
VERSION = "2"
TECHNIQUES = ("eels_line", "edx_line")


def sniff(path: Path, head: bytes) -> bool:
    """True for a DM3/DM4 file: version 3 or 4, a byte-order flag and root-group flags of 0 or 1."""
    if path.is_dir() or len(head) < 18:
        return False
    version = int.from_bytes(head[0:4], "big")
    if version == 3:
        order, flags = head[8:12], head[12:14]
    elif version == 4:
        order, flags = head[12:16], head[16:18]
    else:
        return False
    return int.from_bytes(order, "big") in (0, 1) and all(b in (0, 1) for b in flags)


# Reader option (config: eels.spectrum_image_sum_axis / edx.spectrum_image_sum_axis).
OPTIONS = ("sum_axis",)
SUM_AXES = ("x", "y")


def read(path: Path, technique: str, sum_axis: str = "y") -> xr.Dataset:
    """An eels_line or edx_line dataset from a DM3/DM4 spectrum, spectrum line or spectrum image.

    A spectrum image is reduced to a line by summing along ``sum_axis`` ("x" or "y"); EDS
    spectra are kept as measured (an edx_line needs two or more positions).
    """
    path = Path(path)
    if technique not in TECHNIQUES:
        raise ReadError(
            path, None, f"a technique this reader carries ({', '.join(TECHNIQUES)})", technique
        )
    with open(path, "rb") as fh:
        head = fh.read(18)
    if not sniff(path, head):
        raise ReadError(
            path, "byte 0", "a DigitalMicrograph DM3/DM4 header (version 3 or 4)", repr(head[:8])
        )
    results = load(path)
    return dataset_from_result(path, pick_spectrum(path, results), technique, sum_axis=sum_axis)


def load(path: Path) -> list[dict]:
    """rosettasciio's result dictionaries for the file; ReadError with its message when it fails."""
    from rsciio.digitalmicrograph import file_reader

    try:
        return file_reader(str(path))
    except Exception as exc:  # noqa: BLE001 - any parser failure is an unreadable file
        found = f"a damaged or unsupported file (rosettasciio: {exc})"
        raise ReadError(path, "tag tree", "a DM3/DM4 file rosettasciio can parse", found) from None


def energy_axis_index(result: dict) -> int | None:
    """Position in ``axes`` of the axis calibrated in eV or keV; None when there is none."""
    for i, axis in enumerate(result["axes"]):
        if _text.energy_eV(str(axis.get("units", ""))) is not None:
            return i
    return None


def pick_spectrum(path: Path, results: list[dict]) -> dict:
    """The first image of the file that has an energy axis; ReadError describing what is there."""
    for result in results:
        if energy_axis_index(result) is not None:
            return result
    found = "; ".join(
        f"shape {np.shape(r['data'])}, axes in {[a.get('units', '') for a in r['axes']]}"
        for r in results
    )
    raise ReadError(
        path,
        "image data",
        "a spectrum, spectrum line or spectrum image (an axis in eV or keV)",
        found or "no image",
    )


def signal_type(result: dict) -> str:
    """'EELS', 'EDS' or '' from the DM 'Meta Data.Signal' tag (as rosettasciio maps it)."""
    value = str(result.get("metadata", {}).get("Signal", {}).get("signal_type", "")).upper()
    if value.startswith("EELS"):
        return "EELS"
    if value.startswith("EDS") or value in ("X-RAY", "EDX"):
        return "EDS"
    return ""


def image_tags(result: dict) -> dict:
    """The image's DM tags (rosettasciio puts the image's tag group at ImageList.TagGroup0)."""
    return (
        result.get("original_metadata", {})
        .get("ImageList", {})
        .get("TagGroup0", {})
        .get("ImageTags", {})
        or {}
    )


def tag(tags: dict, *keys: str):
    """A nested tag value, or None when any level is missing."""
    node = tags
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def tag_float(tags: dict, *keys: str) -> float:
    """A nested numeric tag as float; NaN when missing or not a number."""
    value = tag(tags, *keys)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def energy_eV(path: Path, axis: dict) -> np.ndarray:
    """Energies (eV) of a calibrated axis: offset + scale * channel."""
    factor = _text.energy_eV(str(axis["units"]))
    scale = float(axis["scale"])
    if scale == 0:
        raise ReadError(path, "energy calibration", "a non-zero energy per channel", "0")
    return factor * (float(axis["offset"]) + scale * np.arange(int(axis["size"])))


def spatial_nm(path: Path, axis: dict) -> tuple[np.ndarray, float]:
    """Distances (nm) along a calibrated spatial axis, from 0, and the axis offset (nm)."""
    units = str(axis.get("units", "")).strip()
    factor = _text.length_nm(units)
    if factor is None:
        raise ReadError(
            path,
            f"axis '{axis.get('name', '')}'",
            "a spatial calibration in nm, µm or Å",
            repr(units) if units else "no unit (pixels)",
        )
    step = abs(float(axis["scale"])) * factor
    if step == 0:
        raise ReadError(path, f"axis '{axis.get('name', '')}'", "a non-zero step", "0")
    return step * np.arange(int(axis["size"])), float(axis["offset"]) * factor


def spectra_along_line(
    path: Path, result: dict, sum_axis: str = "y"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(energy eV, distance nm, counts (distance, energy), attrs) from an rsciio result.

    A spectrum image (array order y, x, E) is summed along ``sum_axis``; the line runs along
    the other.
    """
    if sum_axis not in SUM_AXES:
        raise ReadError(
            path, "spectrum image", f"a summing direction in {SUM_AXES}", repr(sum_axis)
        )
    data = np.asarray(result["data"], dtype=float)
    axes = sorted(result["axes"], key=lambda a: a.get("index_in_array", 0))
    e_index = energy_axis_index({"axes": axes})
    energy = energy_eV(path, axes[e_index])
    spatial = [a for i, a in enumerate(axes) if i != e_index]
    counts = np.moveaxis(data, e_index, -1)
    attrs: dict = {}
    if len(spatial) == 0:
        distance = np.array([0.0])
        counts = counts[np.newaxis, :]
        attrs["position_source"] = "single spectrum"
    elif len(spatial) == 1:
        distance, offset = spatial_nm(path, spatial[0])
        attrs.update(position_source="calibrated navigation axis", navigation_offset_nm=offset)
    elif len(spatial) == 2:
        # array order (y, x, E): HyperSpy's second navigation axis is y, the lower array index
        summed, along = (0, 1) if sum_axis == "y" else (1, 0)
        distance, offset = spatial_nm(path, spatial[along])
        counts = counts.sum(axis=summed)
        attrs.update(
            position_source="calibrated navigation axis",
            navigation_offset_nm=offset,
            reduced_from=f"spectrum image summed along {sum_axis}",
            summed_rows=int(spatial[summed]["size"]),
        )
    else:
        raise ReadError(
            path,
            "image data",
            "a spectrum, spectrum line or spectrum image (at most 2 spatial axes)",
            f"shape {data.shape}",
        )
    if energy.size > 1 and energy[1] < energy[0]:
        energy, counts = energy[::-1], counts[:, ::-1]
    return energy, distance, counts, attrs


def start_time(tags: dict, group: str) -> str:
    """ISO date-time from '<group>.Acquisition' Date (m/d/yyyy, DM's US order) and Start time."""
    date = str(
        tag(tags, group, "Acquisition", "Date") or tag(tags, "DataBar", "Acquisition Date") or ""
    ).strip()
    time = str(
        tag(tags, group, "Acquisition", "Start time")
        or tag(tags, "DataBar", "Acquisition Time")
        or ""
    ).strip()
    try:
        day = datetime.strptime(date, "%m/%d/%Y").date().isoformat()
    except ValueError:
        return ""
    for fmt in ("%I:%M:%S %p", "%H:%M:%S"):
        try:
            return f"{day}T{datetime.strptime(time, fmt).strftime('%H:%M:%S')}"
        except ValueError:
            continue
    return day


def common_attrs(tags: dict, result: dict, group: str, energy: np.ndarray) -> dict:
    """Attributes every DM dataset carries: beam energy, instrument, title, times, calibration."""
    voltage = tag_float(tags, "Microscope Info", "Voltage")
    return {
        "beam_energy_keV": voltage / 1e3 if voltage > 0 else math.nan,
        "instrument": str(
            tag(tags, "Session Info", "Microscope") or tag(tags, "Microscope Info", "Name") or ""
        ),
        "title": str(result.get("metadata", {}).get("General", {}).get("title", "")),
        "start_time": start_time(tags, group),
        "signal_type": signal_type(result),
        "dispersion_eV": float(np.round((energy[-1] - energy[0]) / max(energy.size - 1, 1), 9)),
        "energy_offset_eV": float(energy[0]),
        "dm_version": str(tag(tags, "GMS Version", "Saved") or ""),
    }


def dataset_from_result(
    path: Path, result: dict, technique: str, sum_axis: str = "y"
) -> xr.Dataset:
    """The technique's dataset from one rosettasciio result dictionary."""
    kind = signal_type(result)
    wanted = "EELS" if technique == "eels_line" else "EDS"
    if kind and kind != wanted:
        other = "edx_line" if kind == "EDS" else "eels_line"
        raise ReadError(
            path,
            "ImageTags.Meta Data.Signal",
            f"an {'EELS' if wanted == 'EELS' else 'X-ray (EDS)'} spectrum for {technique}",
            f"signal {kind}: read it as {other}",
        )
    notes = [] if kind else ["no 'Meta Data.Signal' tag: signal type not stated, read as asked"]
    energy, distance, counts, line_attrs = spectra_along_line(path, result, sum_axis)
    tags = image_tags(result)
    if technique == "eels_line":
        return eels_dataset(result, tags, energy, distance, counts, line_attrs, notes)
    return edx_dataset(path, result, tags, energy, distance, counts, line_attrs, notes)


def angle_mrad(tags: dict, name: str, notes: list[str]) -> float:
    """An EELS semi-angle (mrad) from 'EELS.Experimental Conditions'; 0 (not entered) -> NaN."""
    value = tag_float(tags, "EELS", "Experimental Conditions", f"{name} semi-angle (mrad)")
    if value == 0.0:
        notes.append(f"{name.lower()} semi-angle tag is 0.0 (not entered): NaN")
        return math.nan
    return value


def eels_dataset(
    result: dict, tags: dict, energy, distance, counts, line_attrs: dict, notes: list[str]
) -> xr.Dataset:
    """The eels_line dataset."""
    units = str(
        tag(
            result.get("original_metadata", {}),
            "ImageList",
            "TagGroup0",
            "ImageData",
            "Calibrations",
            "Brightness",
            "Units",
        )
        or ""
    )
    convergence = angle_mrad(tags, "Convergence", notes)
    collection = angle_mrad(tags, "Collection", notes)
    attrs = {
        **common_attrs(tags, result, "EELS", energy),
        "convergence_angle_mrad": convergence,
        "collection_angle_mrad": collection,
        "spectrometer": str(tag(tags, "EELS Spectrometer", "Instrument name") or ""),
        "exposure_s": tag_float(tags, "EELS", "Acquisition", "Exposure (s)"),
        "intensity_units_in_file": units,
        **line_attrs,
        "reader_notes": "; ".join(notes),
        "reader": NAME,
        "reader_version": VERSION,
    }
    return eels_line_dataset(distance, energy, counts, attrs)


def tag_elements(tags: dict) -> list[str]:
    """Elements in DM's EDS element list ('EDS.AutoID.KLMLabel.Atomic Element Label List')."""
    listed = tag(tags, "EDS", "AutoID", "KLMLabel", "Atomic Element Label List")
    text = (
        " ".join(str(v) for v in listed.values()) if isinstance(listed, dict) else str(listed or "")
    )
    return [e for e in re.findall(r"\b([A-Z][a-z]?)\b", text) if e in ELEMENT_SYMBOLS]


def edx_dataset(
    path: Path,
    result: dict,
    tags: dict,
    energy,
    distance,
    counts,
    line_attrs: dict,
    notes: list[str],
) -> xr.Dataset:
    """The edx_line spectra variant: X-ray counts as measured at each position (two or more)."""
    if distance.size < 2:
        expected = "an EDX line: a spectrum line or spectrum image (two or more positions)"
        found = "a single spectrum (an EDX line needs two or more positions)"
        raise ReadError(path, "image data", expected, found)
    named = tag_elements(tags)
    zero_fwhm_keV = tag_float(tags, "EDS", "Detector Info", "Zero fwhm")
    attrs = {
        **common_attrs(tags, result, "EDS", energy),
        "elements_named": ", ".join(named),
        "elements_source": "DM element labels" if named else "",
        "detector_zero_fwhm_eV": zero_fwhm_keV * 1e3,  # DM writes keV
        "detector_fano": tag_float(tags, "EDS", "Detector Info", "Fano"),
        "elevation_angle_deg": tag_float(tags, "EDS", "Detector Info", "Elevation angle"),
        "live_time_s": tag_float(tags, "EDS", "Live time"),
        "real_time_s": tag_float(tags, "EDS", "Real time"),
        "detector": str(tag(tags, "EDS", "Detector Info", "Detector type") or ""),
        **line_attrs,
        "reader_notes": "; ".join(notes),
        "reader": NAME,
        "reader_version": VERSION,
    }
    return edx_spectra_dataset(distance, energy, counts, attrs)
