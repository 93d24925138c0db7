"""STOE WinXPOW binary ``.raw`` powder scans (magic ``RAW_1.06Powdat``).

Why our own parser: STOE does not publish the layout and no library we know reads it
(xylib, GSAS-II and yadg do not). The layout below was established from the one public
file we have (chemotion-converter-app test file, see ../shared/realdata/MANIFEST.tsv) and
checked against its two-column ``.xyd`` export: all 2704 angles and counts agree. It is a
*partial* layout, so every field used is checked for consistency and a file that does not
fit is refused with a ReadError naming the byte.

File header (little-endian): bytes 0-13 ``RAW_1.06Powdat``; 16 measurement date
``dd-Mon-yy hh:mm`` (NUL-terminated); 32 sample title; 322 and 326 Kα1 and Kα2 (Å, float32).
The file is organised in 512-byte blocks; a range is a 512-byte header block that starts
with two date strings (start and end of the range) followed by the data block(s).
Range header: +34 number of points (uint16), +44 2θ start, +52 2θ end, +60 2θ step (float32,
deg); data: int32 counts from the next 512-byte block. Checked: start + step × (n − 1) = end
(to half a step) and the data fit inside the file.

Not established (so not used): the counting time (no intensity_cps), the Kα2/Kα1 ratio
(NaN: the STADI P's Ge(111) monochromator usually passes Kα1 only, but the file does not
say), the anode (inferred from Kα1, see :data:`ANODE_KA1`), the free-text comment (its
bytes mix several overwritten strings) and further ranges (only the first is read).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import xarray as xr

from interphase.datasets import xrd_dataset
from interphase.errors import ReadError

NAME = "stoe_raw"
VERSION = "1"
TECHNIQUES = ("xrd",)
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

MAGIC = b"RAW_1.06Powdat"
BLOCK = 512
# Kα1 emission lines (Å) of common anodes, to name the anode from the wavelength
# (Hölzer et al., Phys. Rev. A 56, 4554 (1997); International Tables for Crystallography C, 4.2.2).
ANODE_KA1 = {
    "Cu": 1.540593,
    "Co": 1.789010,
    "Mo": 0.709317,
    "Cr": 2.289760,
    "Fe": 1.936042,
    "Ag": 0.559422,
}
_DATE = re.compile(rb"\d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}\x00")


def sniff(path: Path, head: bytes) -> bool:
    """True for a STOE WinXPOW raw file (magic ``RAW_1.06Powdat``)."""
    return head.startswith(MAGIC)


def _string(raw: bytes, offset: int, size: int) -> str:
    """A NUL-terminated latin-1 string field."""
    return raw[offset : offset + size].split(b"\x00", 1)[0].decode("latin-1").strip()


def anode_from_ka1(ka1: float) -> str:
    """The anode whose Kα1 line is within 0.001 Å of ``ka1``, '' when none."""
    return next((name for name, line in ANODE_KA1.items() if abs(line - ka1) < 1e-3), "")


def find_range(path: Path, raw: bytes) -> int:
    """Offset of the first range header: a 512-byte block opening with two date strings."""
    for offset in range(BLOCK, len(raw) - BLOCK, BLOCK):
        if _DATE.match(raw, offset) and _DATE.match(raw, offset + 16):
            return offset
    raise ReadError(
        path,
        f"512-byte blocks from byte {BLOCK}",
        "a range header (two 'dd-Mon-yy hh:mm' dates)",
        "none",
    )


def read(path: Path, technique: str = "xrd") -> xr.Dataset:
    """Read the first range of a STOE RAW_1.06 file as the xrd layout."""
    path = Path(path)
    raw = path.read_bytes()
    if not raw.startswith(MAGIC):
        raise ReadError(path, "byte 0", "the magic 'RAW_1.06Powdat'", repr(raw[:14]))
    if len(raw) < 2 * BLOCK:
        raise ReadError(path, "end of file", f"at least {2 * BLOCK} bytes", f"{len(raw)} bytes")
    ka1, ka2 = struct.unpack_from("<ff", raw, 322)
    r = find_range(path, raw)
    (n,) = struct.unpack_from("<H", raw, r + 34)
    start, end, step = (struct.unpack_from("<f", raw, r + k)[0] for k in (44, 52, 60))
    if n < 2 or not step > 0:
        raise ReadError(
            path,
            f"byte {r + 34}",
            "a point count ≥ 2 and a positive 2θ step",
            f"{n} points, step {step:g}",
        )
    if abs(start + step * (n - 1) - end) > step / 2:
        raise ReadError(
            path,
            f"byte {r + 44}",
            f"2θ start + step × (n − 1) = end ({end:g})",
            f"start {start:g}, step {step:g}, {n} points",
        )
    data_at = r + BLOCK
    if data_at + 4 * n > len(raw):
        raise ReadError(path, f"byte {data_at}", f"{n} int32 counts", f"a file of {len(raw)} bytes")
    counts = np.frombuffer(raw, dtype="<i4", count=n, offset=data_at).astype(float)
    # float32 angles: round to the 0.1 m° the instrument resolves (5.0 + 0.015 k as written)
    two_theta = np.round(start + step * np.arange(n, dtype=float), 5)
    ka1 = round(float(ka1), 6)
    attrs = {
        "wavelength_ka1_angstrom": ka1 if ka1 > 0 else float("nan"),
        "wavelength_ka2_angstrom": round(float(ka2), 6) if ka2 > 0 else float("nan"),
        "ka2_ka1_ratio": float("nan"),
        "anode": anode_from_ka1(ka1),
        "anode_source": "inferred from the Kα1 wavelength",
        "start_time": _string(raw, r, 16),
        "end_time": _string(raw, r + 16, 16),
        "file_sample": _string(raw, 32, 64),
        "raw_version": "RAW_1.06",
        "scan_used": "range 1",
        "reader": NAME,
        "reader_version": VERSION,
    }
    return xrd_dataset(two_theta, counts, None, attrs)
