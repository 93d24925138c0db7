"""Rule summary: every fit's headline numbers into results/summary/summary.csv and .nc."""

from interphase.pipeline import step, write_summary

with step(snakemake.log[0], None, "summary"):  # noqa: F821
    fits = dict(zip(snakemake.params.measurements, snakemake.input.fits))  # noqa: F821
    write_summary(fits, snakemake.params.measurements, snakemake.params.samples, snakemake.output.csv, snakemake.output.nc)  # noqa: F821
