"""Rule provenance: checksum manifest of raw inputs and outputs, and the software used."""

from pathlib import Path

from interphase.pipeline import step
from interphase.provenance import write_manifest, write_software

with step(snakemake.log[0], None, "provenance"):  # noqa: F821
    write_manifest(snakemake.input.raw, snakemake.input.outputs, snakemake.output.manifest, snakemake.params.made_by)  # noqa: F821
    job_records = sorted(str(p) for p in Path("results/logs").rglob("*.software.json"))
    write_software(job_records, snakemake.output.software)  # noqa: F821
