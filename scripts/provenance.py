"""Rule provenance: checksum manifest, software used, and the Workflow Run RO-Crate."""

from pathlib import Path

from interphase.pipeline import step
from interphase.provenance import write_crate_of_run, write_manifest, write_software

with step(snakemake.log[0], None, "provenance"):  # noqa: F821
    write_manifest(snakemake.input.raw, snakemake.input.outputs, snakemake.output.manifest, snakemake.params.made_by)  # noqa: F821
    job_records = sorted(str(p) for p in Path("results/logs").rglob("*.software.json"))
    write_software(job_records, snakemake.output.software)  # noqa: F821
    configs = [Path(c) for c in snakemake.params.configfiles]  # noqa: F821
    snakefile = Path(snakemake.scriptdir).parent / "Snakefile"  # noqa: F821
    write_crate_of_run(snakemake.output.manifest, snakefile, configs[-1] if configs else None, snakemake.output.crate)  # noqa: F821
