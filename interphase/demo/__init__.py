"""The embedded demo study: NMC111 films on LATP sintered at 700 and 900 °C.

It mirrors the seed study (NMC/LATP interface, JST-ALCA): CV at 1 mV/s, EIS at 3.6, 3.8,
4.0 and 4.2 V, XRD, an EDX line profile and an EELS line for each sample, written in real
vendor formats from physics with known parameters (each technique module's ``TRUTH``).
``generate`` is deterministic: the same seed gives the same bytes, so the committed files
under ``data/demo/`` can be checked against a regeneration.
"""

from __future__ import annotations

import csv
import importlib
import io
from pathlib import Path

# The committed demo's seed: any fixed integer; changing it changes every raw byte.
SEED = 1919

SAMPLES: list[dict] = [
    {
        "sample": "NMC-700",
        "label": "NMC-700",
        "sintering_temperature_C": 700.0,
        "electrode_area_cm2": 0.196,
        "substrate": "LATP sheet, 150 um",
        "deposition": "PLD",
    },
    {
        "sample": "NMC-900",
        "label": "NMC-900",
        "sintering_temperature_C": 900.0,
        "electrode_area_cm2": 0.196,
        "substrate": "LATP sheet, 150 um",
        "deposition": "PLD",
    },
]

# One module a technique, each with TRUTH and generate(raw_dir, samples, seed).
MODULES = ("cv", "eis", "xrd", "edx", "eels")

MEASUREMENT_COLUMNS = ("measurement", "sample", "technique", "file", "format", "potential_V", "scan_rate_mV_s")
SAMPLE_COLUMNS = ("sample", "label", "sintering_temperature_C", "electrode_area_cm2", "substrate", "deposition")


def _tsv(rows: list[dict], columns: tuple[str, ...]) -> str:
    """Rows as tab-separated text with a header, LF line ends, numbers written plainly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c, "")) for c in columns])
    return buffer.getvalue()


def _cell(value) -> str:
    """A sheet cell: floats without trailing zeros, None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def generate(outdir: str | Path, seed: int = SEED) -> list[Path]:
    """Write the demo study (raw files, samples.tsv, measurements.tsv) under ``outdir``."""
    outdir = Path(outdir)
    raw_dir = outdir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    measurements: list[dict] = []
    for name in MODULES:
        module = importlib.import_module(f"interphase.demo.{name}")
        measurements.extend(module.generate(raw_dir, [dict(s) for s in SAMPLES], seed))
    samples_path = outdir / "samples.tsv"
    measurements_path = outdir / "measurements.tsv"
    samples_path.write_text(_tsv(SAMPLES, SAMPLE_COLUMNS), encoding="utf-8", newline="\n")
    measurements_path.write_text(_tsv(measurements, MEASUREMENT_COLUMNS), encoding="utf-8", newline="\n")
    return sorted(p for p in outdir.rglob("*") if p.is_file())
