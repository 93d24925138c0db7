"""Builders of the electrochemistry layouts: ``cv`` (voltammogram) and ``eis`` (spectrum)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import xarray as xr

from interphase.datasets.core import (
    Z_IMAG_SIGN,
    add_quality_note,
    places_text,
    variable,
)
from interphase.errors import ReadError


def cv_dataset(
    time,
    potential,
    current,
    cycle,
    attrs: dict,
    *,
    extra: dict[str, xr.Variable] | None = None,
    time_long_name: str = "time",
    cycle_long_name: str = "cycle number, first cycle = 1",
) -> xr.Dataset:
    """A voltammogram in the ``cv`` layout: time (s), potential (V), current (A), cycle."""
    potential = np.asarray(potential, dtype=float)
    data = {
        "time": variable("point", time, "s", time_long_name),
        "potential": variable("point", potential, "V", "working electrode potential vs reference"),
        "current": variable("point", current, "A", "current, anodic positive"),
        "cycle": variable("point", np.asarray(cycle, dtype=np.int32), "1", cycle_long_name),
        **(extra or {}),
    }
    index = np.arange(potential.size)
    coords = {"point": variable("point", index, "1", "point index in acquisition order")}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def eis_dataset(
    frequency,
    z_real,
    z_imag,
    attrs: dict,
    *,
    time=None,
    extra: dict[str, xr.Variable] | None = None,
    time_long_name: str = "time",
) -> xr.Dataset:
    """An impedance spectrum in the ``eis`` layout: frequency (Hz), Z (ohm, true sign), time (s).

    The caller passes the rows already in the layout's order (frequency strictly decreasing)
    and z_imag with its true sign; ``attrs`` gets ``z_imag_sign`` and, when absent,
    ``dc_potential_V`` = NaN.
    """
    data = {
        "z_real": variable(
            "frequency", np.asarray(z_real, dtype=float), "ohm", "real part of the impedance"
        ),
        "z_imag": variable(
            "frequency", np.asarray(z_imag, dtype=float), "ohm", "imaginary part of the impedance"
        ),
    }
    if time is not None:
        data["time"] = variable("frequency", np.asarray(time, dtype=float), "s", time_long_name)
    data.update(extra or {})
    frequency = np.asarray(frequency, dtype=float)
    coords = {
        "frequency": variable("frequency", frequency, "Hz", "frequency of the AC perturbation")
    }
    out_attrs = {**attrs, "z_imag_sign": Z_IMAG_SIGN}
    out_attrs.setdefault("dc_potential_V", math.nan)
    return xr.Dataset(data, coords=coords, attrs=out_attrs)


# Fewest points a clean dataset of these layouts may hold; fewer is refused with the count.
MIN_POINTS = {"eis": 2, "cv": 3}
# A step back in frequency of at least this fraction of the sweep's log span so far starts
# a new sweep (a repeated sweep restarts at the top; a re-measured point steps back little).
RESET_FRACTION = 0.5
# A sweep is complete when it holds at least this share of the longest sweep's points and
# reaches both ends of its frequency range within COMPLETE_END_FACTOR.
COMPLETE_POINTS = 0.8
COMPLETE_END_FACTOR = 1.05


@dataclass
class EisRows:
    """An impedance record as a reader found it, in acquisition order (one entry a row)."""

    frequency: np.ndarray
    z_real: np.ndarray
    z_imag: np.ndarray  # true sign
    places: list[str]  # where each row is in the file: 'line 73', 'data point 5'
    time: np.ndarray | None = None
    group: np.ndarray | None = None  # the file's own sweep numbering (cycle number, table)
    potential: np.ndarray | None = None  # DC potential of each row (V): a mean per sweep
    overload: np.ndarray | None = None  # True where the instrument flagged an overload


def require_points(path, technique: str, found: int, dropped: str = "") -> None:
    """ReadError when fewer than the layout's minimum of points remain."""
    need = MIN_POINTS[technique]
    if found < need:
        what = {"eis": "an impedance spectrum", "cv": "a voltammogram"}[technique]
        after = f" ({dropped})" if dropped else ""
        raise ReadError(path, "data rows", f"{what} of at least {need} points", f"{found}{after}")


def usable_rows(
    arrays: list[np.ndarray], places: list[str], overload: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """Rows whose values are all finite and not overloaded, and a note naming the others."""
    finite = np.logical_and.reduce([np.isfinite(np.asarray(a, dtype=float)) for a in arrays])
    flagged = np.zeros(finite.size, dtype=bool) if overload is None else np.asarray(overload)
    notes = []
    for mask, what in (
        (~finite, "with non-finite values (NaN or inf)"),
        (flagged & finite, "flagged as overloaded by the instrument"),
    ):
        bad = np.flatnonzero(mask)
        if bad.size:
            notes.append(f"{bad.size} rows {what} dropped: {places_text([places[i] for i in bad])}")
    return finite & ~flagged, "; ".join(notes)


def sweep_starts(frequency: np.ndarray, group: np.ndarray | None) -> list[int]:
    """Where sweeps start: the file's own numbering changes, or the frequency jumps back."""
    log_f = np.log10(frequency)
    starts, direction = [0], 0.0
    for i in range(1, log_f.size):
        start = starts[-1]
        step = log_f[i] - log_f[i - 1]
        renumbered = group is not None and group[i] != group[i - 1]
        span = abs(log_f[i - 1] - log_f[start])
        back = direction != 0 and step * direction < 0 and abs(step) >= RESET_FRACTION * span
        if renumbered or (back and i - start >= 2):
            starts.append(i)
            direction = 0.0
        elif direction == 0 and step != 0:
            direction = float(np.sign(step))
    return starts


def pair_place(first: str, second: str) -> str:
    """'lines 11 and 12' for 'line 11' and 'line 12'; 'A and B' otherwise."""
    word, _, a = first.rpartition(" ")
    other, _, b = second.rpartition(" ")
    if word and word == other:
        return f"{word}s {a} and {b}"
    return f"{first} and {second}"


def sweep_order(path, rows: EisRows, index: np.ndarray) -> np.ndarray:
    """The rows of one sweep, high to low frequency; repeated rows dropped, conflicts refused."""
    index = index[np.argsort(-rows.frequency[index], kind="stable")]
    keep = np.ones(index.size, dtype=bool)
    for k in range(1, index.size):
        a, b = index[k - 1], index[k]
        if rows.frequency[a] != rows.frequency[b]:
            continue
        if rows.z_real[a] != rows.z_real[b] or rows.z_imag[a] != rows.z_imag[b]:
            place = pair_place(*(rows.places[i] for i in sorted((a, b))))
            found = f"{rows.frequency[a]:g} Hz twice with different impedance"
            raise ReadError(path, place, "one impedance per frequency in a sweep", found)
        keep[k] = False
    return index[keep]


def complete_sweeps(sweeps: list[np.ndarray], frequency: np.ndarray) -> np.ndarray:
    """1 for each sweep that covers the longest sweep's range and most of its points, else 0."""
    longest = max(sweeps, key=len)
    top, bottom = frequency[longest].max(), frequency[longest].min()
    out = []
    for s in sweeps:
        f = frequency[s]
        ends = f.max() * COMPLETE_END_FACTOR >= top and f.min() <= bottom * COMPLETE_END_FACTOR
        out.append(int(ends and s.size >= COMPLETE_POINTS * longest.size))
    return np.array(out, dtype=np.int32)


def eis_from_rows(path, rows: EisRows, attrs: dict, *, time_long_name: str = "time") -> xr.Dataset:
    """The ``eis`` layout of a record in acquisition order: one sweep, or a ``sweep`` dimension.

    Rows with a non-finite frequency or impedance, or flagged as overloaded, are dropped
    (counted and named in the quality note, which flags the measurement); DC rows
    (frequency <= 0) are dropped and counted in ``dc_rows_dropped``. Sweeps start where the
    file's numbering (``group``) changes or the frequency jumps back towards the start; each
    is ordered high to low.
    """
    arrays = [rows.frequency, rows.z_real, rows.z_imag]
    keep, note = usable_rows(arrays, rows.places, rows.overload)
    attrs = add_quality_note(attrs, note) if note else dict(attrs)
    dc = keep & (rows.frequency <= 0)
    attrs["dc_rows_dropped"] = int(np.count_nonzero(dc))
    index = np.flatnonzero(keep & ~dc)
    group = rows.group[index] if rows.group is not None else None
    starts = sweep_starts(rows.frequency[index], group) + [index.size]
    sweeps = [sweep_order(path, rows, index[a:b]) for a, b in pairwise(starts)]
    require_points(path, "eis", sum(s.size for s in sweeps), note)
    if len(sweeps) == 1:
        return single_sweep(rows, sweeps[0], attrs, time_long_name)
    return several_sweeps(rows, sweeps, attrs, time_long_name)


def single_sweep(rows: EisRows, index: np.ndarray, attrs: dict, time_long_name: str) -> xr.Dataset:
    """The one-sweep ``eis`` layout of the rows at ``index`` (already high to low)."""
    time = rows.time[index] if rows.time is not None else None
    return eis_dataset(
        rows.frequency[index],
        rows.z_real[index],
        rows.z_imag[index],
        attrs,
        time=time,
        time_long_name=time_long_name,
    )


def padded(values: np.ndarray, sweeps: list[np.ndarray]) -> np.ndarray:
    """(sweep, point) array of the rows of each sweep, NaN after a sweep's last point."""
    out = np.full((len(sweeps), max(s.size for s in sweeps)), np.nan)
    for k, s in enumerate(sweeps):
        out[k, : s.size] = values[s]
    return out


def several_sweeps(
    rows: EisRows, sweeps: list[np.ndarray], attrs: dict, time_long_name: str
) -> xr.Dataset:
    """The multi-sweep ``eis`` layout: (sweep, point) arrays padded with NaN."""
    dims = ("sweep", "point")
    data = {
        "frequency": variable(
            dims, padded(rows.frequency, sweeps), "Hz", "frequency of the AC perturbation"
        ),
        "z_real": variable(dims, padded(rows.z_real, sweeps), "ohm", "real part of the impedance"),
        "z_imag": variable(
            dims, padded(rows.z_imag, sweeps), "ohm", "imaginary part of the impedance"
        ),
        "sweep_points": variable("sweep", [s.size for s in sweeps], "1", "points in the sweep"),
        "sweep_complete": variable(
            "sweep",
            complete_sweeps(sweeps, rows.frequency),
            "1",
            "1 where the sweep covers the longest sweep's frequency range",
        ),
    }
    if rows.time is not None:
        data["time"] = variable(dims, padded(rows.time, sweeps), "s", time_long_name)
    if rows.potential is not None:
        means = [float(np.nanmean(rows.potential[s])) for s in sweeps]
        data["sweep_dc_potential"] = variable("sweep", means, "V", "mean DC potential of the sweep")
    coords = {
        "sweep": variable("sweep", np.arange(1, len(sweeps) + 1), "1", "sweep number in the file"),
        "point": variable(
            "point", np.arange(data["frequency"].shape[1]), "1", "point in the sweep"
        ),
    }
    out_attrs = {**attrs, "z_imag_sign": Z_IMAG_SIGN, "n_sweeps": len(sweeps)}
    out_attrs.setdefault("dc_potential_V", math.nan)
    out_attrs["sweep_coordinate"] = "frequency"
    out_attrs["sweep_starts"] = ", ".join(rows.places[int(s.min())] for s in sweeps)
    return xr.Dataset(data, coords=coords, attrs=out_attrs)


def cv_from_rows(
    path,
    time,
    potential,
    current,
    cycle,
    attrs: dict,
    *,
    places: list[str],
    overload: np.ndarray | None = None,
    **options,
) -> xr.Dataset:
    """:func:`cv_dataset` of the usable rows: non-finite potential or current, or overloaded,
    rows dropped with a quality note; fewer than the minimum of points refused."""
    potential, current = np.asarray(potential, dtype=float), np.asarray(current, dtype=float)
    keep, note = usable_rows([potential, current], places, overload)
    require_points(path, "cv", int(np.count_nonzero(keep)), note)
    attrs = add_quality_note(attrs, note) if note else attrs
    extra = {name: var[keep] for name, var in (options.pop("extra", None) or {}).items()}
    time = np.asarray(time, dtype=float)[keep]
    cycle = np.asarray(cycle)[keep]
    return cv_dataset(time, potential[keep], current[keep], cycle, attrs, extra=extra, **options)
