"""Small helpers shared by the text readers (BioLogic .mpt, Autolab, ZPlot, CHI, Parstat, VersaStudio, generic and EDX tables).

Decoding (UTF-8 with or without BOM, else cp1252, else Latin-1), line splitting that treats
CR CR LF (any run of CRs before an LF) and a lone CR as one line end, numbers with a decimal comma, unit factors to SI, and
cycle numbers from the potential sweep for files that do not number their cycles.
"""

from __future__ import annotations

import math
import re

import numpy as np

BOM = b"\xef\xbb\xbf"

# Unit strings as vendors write them -> (UDUNITS unit, factor to it).  SI prefixes (BIPM SI
# Brochure, 9th ed., table 7).
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


def decode(raw: bytes) -> str:
    """Text of a file: UTF-8 (BOM dropped) when valid, else cp1252, else Latin-1."""
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


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


def unit_factor(unit: str) -> tuple[str, float] | None:
    """(UDUNITS unit, factor) for a vendor unit string, None when unknown."""
    unit = unit.strip()
    if unit in UNITS_EXACT:
        return UNITS_EXACT[unit]
    return UNITS.get(unit.lower().replace(" ", ""))


def sweep_segments(potential: np.ndarray) -> np.ndarray:
    """Segment index (0-based) of each point: a new segment starts at every sweep reversal.

    A reversal is where the potential has moved back from its running extremum by more
    than a noise threshold (5 median steps, at least 0.2 % of the span), so jitter in a
    controlled potential does not split a sweep.
    """
    e = np.asarray(potential, dtype=float)
    segment = np.zeros(e.size, dtype=np.int32)
    if e.size < 3:
        return segment
    steps = np.abs(np.diff(e))
    span = float(np.nanmax(e) - np.nanmin(e))
    threshold = max(5.0 * float(np.median(steps[steps > 0])) if np.any(steps > 0) else 0.0, 0.002 * span)
    direction = 0
    extreme_i = 0
    current = 0
    start = 0
    for i in range(1, e.size):
        if direction == 0:
            if abs(e[i] - e[start]) > threshold:
                direction = 1 if e[i] > e[start] else -1
                extreme_i = int(np.argmax(e[: i + 1]) if direction > 0 else np.argmin(e[: i + 1]))
            continue
        if (e[i] - e[extreme_i]) * direction > 0:
            extreme_i = i
        elif abs(e[i] - e[extreme_i]) > threshold:
            current += 1
            segment[extreme_i + 1:] = current
            direction = -direction
            extreme_i = i
    return segment


def sweep_cycles(potential: np.ndarray) -> np.ndarray:
    """Cycle numbers (first = 1) from the sweep: two consecutive sweep segments make a cycle."""
    return (sweep_segments(potential) // 2 + 1).astype(np.int32)


def is_sweep(potential: np.ndarray, time: np.ndarray, min_span_V: float = 0.05) -> bool:
    """True when E(t) is a linear sweep: span >= min_span_V and |dE/dt| steady within a factor 2."""
    e = np.asarray(potential, dtype=float)
    t = np.asarray(time, dtype=float)
    if e.size < 10 or not np.all(np.isfinite(e)) or float(e.max() - e.min()) < min_span_V:
        return False
    dt = np.diff(t)
    if np.any(~np.isfinite(dt)) or np.any(dt <= 0):
        return False
    rate = np.abs(np.diff(e) / dt)
    med = float(np.median(rate))
    if med <= 0:
        return False
    steady = (rate > 0.5 * med) & (rate < 2.0 * med)
    return float(np.mean(steady)) >= 0.8


def scan_rate_from_data(potential: np.ndarray, time: np.ndarray) -> float:
    """Median |dE/dt| (V/s) of a sweep, NaN when the time is unknown."""
    dt = np.diff(np.asarray(time, dtype=float))
    de = np.diff(np.asarray(potential, dtype=float))
    ok = np.isfinite(dt) & (dt > 0)
    if not np.any(ok):
        return math.nan
    return float(np.median(np.abs(de[ok] / dt[ok])))


def charging_current_sign(potential: np.ndarray, current: np.ndarray) -> float:
    """Mean of current * sign(dE/dt) over |current|: > 0 when current is anodic positive.

    In a voltammogram the capacitive and faradaic currents follow the sweep direction, so
    with the anodic-positive (IUPAC) convention the current on the positive-going sweep
    lies above that on the negative-going one and this number is positive.
    """
    e = np.asarray(potential, dtype=float)
    i = np.asarray(current, dtype=float)
    if e.size < 3:
        return math.nan
    direction = np.sign(np.gradient(e))
    centred = i - np.median(i)
    scale = float(np.mean(np.abs(centred)))
    if scale == 0:
        return math.nan
    return float(np.mean(centred * direction) / scale)
