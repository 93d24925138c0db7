"""Rule provenance: checksum manifest of raw inputs and outputs, and the software used."""

from interphase.pipeline import step
from interphase.provenance import write_manifest, write_software

with step(snakemake.log[0], None, "provenance"):  # noqa: F821
    write_manifest(snakemake.input.raw, snakemake.input.outputs, snakemake.output.manifest)  # noqa: F821
    write_software(snakemake.output.software)  # noqa: F821
