"""Bruker / Siemens ``.raw`` 2θ scans: RAW1.01 (DIFFRAC plus, "v3"), RAW4.00 (DIFFRAC.SUITE).

Why our own parser: no maintained, cleanly installing Python library reads these. ``xylib-py``
(1.6.1, 2020) is a C++ source package needing a compiler and SWIG, and does not know
RAW4.00; ``fabio`` reads 2D detector images, not these scans; GSAS-II is an application,
not a library. So the file is read with :mod:`struct` following the published layouts:

RAW1.01 — DIFFRAC^plus XCH V.5.0 user's manual (2002), appendix A, as transcribed in
xylib's ``xylib/bruker_raw.cpp`` (``load_version1_01``, LGPL, https://github.com/wojdyr/xylib):
a 712-byte file header (file status at byte 8, number of ranges at 12, date at 16, time at
26, user 36, site 108, sample id 326, anode at 608, Kα average/Kα1/Kα2/Kβ/Kα2:Kα1 as
float64 at 616…648), then per range a 304-byte header (steps at +4, start θ +8, start 2θ
+16, step size +176, time per step (s) +192, kV +224, mA +228, used λ +240, size of the
supplementary headers +256), the supplementary headers and ``steps`` float32 counts.

RAW4.00 — layout as read by GSAS-II's ``G2pwd_BrukerRAW.py`` (AdvancedPhotonSource/GSAS-II):
date at byte 12, time at 24, then from byte 61 segments ``(type uint32, length uint32, …)``:
type 10 = VarInfo (name at +12, value after +36), type 30 = X-ray source (Kα average,
Kα1, Kα2, Kβ, Kα2:Kα1 as float64 at +72, anode at +116); a segment type 0 or 160 opens a
range: scan type name at +32, start angle +72, step +80, steps +88, step time +92, kV
+100, mA +104, used λ +112, datum size +136, size of extra headers +140, data at +160 plus
the extra headers; each datum's first 4 bytes are the float32 count (DIFFRAC.EVA writes
8-byte data whose other 4 bytes are a flag, always 1 in the files seen). Ranges whose scan
type does not move 2θ (rocking curves, phi/chi scans...) are refused.

Only the first range is read (``n_ranges_in_file`` says how many there are). The step
time is taken in seconds in both versions (RAW1.01's matches the UXD ``_STEPTIME`` of the
same scan); for position-sensitive detectors it is the effective time the software reports.
``scan_kind`` is ``"reflectivity"`` when the scan ends below 8° 2θ. The older ``RAW `` (v1)
and ``RAW2`` (v2) layouts are recognised and refused with a clear error (no test file).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import wavelength_attrs, xrd_dataset
from interphase.errors import ReadError

NAME = "bruker_raw"
VERSION = "1"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

MAGIC_V3 = b"RAW1.01"
MAGIC_V4 = b"RAW4.00"
FILE_STATUS = {
    1: "done",
    2: "active",
    3: "aborted",
    4: "interrupted",
}  # RAW1.01 byte 8 (XCH manual)
V3_FILE_HEADER = 712
V3_RANGE_HEADER = 304
V4_FIRST_SEGMENT = 61
# RAW4.00 scan types that move 2θ (DIFFRAC.SUITE names; GSAS-II reads the same three).
V4_TWO_THETA_SCANS = ("locked coupled", "unlocked coupled", "detector scan")


def sniff(path: Path, head: bytes) -> bool:
    """True for a Bruker RAW1.01 or RAW4.00 file (or the older RAW v1/v2, refused when read)."""
    return head[:7] in (MAGIC_V3, MAGIC_V4) or head[:4] in (b"RAW ", b"RAW2")


def _string(raw: bytes, offset: int, size: int) -> str:
    """A NUL-padded latin-1 string field."""
    return raw[offset : offset + size].split(b"\x00", 1)[0].decode("latin-1").strip()


def _unpack(path: Path, fmt: str, raw: bytes, offset: int, what: str) -> tuple:
    """struct.unpack_from with a ReadError naming the byte when the file is too short."""
    try:
        return struct.unpack_from(fmt, raw, offset)
    except struct.error:
        raise ReadError(
            path, f"byte {offset}", f"{what} ({struct.calcsize(fmt)} bytes)", "end of file"
        ) from None


def _counts(path: Path, raw: bytes, offset: int, steps: int, datum_size: int = 4) -> np.ndarray:
    """``steps`` float32 counts from ``offset``, each datum ``datum_size`` bytes long."""
    end = offset + steps * datum_size
    if steps <= 0 or datum_size < 4 or end > len(raw):
        raise ReadError(
            path,
            f"byte {offset}",
            f"{steps} data of {datum_size} bytes (to byte {end})",
            f"a file of {len(raw)} bytes",
        )
    block = np.frombuffer(raw, dtype=np.uint8, count=steps * datum_size, offset=offset).reshape(
        steps, datum_size
    )
    return block[:, :4].copy().view("<f4").ravel().astype(float)


def _wavelengths(ka1: float, ka2: float, ratio: float) -> dict:
    """The wavelength attributes; Kα2 NaN and ratio 0 when the file says Kα1 only."""
    return wavelength_attrs(
        round(float(ka1), 6) if ka1 > 0 else float("nan"), round(float(ka2), 6), float(ratio)
    )


def read_v3(path: Path, raw: bytes) -> xr.Dataset:
    """Read the first range of a RAW1.01 (DIFFRAC plus) file."""
    status, n_ranges = _unpack(path, "<II", raw, 8, "file status and number of ranges")
    if n_ranges < 1:
        raise ReadError(path, "byte 12", "at least one range", str(n_ranges))
    _avg, ka1, ka2, _kb, ratio = _unpack(path, "<5d", raw, 616, "wavelengths")
    r = V3_FILE_HEADER
    header_len, steps, start_theta, start_2theta = _unpack(path, "<IIdd", raw, r, "range header")
    if header_len != V3_RANGE_HEADER:
        raise ReadError(
            path, f"byte {r}", f"a range header of {V3_RANGE_HEADER} bytes", str(header_len)
        )
    (step,) = _unpack(path, "<d", raw, r + 176, "step size")
    (time_per_step,) = _unpack(path, "<f", raw, r + 192, "time per step")
    kv, ma = _unpack(path, "<II", raw, r + 224, "generator voltage and current")
    (used_lambda,) = _unpack(path, "<d", raw, r + 240, "used wavelength")
    (supplementary,) = _unpack(path, "<I", raw, r + 256, "supplementary header size")
    counts = _counts(path, raw, r + header_len + supplementary, steps)
    two_theta = start_2theta + step * np.arange(steps)
    attrs = {
        **_wavelengths(ka1, ka2, ratio),
        "anode": _string(raw, 608, 4),
        "raw_version": "RAW1.01",
        "file_status": FILE_STATUS.get(status, str(status)),
        "start_time": f"{_string(raw, 16, 10)} {_string(raw, 26, 10)}".strip(),
        "user": _string(raw, 36, 72),
        "site": _string(raw, 108, 218),
        "file_sample": _string(raw, 326, 60),
        "comment": _string(raw, 386, 160),
        "generator_kV": float(kv),
        "generator_mA": float(ma),
        "used_wavelength_angstrom": round(float(used_lambda), 6),
        "start_theta_deg": float(start_theta),
        "n_ranges_in_file": int(n_ranges),
        "scan_used": f"range 1 of {n_ranges}",
        "reader": NAME,
        "reader_version": VERSION,
    }
    return xrd_dataset(two_theta, counts, float(time_per_step), attrs)


def _v4_segments(path: Path, raw: bytes) -> tuple[dict, int]:
    """Metadata from the RAW4.00 file-level segments and the offset of the first range."""
    meta: dict = {}
    pos = V4_FIRST_SEGMENT
    while True:
        (kind,) = _unpack(path, "<I", raw, pos, "a segment type")
        if kind in (0, 160):
            return meta, pos
        (length,) = _unpack(path, "<I", raw, pos + 4, "a segment length")
        if length < 8:
            raise ReadError(
                path, f"byte {pos + 4}", "a segment length of at least 8 bytes", str(length)
            )
        if kind == 10:
            name = _string(raw, pos + 12, 24)
            meta[f"varinfo_{name.lower()}"] = _string(raw, pos + 36, length - 36).strip()
        elif kind == 30:
            meta["waves"] = _unpack(path, "<5d", raw, pos + 72, "wavelengths")
            meta["anode"] = _string(raw, pos + 116, 4)
        pos += length


def read_v4(path: Path, raw: bytes) -> xr.Dataset:
    """Read the first range of a RAW4.00 (DIFFRAC.SUITE / EVA) file."""
    meta, r = _v4_segments(path, raw)
    scan_type = _string(raw, r + 32, 24)
    if scan_type.lower() not in V4_TWO_THETA_SCANS:
        raise ReadError(
            path,
            f"byte {r + 32}",
            "a 2θ scan (Locked Coupled, Unlocked Coupled or Detector Scan)",
            repr(scan_type),
        )
    start, step, steps, step_time = _unpack(
        path, "<ddIf", raw, r + 72, "range start, step, steps and step time"
    )
    kv, ma = _unpack(path, "<ff", raw, r + 100, "generator voltage and current")
    (used_lambda,) = _unpack(path, "<d", raw, r + 112, "used wavelength")
    datum_size, extra = _unpack(path, "<II", raw, r + 136, "datum size and extra header size")
    counts = _counts(path, raw, r + 160 + extra, steps, datum_size)
    _avg, ka1, ka2, _kb, ratio = meta.pop("waves", (np.nan,) * 5)
    attrs = {
        **_wavelengths(ka1, ka2, ratio),
        "anode": meta.pop("anode", ""),
        "raw_version": "RAW4.00",
        "scan_axis": scan_type,
        "start_time": f"{_string(raw, 12, 12)} {_string(raw, 24, 10)}".strip(),
        "file_sample": meta.get("varinfo_sampleid", ""),
        "user": meta.get("varinfo_user", ""),
        "site": meta.get("varinfo_site", ""),
        "comment": meta.get("varinfo_comment", ""),
        "software": meta.get("varinfo_creator", ""),
        "generator_kV": float(kv),
        "generator_mA": float(ma),
        "used_wavelength_angstrom": round(float(used_lambda), 6),
        "datum_size_bytes": int(datum_size),
        "scan_used": "range 1",
        "reader": NAME,
        "reader_version": VERSION,
    }
    end = r + 160 + extra + steps * datum_size
    attrs["bytes_after_first_range"] = int(len(raw) - end)
    return xrd_dataset(start + step * np.arange(steps), counts, float(step_time), attrs)


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read a Bruker RAW1.01 or RAW4.00 file as the xrd layout."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:7] == MAGIC_V3:
        return read_v3(path, raw)
    if raw[:7] == MAGIC_V4:
        return read_v4(path, raw)
    if raw[:4] in (b"RAW ", b"RAW2"):
        raise ReadError(
            path,
            "byte 0",
            "Bruker RAW1.01 or RAW4.00 (RAW v1/v2 are recognised but not supported)",
            repr(raw[:7]),
        )
    raise ReadError(path, "byte 0", "the magic 'RAW1.01' or 'RAW4.00'", repr(raw[:7]))
