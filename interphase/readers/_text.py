"""The readers' toolkit for text: decoding, line splitting, numbers and units.

One decoder for every text reader: a byte-order mark decides first (UTF-8, UTF-16 LE or BE,
as Windows PowerShell's ``>`` writes), then the reader's fallbacks are tried in order (the
default: UTF-8, cp1252, Latin-1, which decodes any byte). Line splitting treats CR CR LF
(any run of CRs before an LF) and a lone CR as one line end. Numbers may use a decimal
comma. Unit tables give the factor to the layout's SI (UDUNITS) unit.
"""

from __future__ import annotations

import math
import re

# Byte-order marks (Unicode 15.0, section 23.8) and the codec each one means.
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
BOM = BOMS[0][0]
FALLBACKS: tuple[str, ...] = ("utf-8", "cp1252", "latin-1")

# Electrochemistry unit strings as vendors write them -> (UDUNITS unit, factor to it). SI
# prefixes (BIPM SI Brochure, 9th ed., table 7).
UNITS: dict[str, tuple[str, float]] = {
    "hz": ("Hz", 1.0),
    "mhz": ("Hz", 1e-3),  # lower-cased: 'mHz' (milli); 'MHz' is handled before lower-casing
    "khz": ("Hz", 1e3),
    "ohm": ("ohm", 1.0),
    "ohms": ("ohm", 1.0),
    "ω": ("ohm", 1.0),
    "mohm": ("ohm", 1e-3),
    "mω": ("ohm", 1e-3),
    "kohm": ("ohm", 1e3),
    "kω": ("ohm", 1e3),
    "v": ("V", 1.0),
    "mv": ("V", 1e-3),
    "µv": ("V", 1e-6),
    "μv": ("V", 1e-6),
    "uv": ("V", 1e-6),
    "a": ("A", 1.0),
    "ma": ("A", 1e-3),
    "µa": ("A", 1e-6),
    "μa": ("A", 1e-6),
    "ua": ("A", 1e-6),
    "na": ("A", 1e-9),
    "pa": ("A", 1e-12),
    "s": ("s", 1.0),
    "sec": ("s", 1.0),
    "ms": ("s", 1e-3),
    "min": ("s", 60.0),
    "h": ("s", 3600.0),
    "deg": ("degree", 1.0),
    "°": ("degree", 1.0),
    "v/s": ("V s-1", 1.0),
    "mv/s": ("V s-1", 1e-3),
    "µv/s": ("V s-1", 1e-6),
    "μv/s": ("V s-1", 1e-6),
    "uv/s": ("V s-1", 1e-6),
    "mv/min": ("V s-1", 1e-3 / 60),
    "cm²": ("cm2", 1.0),
    "cm2": ("cm2", 1.0),
    "cm^2": ("cm2", 1.0),
    "mm²": ("cm2", 1e-2),
    "mm2": ("cm2", 1e-2),
    "m²": ("cm2", 1e4),
    "m2": ("cm2", 1e4),
}
# Case-sensitive units whose lower-case form means something else (MHz vs mHz, MOhm vs mOhm).
UNITS_EXACT: dict[str, tuple[str, float]] = {
    "MHz": ("Hz", 1e6),
    "mHz": ("Hz", 1e-3),
    "MOhm": ("ohm", 1e6),
    "MΩ": ("ohm", 1e6),
    "mOhm": ("ohm", 1e-3),
    "mΩ": ("ohm", 1e-3),
}
# Length units (lower case) -> factor to nanometre (SI prefixes; 1 Å = 0.1 nm).
LENGTH_TO_NM: dict[str, float] = {
    "nm": 1.0,
    "µm": 1e3,
    "μm": 1e3,
    "um": 1e3,
    "micron": 1e3,
    "microns": 1e3,
    "å": 0.1,
    "a": 0.1,
    "angstrom": 0.1,
    "pm": 1e-3,
    "mm": 1e6,
    "m": 1e9,
}
# Energy units (lower case) -> factor to electronvolt.
ENERGY_TO_EV: dict[str, float] = {"ev": 1.0, "kev": 1e3}
# Angle units (lower case) -> factor to milliradian ('mr' is EMSA's, 'dg' EMSA's degree).
ANGLE_TO_MRAD: dict[str, float] = {
    "": 1.0,
    "mr": 1.0,
    "mrad": 1.0,
    "r": 1e3,
    "rad": 1e3,
    "dg": math.pi / 180 * 1e3,
    "deg": math.pi / 180 * 1e3,
}

_LEADING_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S*)")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")


def bom_codec(raw: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when ``raw`` starts with a byte-order mark, else None."""
    for mark, codec in BOMS:
        if raw.startswith(mark):
            return codec, len(mark)
    return None


def decoded(raw: bytes, fallbacks: tuple[str, ...] = FALLBACKS) -> tuple[str, str]:
    """(text, encoding) of a file: by its BOM, else the first fallback that decodes it.

    Raises the first fallback's UnicodeDecodeError when none decodes (only possible when the
    fallbacks do not end with Latin-1).
    """
    bom = bom_codec(raw)
    if bom is not None and bom[0] != "utf-8":
        return raw[bom[1] :].decode(bom[0], errors="replace"), bom[0]
    if bom is not None:
        raw, fallbacks = raw[bom[1] :], ("utf-8-sig", *fallbacks)
    first_error: UnicodeDecodeError | None = None
    for encoding in fallbacks:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as error:
            first_error = first_error or error
    assert first_error is not None
    raise first_error


def decode(raw: bytes, fallbacks: tuple[str, ...] = FALLBACKS) -> str:
    """Text of a file: by its BOM (dropped), else the first of ``fallbacks`` that decodes it."""
    return decoded(raw, fallbacks)[0]


def head_as_utf8(head: bytes, cut: bool = False) -> bytes:
    """The first bytes of a file for sniffing: a UTF-16 text re-encoded as UTF-8 (with BOM).

    Byte-level sniffers (magic lines, markers) then see every text file the same way. When
    the head is ``cut`` from a longer file, the re-encoded text ends at its last line end (a
    partial last line would look like a short row). Other bytes are returned unchanged.
    """
    bom = bom_codec(head)
    if bom is None or bom[0] == "utf-8":
        return head
    codec, size = bom
    text = head[size : len(head) - (len(head) - size) % 2].decode(codec, errors="ignore")
    if cut and "\n" in text:
        text = text[: text.rfind("\n") + 1]
    return BOM + text.encode("utf-8")


def split_lines(text: str) -> list[str]:
    """Lines of a text with LF, CRLF, CR CR LF (any CRs before an LF) or lone CR line ends.

    Line i of the list is line i + 1 of the file; a final line end does not start an empty
    last line.
    """
    lines = re.sub(r"\r*\n", "\n", text).replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def to_float(cell: str) -> float:
    """A number that may use a decimal comma ('1,5E-3'); ValueError when it is not one."""
    return float(cell.strip().replace(",", "."))


def number(cell: str, decimal_comma: bool = True) -> float:
    """A number; with ``decimal_comma`` a comma is the decimal mark (cells split by ';' or TAB)."""
    return to_float(cell) if decimal_comma else float(cell.strip())


def table_number(cell: str) -> float:
    """A table cell: '' is NaN, '−' (U+2212) a minus, a decimal comma accepted; else ValueError."""
    text = cell.strip().replace("\u2212", "-")
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        if _DECIMAL_COMMA.match(text):
            return float(text.replace(",", "."))
        raise


def float_or(text: str | None, default: float = math.nan, decimal_comma: bool = True) -> float:
    """A header value as a number, ``default`` when it is absent, empty or not a number."""
    if text is None or str(text).strip() == "":
        return default
    try:
        return number(str(text), decimal_comma)
    except ValueError:
        return default


def is_number(cell: str, decimal_comma: bool = True) -> bool:
    """True when :func:`number` reads the cell."""
    try:
        number(cell, decimal_comma)
    except ValueError:
        return False
    return True


def leading_number(text: str) -> tuple[float, str] | None:
    """The number at the start of a value and the word after it ('6.404 mV' -> (6.404, 'mV'))."""
    match = _LEADING_NUMBER.match(str(text))
    if not match:
        return None
    return float(match.group(1)), match.group(2)


def loose_number(text: str) -> float | None:
    """A float from a header value, '2.0 E-06' and '17.0 mm' included; None when there is none."""
    text = str(text).strip()
    for candidate in (text.replace(" ", ""), text.split(" ")[0] if text else ""):
        try:
            return float(candidate)
        except ValueError:
            continue
    return None


def unit_factor(unit: str) -> tuple[str, float] | None:
    """(UDUNITS unit, factor) for a vendor unit string, None when unknown."""
    unit = unit.strip()
    if unit in UNITS_EXACT:
        return UNITS_EXACT[unit]
    return UNITS.get(unit.lower().replace(" ", ""))


def si_factor(unit: str, si_unit: str) -> float | None:
    """Factor from a vendor unit to ``si_unit`` ('mA' -> 1e-3 for 'A'), None when not that kind."""
    found = unit_factor(unit)
    return found[1] if found is not None and found[0] == si_unit else None


def length_nm(unit: str) -> float | None:
    """Factor from a length unit ('nm', 'µm', 'Å', 'mm'...) to nm, None when unknown."""
    return LENGTH_TO_NM.get(unit.strip().lower())


def energy_eV(unit: str) -> float | None:
    """Factor from an energy unit ('eV', 'keV') to eV, None when unknown."""
    return ENERGY_TO_EV.get(unit.strip().lower())
