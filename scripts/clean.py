"""Rule clean: read one raw file into results/clean/{measurement}.nc."""

from interphase.ncio import write_netcdf
from interphase.pipeline import clean_measurement, step
from interphase.provenance import sha256_json

with step(snakemake.log[0], snakemake.wildcards.measurement, "clean"):  # noqa: F821
    clean = clean_measurement(
        snakemake.params.raw, snakemake.params.measurement, snakemake.params.sample,  # noqa: F821
        rule=snakemake.rule, config_sha256=sha256_json(snakemake.config),  # noqa: F821
        reader_options=dict(snakemake.params.reader_options),  # noqa: F821
    )
    write_netcdf(clean, snakemake.output[0])  # noqa: F821
