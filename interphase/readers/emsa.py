"""EMSA/MAS spectral data files (.msa, .ems): one EELS or EDX spectrum a file, a folder a line.

Format: the EMSA/MAS standard (ISO 22029; "EMSA/MAS Spectral Data File Format", MSA 1991):
``#KEYWORD-unit: value`` header lines (``-unit`` optional, e.g. ``#BEAMKV   -kV: 120.0``,
``##USERKEY`` for user keywords), ``#SPECTRUM :``, the data as Y values (``DATATYPE Y``) or
X, Y pairs (``XY``) separated by commas and/or spaces, ``#ENDOFDATA :``.

Why rosettasciio: :func:`rsciio.msa.file_reader` (HyperSpy's MSA reader, kept by the HyperSpy
team) parses the header into typed values, copes with ``NPOINTS`` written as a float
(``2048.00``) or disagreeing with the rows (it counts the rows), repeated keys (the last one
wins), unit suffixes (``#CONVANGLE-mR``), ``2.0 E-06`` with a space in the exponent, trailing
``", "`` after Y values and negative offsets. Tried on every file in
../shared/realdata/tem/msa_eels and msa_edx. Where it falls short, this module does it:

- ``DATATYPE XY``: rsciio drops the X column and rebuilds energies from OFFSET and XPERCHAN;
  the EMSA example file has non-uniform X values (563.47 then 565.79 at 3.1 eV/ch), so the X
  column is read here (:func:`parse_text`) and used as the energy axis.
- a ``#SPECTRUM`` line without a space after the colon (``#SPECTRUM    :``), which rsciio
  does not recognise (it splits on ``": "``), so it returns no data; a key with two unit
  dashes, or anything else it raises on: the small tolerant parser :func:`parse_text` reads
  the file instead (the attribute ``parser`` says which one did).
- a UTF-8 byte-order mark (rsciio decodes as latin-1 and loses the ``#FORMAT`` line).

Positions along the line (a folder of spectra), first found wins:

1. a user header key ``##POSITION`` or ``##DISTANCE`` with a length unit suffix
   (``##POSITION -nm: 12.0``; nm, um/µm, A (Å), mm);
2. a number with a length unit at the end of the file name (``pos_012.5nm.msa``);
3. the standard ``#XPOSITION``/``#YPOSITION`` stage keys (mm unless suffixed), as the distance
   from the first spectrum in name order.

A bare index (``spectrum_012.msa``) is refused: its step is not in the file.

EDX (``#SIGNALTYPE : EDS``, read as ``edx_line``): a folder of two or more spectra, kept as
measured (the spectra variant of the edx_line layout: counts along energy at each position;
one spectrum alone is refused, a line needs two or more positions). The elements the file
names (a user key ``##ELEMENTS : O, Ti, Co`` or DTSA-II's standard composition
``##D2STDCMP``) go into ``elements_named``, the beam energy (``#BEAMKV``, NaN when absent)
into ``beam_energy_keV``: the EDX analysis quantifies the spectra
(:func:`interphase.edx.quantify.composition_line`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import edx_spectra_dataset, eels_line_dataset, variable
from interphase.errors import ReadError
from interphase.readers import _text
from interphase.readers._positions import positions

NAME = "emsa"
VERSION = "3"
TECHNIQUES = ("eels_line", "edx_line")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

EXTENSIONS = (".msa", ".ems", ".emsa", ".mas")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass
class Spectrum:
    """One EMSA spectrum: energies (eV), counts, and the header as name -> (value text, unit)."""

    path: Path
    energy: np.ndarray
    counts: np.ndarray
    header: dict[str, tuple[str, str]]
    parser: str
    notes: list[str] = field(default_factory=list)


def sniff(path: Path, head: bytes) -> bool:
    """True for an EMSA file, or a folder holding EMSA files (first line '#FORMAT ... EMSA')."""
    if path.is_dir():
        files = spectrum_files(path)
        if not files:
            return False
        with open(files[0], "rb") as fh:
            head = fh.read(4096)
    return _is_emsa(head)


def _is_emsa(head: bytes) -> bool:
    """True when the first non-blank line is an EMSA '#FORMAT' line."""
    text = head[:4096].removeprefix(_text.BOM).decode("latin-1")
    for line in text.splitlines():
        if line.strip():
            return line.lstrip().upper().startswith("#FORMAT") and "EMSA" in line.upper()
    return False


def spectrum_files(folder: Path) -> list[Path]:
    """The EMSA files of a folder (by extension, not hidden), in natural name order."""
    files = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in EXTENSIONS and not p.name.startswith(".")
    ]
    return sorted(files, key=_natural_key)


def _natural_key(path: Path) -> list:
    """Sort key treating digit runs as numbers ('pos_9' before 'pos_10')."""
    return [
        float(t) if t.replace(".", "", 1).isdigit() else t.lower()
        for t in re.split(r"(\d+(?:\.\d+)?)", path.name)
    ]


# The sentence for an EDX "line" of one spectrum: a profile needs two or more positions.
ONE_POSITION = "a single spectrum (an EDX line needs two or more positions)"


def read(path: Path, technique: str) -> xr.Dataset:
    """An eels_line or edx_line dataset from a folder of .msa files (one a position).

    One .msa file is an eels_line of one position; as edx_line it is refused (a line
    profile needs two or more positions). EDX spectra are kept as measured (counts along
    energy); the EDX analysis quantifies them.
    """
    path = Path(path)
    if technique not in TECHNIQUES:
        expected = f"a technique this reader carries ({', '.join(TECHNIQUES)})"
        raise ReadError(path, None, expected, technique)
    require = require_eels if technique == "eels_line" else require_eds
    if path.is_dir():
        files = spectrum_files(path)
        if not files:
            raise ReadError(path, "folder", f"EMSA spectra ({', '.join(EXTENSIONS)})", "none")
        spectra = [read_spectrum(f) for f in files]
        for s in spectra:
            require(s)
        distances, source = positions(spectra) if len(spectra) > 1 else (np.array([0.0]), "")
    else:
        spectra = [read_spectrum(path)]
        require(spectra[0])
        distances, source = np.array([0.0]), "single spectrum"
    if technique == "edx_line" and len(spectra) < 2:
        expected = "an EDX line: a folder of two or more .msa spectra, one a position"
        raise ReadError(path, "file" if path.is_file() else "folder", expected, ONE_POSITION)
    reference = check_common_axis(spectra)
    order = np.argsort(distances, kind="stable")
    ordered = [spectra[i] for i in order]
    if technique == "edx_line":
        return build_edx_dataset(ordered, distances[order], reference, source)
    return build_dataset(path, ordered, distances[order], reference, source)


def read_spectrum(path: Path) -> Spectrum:
    """One spectrum, parsed by rosettasciio, or by :func:`parse_text` where rsciio cannot."""
    raw = Path(path).read_bytes()
    if not _is_emsa(_text.head_as_utf8(raw[:4096])):
        raise ReadError(path, "line 1", "'#FORMAT : EMSA/MAS Spectral Data File'", repr(raw[:40]))
    notes: list[str] = []
    x = None
    try:
        header, y = _rsciio_read(path)
        parser = "rosettasciio"
    except Exception as exc:  # noqa: BLE001 - whatever rsciio trips on, the tolerant parser reads
        notes.append(f"rosettasciio could not read it ({exc}); read by the tolerant parser")
        header, x, y = parse_text(_text.decode(raw), path)
        parser = "interphase"
    if header.get("DATATYPE", ("Y", ""))[0].upper().startswith("XY") and x is None:
        # rsciio drops the X column of XY data: take the energies from the file itself.
        _, x, y = parse_text(_text.decode(raw), path)
    if y.size == 0:
        raise ReadError(path, "data section", "spectrum values after '#SPECTRUM'", "none")
    energy = _energy_axis(path, header, x, y.size)
    npoints = _text.loose_number(header.get("NPOINTS", ("", ""))[0])
    if npoints is not None and round(npoints) != y.size:
        notes.append(f"NPOINTS says {npoints:g} but the file holds {y.size} values (all kept)")
    return Spectrum(Path(path), energy, y, header, parser, notes)


def _rsciio_read(path: Path) -> tuple[dict[str, tuple[str, str]], np.ndarray]:
    """Header (NAME -> (value, unit)) and Y values as rosettasciio reads them."""
    from rsciio.msa import file_reader

    result = file_reader(str(path))[0]
    y = np.asarray(result["data"], dtype=float)
    if y.size == 0:
        raise ValueError("no data values found (a '#SPECTRUM' line without a space after ':'?)")
    header = {}
    for key, value in result["original_metadata"].items():
        name, _, unit = str(key).partition("-")
        header[name.strip().upper()] = ("" if value is None else str(value).strip(), unit.strip())
    return header, y


def parse_text(
    text: str, path: Path | None = None
) -> tuple[dict[str, tuple[str, str]], np.ndarray | None, np.ndarray]:
    """Header (NAME -> (value, unit)), X values (XY data, else None), Y values of an EMSA text."""
    header: dict[str, tuple[str, str]] = {}
    xs: list[float] = []
    ys: list[float] = []
    in_data = False
    xy = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            name, unit, value = split_header_line(stripped)
            if name == "ENDOFDATA":
                break
            if name == "SPECTRUM":
                in_data = True
                xy = header.get("DATATYPE", ("Y", ""))[0].upper().startswith("XY")
            elif not in_data:
                if name in ("TITLE", "COMMENT") and name in header:
                    value = header[name][0] + " " + value
                header[name] = (value, unit)
            continue
        if not in_data:
            continue
        try:
            values = [float(v) for v in stripped.replace(",", " ").split()]
        except ValueError:
            raise ReadError(
                path, f"line {number}", "numbers separated by commas or spaces", repr(stripped[:40])
            ) from None
        if xy:
            if len(values) % 2:
                raise ReadError(
                    path, f"line {number}", "X, Y pairs (DATATYPE XY)", repr(stripped[:40])
                )
            xs.extend(values[0::2])
            ys.extend(values[1::2])
        else:
            ys.extend(values)
    return header, (np.array(xs) if xy else None), np.array(ys, dtype=float)


def split_header_line(line: str) -> tuple[str, str, str]:
    """'#BEAMKV   -kV: 120.0' -> ('BEAMKV', 'kV', '120.0'); user keys lose their '##' too."""
    key, _, value = line.partition(":")
    key = key.lstrip("#").strip()
    name, _, unit = key.partition("-")
    return name.strip().upper(), unit.strip(), value.strip().rstrip(",").strip()


def _energy_axis(path: Path, header: dict, x: np.ndarray | None, n: int) -> np.ndarray:
    """Energy loss in eV: the X column for XY data, else OFFSET + XPERCHAN * channel."""
    units = header.get("XUNITS", ("eV", ""))[0].strip().lower()
    scale = {"ev": 1.0, "kev": 1e3}.get(units)
    if scale is None:
        raise ReadError(path, "#XUNITS", "an energy axis in eV or keV", repr(units))
    if x is not None:
        return np.asarray(x, dtype=float) * scale
    disp = _text.loose_number(header.get("XPERCHAN", ("", ""))[0])
    offset = _text.loose_number(header.get("OFFSET", ("0", ""))[0])
    if disp is None or disp <= 0:
        raise ReadError(
            path,
            "#XPERCHAN",
            "a positive energy per channel",
            header.get("XPERCHAN", ("missing",))[0],
        )
    return (offset or 0.0) * scale + disp * scale * np.arange(n)


def require_eels(spectrum: Spectrum) -> None:
    """ReadError unless the spectrum is EELS (SIGNALTYPE ELS, or no SIGNALTYPE at all)."""
    signal = spectrum.header.get("SIGNALTYPE", ("", ""))[0].upper()
    if signal and signal != "ELS":
        hint = (
            " (an X-ray spectrum: EDX line profiles are read as edx_line)"
            if signal in ("EDS", "WDS", "XRF")
            else ""
        )
        raise ReadError(
            spectrum.path,
            "#SIGNALTYPE",
            "an EELS spectrum (SIGNALTYPE ELS) for eels_line",
            f"SIGNALTYPE {signal}{hint}",
        )


def require_eds(spectrum: Spectrum) -> None:
    """ReadError unless the spectrum is an X-ray spectrum (SIGNALTYPE EDS)."""
    signal = spectrum.header.get("SIGNALTYPE", ("", ""))[0].upper()
    if signal != "EDS":
        hint = " (an EELS spectrum: read it as eels_line)" if signal in ("ELS", "") else ""
        raise ReadError(
            spectrum.path,
            "#SIGNALTYPE",
            "an X-ray spectrum (SIGNALTYPE EDS) for edx_line",
            f"SIGNALTYPE {signal or 'missing'}{hint}",
        )


def check_common_axis(spectra: list[Spectrum]) -> Spectrum:
    """The spectrum whose energy axis most share; ReadError naming the first that differs."""
    signatures = [_axis_signature(s.energy) for s in spectra]
    common = max(set(signatures), key=lambda sig: (signatures.count(sig), -signatures.index(sig)))
    reference = spectra[signatures.index(common)]
    for s, sig in zip(spectra, signatures):
        if sig != common or not np.allclose(
            s.energy, reference.energy, rtol=0, atol=1e-3 * _dispersion(reference.energy)
        ):
            raise ReadError(
                s.path,
                "energy axis",
                f"the energy axis of the other spectra ({_describe(reference.energy)}, "
                f"as in {reference.path.name})",
                _describe(s.energy),
            )
    if len(reference.energy) > 1 and np.any(np.diff(reference.energy) <= 0):
        raise ReadError(
            reference.path, "energy axis", "energies increasing channel by channel", "a decrease"
        )
    return reference


def _axis_signature(energy: np.ndarray) -> tuple:
    """Channels, first energy and dispersion rounded, to group spectra by energy axis."""
    return (energy.size, round(float(energy[0]), 3), round(_dispersion(energy), 5))


def _dispersion(energy: np.ndarray) -> float:
    """Mean energy per channel (eV)."""
    return float((energy[-1] - energy[0]) / (energy.size - 1)) if energy.size > 1 else 1.0


def _describe(energy: np.ndarray) -> str:
    """'441 channels, 600-820 eV at 0.5 eV/ch'."""
    return (
        f"{energy.size} channels, {energy[0]:g}-{energy[-1]:g} eV at {_dispersion(energy):g} eV/ch"
    )


def _header_float(spectrum: Spectrum, key: str, factors: dict[str, float] | None = None) -> float:
    """A numeric header value converted by its unit suffix; NaN when absent or unreadable."""
    if key not in spectrum.header:
        return math.nan
    value, unit = spectrum.header[key]
    number = _text.loose_number(value)
    if number is None:
        return math.nan
    if factors is None:
        return number
    factor = factors.get(unit.strip().lower())
    return number * factor if factor is not None else math.nan


def start_time(spectrum: Spectrum) -> str:
    """ISO date[Ttime] from #DATE (DD-MMM-YYYY) and #TIME (HH:MM[:SS]); '' when absent."""
    date = spectrum.header.get("DATE", ("", ""))[0].strip()
    time = spectrum.header.get("TIME", ("", ""))[0].strip()
    try:
        day, month, year = date.split("-")
        iso = f"{int(year):04d}-{_MONTHS.index(month.upper()[:3]) + 1:02d}-{int(day):02d}"
    except ValueError:
        return ""
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            return f"{iso}T{datetime.strptime(time, fmt).strftime('%H:%M:%S')}"
        except ValueError:
            continue
    return iso


def header_elements(spectrum: Spectrum) -> list[str]:
    """Elements the header names: '##ELEMENTS : O, Ti' or DTSA-II '##D2STDCMP : K412,(O:42.8)'."""
    if "ELEMENTS" in spectrum.header:
        return [e for e in re.split(r"[\s,;]+", spectrum.header["ELEMENTS"][0]) if e]
    if "D2STDCMP" in spectrum.header:
        return re.findall(r"\(([A-Z][a-z]?):", spectrum.header["D2STDCMP"][0])
    return []


def build_edx_dataset(
    spectra: list[Spectrum], distances: np.ndarray, reference: Spectrum, source: str
) -> xr.Dataset:
    """The edx_line spectra variant (X-ray counts as measured) of spectra sorted by distance."""
    named = header_elements(reference)
    notes = sorted({f"{s.path.name}: {n}" for s in spectra for n in s.notes})
    energy = reference.energy
    attrs = {
        "beam_energy_keV": _header_float(reference, "BEAMKV", {"": 1.0, "kv": 1.0, "v": 1e-3}),
        "elements_named": ", ".join(named),
        "elements_source": "header" if named else "",
        "dispersion_eV": float(np.round(_dispersion(energy), 9)),
        "energy_offset_eV": float(energy[0]),
        "n_spectra": len(spectra),
        "elevation_angle_deg": _header_float(
            reference, "ELEVANGLE", {"": 1.0, "dg": 1.0, "deg": 1.0}
        ),
        "live_time_s": _header_float(reference, "LIVETIME", {"": 1.0, "s": 1.0}),
        "detector": reference.header.get("EDSDET", ("", ""))[0],
        "signal_type": reference.header.get("SIGNALTYPE", ("", ""))[0],
        "start_time": start_time(reference),
        "title": reference.header.get("TITLE", ("", ""))[0],
        "position_source": source,
        "npoints_header": reference.header.get("NPOINTS", ("", ""))[0],
        "parser": ", ".join(sorted({s.parser for s in spectra})),
        "reader_notes": "; ".join(notes),
        "reader": NAME,
        "reader_version": VERSION,
    }
    counts = np.vstack([s.counts for s in spectra])
    labels = [s.path.name for s in spectra]
    return edx_spectra_dataset(distances, energy, counts, attrs, labels=labels)


def build_dataset(
    path: Path, spectra: list[Spectrum], distances: np.ndarray, reference: Spectrum, source: str
) -> xr.Dataset:
    """The eels_line dataset of spectra already sorted by distance."""
    energy = reference.energy
    intensity = np.vstack([s.counts for s in spectra])
    beam_kv = _header_float(reference, "BEAMKV", {"": 1.0, "kv": 1.0, "v": 1e-3})
    notes = sorted({f"{s.path.name}: {n}" for s in spectra for n in s.notes})
    parsers = sorted({s.parser for s in spectra})
    files = np.array([s.path.name for s in spectra], dtype=object)
    extra = {"spectrum_file": variable("distance", files, "1", "source spectrum file")}
    attrs = {
        "dispersion_eV": float(np.round(_dispersion(energy), 9)),
        "energy_offset_eV": float(energy[0]),
        "beam_energy_keV": beam_kv,
        "convergence_angle_mrad": _header_float(reference, "CONVANGLE", _text.ANGLE_TO_MRAD),
        "collection_angle_mrad": _header_float(reference, "COLLANGLE", _text.ANGLE_TO_MRAD),
        "signal_type": reference.header.get("SIGNALTYPE", ("", ""))[0],
        "start_time": start_time(reference),
        "title": reference.header.get("TITLE", ("", ""))[0],
        "n_spectra": len(spectra),
        "position_source": source,
        "npoints_header": reference.header.get("NPOINTS", ("", ""))[0],
        "parser": ", ".join(parsers),
        "reader_notes": "; ".join(notes),
        "reader": NAME,
        "reader_version": VERSION,
    }
    long_name = "distance along the line from the film side"
    return eels_line_dataset(
        distances.astype(float), energy, intensity, attrs, extra=extra, distance_long_name=long_name
    )
