"""Demo TEM-EDX line profiles across the NMC111 | LATP interface, with known interdiffusion.

Geometry (shared with :mod:`interphase.demo.eels`, which imports the constants below):
each line runs from the NMC film (distance 0) into LATP, 0-120 nm in 1 nm steps (121
points). Every element follows an error-function step centred on the interface,
``C(x) = C_film + (C_latp - C_film)/2 * [1 + erf((x - x0)/(sqrt(2) sigma))]`` with
``x0 = INTERFACE_NM[sample]`` (so Ni+Co+Mn falls to half its film plateau exactly there)
and ``sigma = WIDTH_NM[sample][element] / 2.563`` (2.563 sigma is the 10-90 % width of
an erf step). The abstract reports a ~30 nm mutual-diffusion layer at both temperatures;
element-to-element differences are within +-2 nm, and Co is a little broader at 900 °C
(32 nm, "Co diffuses toward LATP at the higher temperature").

Plateaus are atomic percent over the elements EDX sees (Li is invisible):
NMC111 LiNi1/3Co1/3Mn1/3O2 -> O 66.67, Ni = Co = Mn 11.11; LATP
Li1.3Al0.3Ti1.7(PO4)3 -> O 12/17 = 70.59, P 3/17 = 17.65, Ti 1.7/17 = 10.00,
Al 0.3/17 = 1.76. O changes by only 3.9 at% across the interface, below three times its
counting noise: its profile has no measurable step and the analysis must say so
(``TRUTH[sample]["no_step"]``) rather than report a width.

Noise: Poisson counting statistics per point, N = s_el * (C + b) counts with a
per-element sensitivity s_el (counts per at%, O K low: absorbed and weakly detected) and
a background b = 0.5 at% equivalent, quantified back as N/s_el - b (so values near zero
scatter around zero, as background-subtracted quantification does). Relative noise on
the plateaus is 3-5 %. The quantification is not normalised to 100 % (row totals
scatter around 100), so each profile is an exact erf plus noise.

File style: Bruker ESPRIT 2 line-scan "export table", as we understand it (no public
sample file was available to copy): a block of ``key<sep>value`` header lines, a blank
line, the column header ``Position [unit]`` + one ``<El>-K [at.%]`` / ``<El> K (Atomic %)``
column per element in order of Z, CRLF line ends. NMC-700 was exported on an
English-locale PC (comma CSV, UTF-8 with BOM, nm); NMC-900 on a German-locale PC
(tab-separated, decimal commas, position in µm, cp1252).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.special import erf

from interphase.interface import WIDTH_10_90_PER_SIGMA

RNG_STREAM = 5  # this module's fixed stream number for np.random.default_rng([seed, RNG_STREAM])

DISTANCE_NM = np.arange(0.0, 121.0, 1.0)  # 0-120 nm, 1 nm step, film side first

INTERFACE_NM = {"NMC-700": 60.0, "NMC-900": 58.0}
NOMINAL_WIDTH_NM = (
    30.0  # abstract: "mutual diffusion layer ... thickness of 30 nm" at both temperatures
)
WIDTH_NM = {
    "NMC-700": {"O": 30.0, "Al": 30.0, "P": 28.0, "Ti": 30.0, "Mn": 30.0, "Co": 31.0, "Ni": 29.0},
    "NMC-900": {"O": 30.0, "Al": 30.0, "P": 28.0, "Ti": 31.0, "Mn": 30.0, "Co": 32.0, "Ni": 29.0},
}
ELEMENTS = ("O", "Al", "P", "Ti", "Mn", "Co", "Ni")  # column order: increasing Z


def atomic_percent(formula: dict[str, float]) -> dict[str, float]:
    """Atomic percent over the given atoms of a formula unit (the EDX-visible ones)."""
    total = sum(formula.values())
    return {el: 100.0 * n / total for el, n in formula.items()}


# LiNi1/3Co1/3Mn1/3O2 and Li1.3Al0.3Ti1.7(PO4)3 without Li (not seen by EDX).
FILM_AT = {
    "Al": 0.0,
    "P": 0.0,
    "Ti": 0.0,
    **atomic_percent({"O": 2.0, "Mn": 1 / 3, "Co": 1 / 3, "Ni": 1 / 3}),
}
LATP_AT = {
    "Mn": 0.0,
    "Co": 0.0,
    "Ni": 0.0,
    **atomic_percent({"O": 12.0, "Al": 0.3, "P": 3.0, "Ti": 1.7}),
}

# Counts per at% and point (O K is absorbed and weakly detected) and background (at% equivalent).
SENSITIVITY = {"O": 10.0, "Al": 150.0, "P": 50.0, "Ti": 60.0, "Mn": 55.0, "Co": 55.0, "Ni": 50.0}
BACKGROUND_AT = 0.5


def _truth(sample: str) -> dict:
    """The known parameters of one demo sample."""
    widths = WIDTH_NM[sample]
    return {
        "interface_nm": INTERFACE_NM[sample],
        "x0_nm": {el: INTERFACE_NM[sample] for el in ELEMENTS},
        "width_nm": dict(widths),
        "sigma_nm": {el: w / WIDTH_10_90_PER_SIGMA for el, w in widths.items()},
        "film_at_percent": dict(FILM_AT),
        "latp_at_percent": dict(LATP_AT),
        "no_step": ("O",),
        "distance_nm": (0.0, 120.0, 1.0),
    }


TRUTH = {sample: _truth(sample) for sample in INTERFACE_NM}

META = {
    "NMC-700": {"date": "2019-05-14", "time": "10:21:33", "file": "NMC-700_edx.csv", "style": "en"},
    "NMC-900": {"date": "2019-05-15", "time": "15:47:02", "file": "NMC-900_edx.txt", "style": "de"},
}


def profile(x: np.ndarray, c_film: float, c_latp: float, x0: float, width: float) -> np.ndarray:
    """An erf step from c_film to c_latp centred at x0 with the given 10-90 % width."""
    sigma = width / WIDTH_10_90_PER_SIGMA
    return c_film + (c_latp - c_film) / 2.0 * (1.0 + erf((x - x0) / (math.sqrt(2.0) * sigma)))


def composition(truth: dict, rng: np.random.Generator) -> np.ndarray:
    """Measured atomic percent (distance x element, in ELEMENTS order) with counting noise."""
    out = np.empty((DISTANCE_NM.size, len(ELEMENTS)))
    for j, el in enumerate(ELEMENTS):
        c = profile(
            DISTANCE_NM,
            truth["film_at_percent"][el],
            truth["latp_at_percent"][el],
            truth["x0_nm"][el],
            truth["width_nm"][el],
        )
        s = SENSITIVITY[el]
        counts = rng.poisson(s * (np.clip(c, 0.0, None) + BACKGROUND_AT))
        out[:, j] = counts / s - BACKGROUND_AT
    return out


def number(value: float, fmt: str, decimal_comma: bool) -> str:
    """A number in fixed format, with a decimal comma when asked (German locale)."""
    text = format(value, fmt)
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]  # no '-0.00'
    return text.replace(".", ",") if decimal_comma else text


def export_text(sample: dict, values: np.ndarray, meta: dict) -> bytes:
    """The ESPRIT-style export file of one line scan, encoded as the locale would write it."""
    german = meta["style"] == "de"
    sep = "\t" if german else ","
    header = [
        ("Bruker Nano ESPRIT", "Line scan export"),
        ("Software", "ESPRIT 2.3.0.3"),
        ("Instrument", "JEOL JEM-ARM200F + Bruker XFlash 6T-60"),
        ("Sample", str(sample.get("label") or sample["sample"])),
        ("Date", meta["date"]),
        ("Time", meta["time"]),
        ("High voltage [kV]", number(200.0, ".1f", german)),
        ("Points", str(DISTANCE_NM.size)),
        ("Step [µm]" if german else "Step [nm]", number(0.001, ".4f", True) if german else "1.0"),
        ("Dwell time per point [s]", number(2.0, ".1f", german)),
        ("Quantification", "Cliff-Lorimer (theoretical k-factors); normalisation off"),
    ]
    lines = [sep.join(pair) for pair in header]
    lines.append("")
    if german:
        columns = ["Position [µm]"] + [f"{el} K (Atomic %)" for el in ELEMENTS]
        positions = [number(x / 1000.0, ".4f", True) for x in DISTANCE_NM]
    else:
        columns = ["Position [nm]"] + [f"{el}-K [at.%]" for el in ELEMENTS]
        positions = [number(x, ".1f", False) for x in DISTANCE_NM]
    lines.append(sep.join(columns))
    for i, pos in enumerate(positions):
        lines.append(sep.join([pos] + [number(v, ".2f", german) for v in values[i]]))
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("cp1252") if german else b"\xef\xbb\xbf" + text.encode("utf-8")


def truth_for(sample: dict) -> tuple[str, dict]:
    """The TRUTH entry of a sample: its own, else the demo sample nearest in temperature."""
    name = str(sample["sample"])
    if name in TRUTH:
        return name, TRUTH[name]
    temps = {"NMC-700": 700.0, "NMC-900": 900.0}
    nearest = min(
        temps, key=lambda k: (abs(temps[k] - float(sample["sintering_temperature_C"])), k)
    )
    return nearest, TRUTH[nearest]


def generate(raw_dir: Path, samples: list[dict], seed: int) -> list[dict]:
    """Write one EDX line-scan export a sample under raw_dir/edx_line/; return the sheet rows."""
    rng = np.random.default_rng([seed, RNG_STREAM])
    folder = Path(raw_dir) / "edx_line"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for sample in samples:
        key, truth = truth_for(sample)
        meta = dict(META[key])
        if str(sample["sample"]) != key:
            suffix = Path(meta["file"]).suffix
            meta["file"] = f"{sample['sample']}_edx{suffix}"
        values = composition(truth, rng)
        (folder / meta["file"]).write_bytes(export_text(sample, values, meta))
        rows.append(
            {
                "measurement": f"{sample['sample']}_edx",
                "sample": str(sample["sample"]),
                "technique": "edx_line",
                "file": f"edx_line/{meta['file']}",
                "format": "",
                "potential_V": "",
                "scan_rate_mV_s": "",
            }
        )
    return rows
