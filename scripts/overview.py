"""Rule overview: the study's conclusion in one figure, drawn from summary.csv."""

from pathlib import Path

from interphase.figures import draw_overview
from interphase.pipeline import step
from interphase.provenance import sha256_json

with step(snakemake.log[0], None, "overview"):  # noqa: F821
    draw_overview(snakemake.input.csv, Path(snakemake.output.pdf).with_suffix(""), sha256_json(snakemake.config))  # noqa: F821
