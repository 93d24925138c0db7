"""Rule overview: the study's conclusion in one figure, drawn from summary.csv."""

from pathlib import Path

from interphase.figures import draw_overview
from interphase.pipeline import step

with step(snakemake.log[0], None, "overview"):  # noqa: F821
    draw_overview(snakemake.input.csv, Path(snakemake.output.pdf).with_suffix(""))  # noqa: F821
