"""The embedded demo study: NMC111 films on LATP sintered at 700 and 900 °C.

It mirrors the seed study (NMC/LATP interface, JST-ALCA): CV at 1 mV/s, EIS at 3.6, 3.8,
4.0 and 4.2 V, XRD, an EDX line profile and an EELS line for each sample, written in real
vendor formats from physics with known parameters (each technique module's ``TRUTH``).
``generate`` is deterministic: the same seed gives the same bytes, so the committed files
under ``data/demo/`` can be checked against a regeneration.

``generate(outdir, samples=N)`` builds a larger study of the same kind (the scale benchmark,
benchmarks/pipeline_scale.py): the demo's two samples, then replicates of them
(``NMC-700-r01``, ``NMC-900-r01``, ...), each replicate written by the same technique
generators with its own seed, so every sample has the demo's eight measurements (CV, EIS at
four potentials, XRD, an EDX and an EELS line) with its own noise. ``samples=2`` is the
embedded demo, byte for byte.
"""

from __future__ import annotations

import csv
import importlib
import io
import shutil
import tempfile
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


def generate(outdir: str | Path, seed: int = SEED, samples: int = 2) -> list[Path]:
    """Write the demo study (raw files, samples.tsv, measurements.tsv) under ``outdir``.

    ``samples`` > 2 adds replicates of the two demo samples (see the module docstring)."""
    if samples < 1:
        raise ValueError(f"a study needs at least one sample, not {samples}")
    outdir = Path(outdir)
    raw_dir = outdir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    sample_rows: list[dict] = []
    measurements: list[dict] = []
    for replicate in range((samples + 1) // 2):
        templates = SAMPLES[: samples - 2 * replicate]
        if replicate == 0:
            measurements.extend(_write_samples(raw_dir, templates, seed))
            sample_rows.extend(templates)
            continue
        names = {t["sample"]: f"{t['sample']}-r{replicate:02d}" for t in templates}
        rows = _write_replicate(raw_dir, templates, seed + replicate, names)
        measurements.extend(rows)
        sample_rows.extend({**t, "sample": names[t["sample"]], "label": names[t["sample"]]} for t in templates)
    samples_path = outdir / "samples.tsv"
    measurements_path = outdir / "measurements.tsv"
    samples_path.write_text(_tsv(sample_rows, SAMPLE_COLUMNS), encoding="utf-8", newline="\n")
    measurements_path.write_text(_tsv(measurements, MEASUREMENT_COLUMNS), encoding="utf-8", newline="\n")
    return sorted(p for p in outdir.rglob("*") if p.is_file())


def _write_samples(raw_dir: Path, samples: list[dict], seed: int) -> list[dict]:
    """Every technique generator on ``samples``: their measurements.tsv rows."""
    rows: list[dict] = []
    for name in MODULES:
        module = importlib.import_module(f"interphase.demo.{name}")
        rows.extend(module.generate(raw_dir, [dict(s) for s in samples], seed))
    return rows


def _write_replicate(raw_dir: Path, templates: list[dict], seed: int, names: dict[str, str]) -> list[dict]:
    """The demo samples written with another seed, then renamed (ids, files and folders).

    The technique generators know the two demo samples by name (their truth tables), so a
    replicate is generated under the demo names in a scratch folder and moved into place
    under its own names; the file headers keep the demo sample's label."""
    with tempfile.TemporaryDirectory(prefix="interphase-demo-") as scratch:
        rows = _write_samples(Path(scratch), templates, seed)
        renamed = []
        for row in rows:
            old = row["sample"]
            new = names[old]
            source = Path(scratch) / row["file"]
            relative = Path(*(part.replace(old, new) for part in Path(row["file"]).parts))
            target = raw_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                target.mkdir(exist_ok=True)
                for spectrum in sorted(source.iterdir()):
                    shutil.move(str(spectrum), target / spectrum.name.replace(old, new))
            else:
                shutil.move(str(source), target)
            renamed.append({**row, "sample": new, "measurement": row["measurement"].replace(old, new),
                            "file": relative.as_posix()})
    return renamed
