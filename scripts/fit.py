"""Rules <technique>_fit: analyse one clean dataset into results/fits/{measurement}.nc."""

from interphase.ncio import read_netcdf, write_netcdf
from interphase.pipeline import fit_measurement, step
from interphase.provenance import sha256_json

with step(snakemake.log[0], snakemake.wildcards.measurement, "fit"):  # noqa: F821
    fit = fit_measurement(
        read_netcdf(snakemake.input[0]), dict(snakemake.params.analysis),  # noqa: F821
        rule=snakemake.rule, config_sha256=sha256_json(snakemake.config),  # noqa: F821
    )
    write_netcdf(fit, snakemake.output[0])  # noqa: F821
