"""Per-measurement figure rules: draw one figure from one fit file."""

from pathlib import Path

from interphase.figures import draw_one
from interphase.pipeline import step

with step(snakemake.log[0], None, "figure"):  # noqa: F821
    draw_one(snakemake.params.plot, snakemake.input[0], Path(snakemake.output.pdf).with_suffix(""))  # noqa: F821
