"""BioLogic EC-Lab binary modular file (.mpr): impedance spectra (PEIS/GEIS) and voltammograms.

Why galvani: it is the maintained open-source .mpr parser (echemdata/galvani, 0.5.0 is the
newest release on PyPI) and reads the data modules of versions 0, 2 and 3, which covers
every .mpr in ../shared/realdata (PEIS v3, CV v2, Modulo Bat v3, and the zero-point PEIS
file, for which it returns an empty array: refused here with a ReadError "no data points").
Its failures (ValueError, AssertionError, NotImplementedError for an unknown column id or
module version, OSError for a truncated file) are turned into ReadError naming the file.

galvani decodes only the data and the dates. The few header values used here are read from
the settings and log modules at the offsets documented by yadg (dgbowl/yadg,
``extractors/eclab/mpr.py``), checked by hand against the .mpt exports of the same runs:

- settings module: technique id (byte 0x0000), electrode area (float32 at 0x0211, cm²),
  reference electrode (Pascal string at 0x0215); for CV (technique 6 or 0x30) the technique
  parameters (``ns``, ``n_params`` = 21, then Ei f4, Ei_vs u1, dE/dt f4, dE/dt unit u1, ...)
  at one of 0x0572/0x1845/0x1846/0x1847. The dE/dt unit code is decoded only for code 1 =
  mV/s (seen in yadg_cv.mpr, whose .mpt says 'dE/dt unit mV/s'); another code gives NaN.
- log module: EC-Lab version (Pascal string at 0x03B7), device serial number (0x03CF).

Not decoded (attribute ``settings_not_decoded`` says so): the PEIS/GEIS technique settings
(the 'E (V)' setting and its reference), so ``dc_potential_V`` is the mean of <Ewe>/V, the
same fallback the .mpt reader uses when the setting is not vs. Ref; the device model name.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
import xarray as xr
from galvani import BioLogic

from interphase import datasets
from interphase.errors import ReadError
from interphase.readers._cv import cycle_numbers
from interphase.readers._text import si_factor
from interphase.readers.biologic import refuse_non_voltammogram

NAME = "biologic_mpr"
VERSION = "2"
TECHNIQUES = ("eis", "cv")
OPTIONS: tuple[str, ...] = ()  # no reader options from the config

MAGIC = b"BIO-LOGIC MODULAR FILE"
# Technique ids of the settings module byte 0 (yadg extractors/eclab/techniques.py).
TECHNIQUE_NAMES = {
    0x04: "Galvanostatic Cycling with Potential Limitation",
    0x06: "Cyclic Voltammetry",
    0x0B: "Open Circuit Voltage",
    0x18: "Chronoamperometry / Chronocoulometry",
    0x19: "Chronopotentiometry",
    0x1D: "Potentio Electrochemical Impedance Spectroscopy",
    0x1E: "Galvano Electrochemical Impedance Spectroscopy",
    0x30: "Cyclic Voltammetry",
    0x33: "Cyclic Voltammetry Advanced",
    0x6C: "Linear Sweep Voltammetry",
    0x7F: "Modulo Bat",
}
CV_IDS = (0x06, 0x30)
CV_N_PARAMS = 21
PARAM_OFFSETS = (0x0572, 0x1845, 0x1846, 0x1847)
# dE/dt unit codes known to mean a unit (checked against the .mpt of the same run).
SCAN_RATE_UNIT_CODES = {1: 1e-3}  # 1 = mV/s -> factor to V/s
AREA_OFFSET = 0x0211
REFERENCE_OFFSET = 0x0215
LOG_VERSION_OFFSET = 0x03B7
LOG_SERIAL_OFFSET = 0x03CF
NOT_DECODED = "technique settings other than the CV dE/dt (e.g. the EIS 'E (V)'), device model"
# Units a current column may be written in (the factor to A comes from the toolkit).
CURRENT_UNITS = ("A", "mA", "µA", "uA", "nA")


def sniff(path: Path, head: bytes) -> bool:
    """True when the file starts with the .mpr magic 'BIO-LOGIC MODULAR FILE'."""
    return head.startswith(MAGIC)


def load(path: Path) -> BioLogic.MPRfile:
    """The galvani MPRfile of ``path``; any galvani failure becomes a ReadError."""
    head = path.read_bytes()[: len(MAGIC)]
    if head != MAGIC:
        raise ReadError(path, "byte 0", "the magic 'BIO-LOGIC MODULAR FILE'", repr(head))
    try:
        with open(path, "rb") as fh:
            return BioLogic.MPRfile(fh)
    except (ValueError, AssertionError, NotImplementedError, OSError, KeyError, TypeError) as err:
        found = f"a damaged or unsupported file (galvani: {str(err).strip() or type(err).__name__})"
        expected = "an EC-Lab .mpr that galvani 0.5 decodes"
        raise ReadError(path, "modules after byte 0x34", expected, found) from None


def module_data(mpr: BioLogic.MPRfile, shortname: bytes) -> bytes:
    """The data bytes of the first module with this short name, or b''."""
    for module in mpr.modules:
        if bytes(module["shortname"]).strip() == shortname:
            return bytes(module["data"])
    return b""


def pascal_string(data: bytes, offset: int) -> str:
    """A length-prefixed (Pascal) string at ``offset``, '' when out of range."""
    if offset >= len(data):
        return ""
    length = data[offset]
    return data[offset + 1 : offset + 1 + length].decode("cp1252", errors="replace").strip()


def float32_at(data: bytes, offset: int) -> float:
    """A little-endian float32 at ``offset``, NaN when out of range."""
    if offset + 4 > len(data):
        return math.nan
    return float(
        str(np.float32(struct.unpack_from("<f", data, offset)[0]))
    )  # shortest float32 text: 0.001, not 0.0010000000475


def cv_scan_rate(settings: bytes) -> float:
    """dE/dt of the first CV sequence in V/s, NaN when the parameters are not where expected."""
    if not settings or settings[0] not in CV_IDS:
        return math.nan
    for offset in PARAM_OFFSETS:
        if offset + 18 > len(settings):
            continue
        ns, n_params = struct.unpack_from("<HH", settings, offset)
        if ns >= 1 and n_params == CV_N_PARAMS:
            value = float32_at(settings, offset + 4 + 5)  # after Ei (f4) and Ei_vs (u1)
            code = settings[offset + 4 + 9]
            factor = SCAN_RATE_UNIT_CODES.get(code)
            return value * factor if factor is not None and math.isfinite(value) else math.nan
    return math.nan


def header_attrs(mpr: BioLogic.MPRfile) -> dict:
    """Attributes from the settings and log modules and galvani's dates."""
    settings = module_data(mpr, b"VMP Set")
    log = module_data(mpr, b"VMP LOG")
    version = pascal_string(log, LOG_VERSION_OFFSET)
    serial = pascal_string(log, LOG_SERIAL_OFFSET)
    timestamp = getattr(mpr, "timestamp", None)
    attrs = {
        "instrument": f"BioLogic (SN {serial})" if serial else "BioLogic",
        "software": f"EC-Lab v{version}" if version else "EC-Lab",
        "software_version": version,
        "start_time": timestamp.replace(microsecond=0).isoformat()
        if timestamp
        else mpr.startdate.isoformat(),
        "instrument_technique": TECHNIQUE_NAMES.get(settings[0], f"technique id {settings[0]}")
        if settings
        else "",
        "mpr_data_module_version": int(mpr.version),
        "settings_not_decoded": NOT_DECODED,
    }
    reference = pascal_string(settings, REFERENCE_OFFSET)
    if reference:
        attrs["reference_electrode"] = reference
    area = float32_at(settings, AREA_OFFSET)
    if math.isfinite(area) and area > 0:
        attrs["area_in_file_cm2"] = area
    return attrs


def records(path: Path) -> tuple[np.ndarray, BioLogic.MPRfile]:
    """The data record array (at least one point) and the parsed file."""
    mpr = load(path)
    data = mpr.data
    if data.shape[0] == 0:
        raise ReadError(
            path,
            "data module ('VMP data')",
            "at least one data point",
            "no data points (the run stored none)",
        )
    return data, mpr


def field(data: np.ndarray, wanted: tuple[str, ...]) -> np.ndarray | None:
    """The first of the ``wanted`` columns present, as float64; None when none is."""
    for name in wanted:
        if name in data.dtype.names:
            return np.asarray(data[name], dtype=float)
    return None


def require(
    values: np.ndarray | None, wanted: tuple[str, ...], data: np.ndarray, path: Path, technique: str
) -> np.ndarray:
    """``values``, or a ReadError naming the column the technique needs."""
    if values is None:
        raise ReadError(
            path,
            "data module column list",
            f"a column {' or '.join(repr(w) for w in wanted)} for {technique}",
            f"columns {', '.join(data.dtype.names[:12])}",
        )
    return values


def points(data: np.ndarray) -> list[str]:
    """'data point N' (from 1) for every record, to name rows in notes and errors."""
    return [f"data point {i + 1}" for i in range(data.shape[0])]


def read_eis(path: Path) -> xr.Dataset:
    """An impedance record: one spectrum, or every sweep of a file holding several."""
    data, mpr = records(path)
    freq = require(field(data, ("freq/Hz",)), ("freq/Hz",), data, path, "eis")
    z_real = require(field(data, ("Re(Z)/Ohm",)), ("Re(Z)/Ohm",), data, path, "eis")
    minus_imag = require(field(data, ("-Im(Z)/Ohm",)), ("-Im(Z)/Ohm",), data, path, "eis")
    ewe = field(data, ("<Ewe>/V", "Ewe/V"))
    rows = datasets.EisRows(
        freq,
        z_real,
        -minus_imag,
        points(data),
        time=field(data, ("time/s",)),
        group=field(data, ("cycle number",)),
        potential=ewe,
    )
    attrs = header_attrs(mpr)
    attrs.update(
        {
            "dc_potential_V": float(np.nanmean(ewe)) if ewe is not None else math.nan,
            "dc_potential_source": "mean of <Ewe>/V" if ewe is not None else "unknown",
            "reader": NAME,
            "reader_version": VERSION,
        }
    )
    long_name = "time since the start of the technique"
    return datasets.eis_from_rows(path, rows, attrs, time_long_name=long_name)


def current_field(data: np.ndarray) -> tuple[np.ndarray, str] | None:
    """The current in A ('<I>/…' preferred over 'I/…') and the column it came from."""
    for prefix in ("<I>/", "I/"):
        for unit in CURRENT_UNITS:
            if prefix + unit in data.dtype.names:
                factor = si_factor(unit, "A")
                return np.asarray(data[prefix + unit], dtype=float) * factor, prefix + unit
    return None


def read_cv(path: Path) -> xr.Dataset:
    """A voltammogram (or any EC-Lab record with Ewe and I), in acquisition order."""
    data, mpr = records(path)
    if "freq/Hz" in data.dtype.names:
        raise ReadError(
            path,
            "data module column list",
            "a time record with Ewe and I (cv)",
            "an impedance record (freq/Hz column)",
        )
    attrs = header_attrs(mpr)
    technique_name = attrs["instrument_technique"]
    refuse_non_voltammogram(path, "settings and data modules", technique_name, data.dtype.names)
    time = require(field(data, ("time/s",)), ("time/s",), data, path, "cv")
    potential = require(field(data, ("Ewe/V", "<Ewe>/V")), ("Ewe/V", "<Ewe>/V"), data, path, "cv")
    found = current_field(data)
    if found is None:
        require(None, ("<I>/mA", "I/mA"), data, path, "cv")
    current, _ = found
    cycles = cycle_numbers(field(data, ("cycle number",)), data.shape[0])
    extra = {}
    control_v = field(data, ("control/V",))
    if control_v is not None:
        long_name = "potential set by the potentiostat"
        extra["control_potential"] = datasets.variable("point", control_v, "V", long_name)
    control_ma = field(data, ("control/mA",))
    if control_ma is not None:
        long_name = "current set by the potentiostat"
        extra["control_current"] = datasets.variable("point", control_ma * 1e-3, "A", long_name)
    rate = cv_scan_rate(module_data(mpr, b"VMP Set"))
    attrs.update(
        {
            "scan_rate_V_s": rate,
            "scan_rate_source": "CV setting dE/dt in the settings module"
            if math.isfinite(rate)
            else "unknown",
            "reader": NAME,
            "reader_version": VERSION,
        }
    )
    return datasets.cv_from_rows(
        path, time, potential, current, cycles, attrs, places=points(data), extra=extra
    )


def read(path: Path, technique: str) -> xr.Dataset:
    """The EC-Lab .mpr at ``path`` as an ``eis`` or ``cv`` dataset."""
    path = Path(path)
    if technique == "eis":
        return read_eis(path)
    if technique == "cv":
        return read_cv(path)
    raise ReadError(
        path, None, f"a technique this reader handles ({', '.join(TECHNIQUES)})", repr(technique)
    )
