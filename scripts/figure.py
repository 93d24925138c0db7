"""Comparison-figure rules: draw one figure family from the fits of a technique."""

from pathlib import Path

from interphase.figures import draw
from interphase.pipeline import step

with step(snakemake.log[0], None, "figure"):  # noqa: F821
    draw(snakemake.params.plot, snakemake.input, Path(snakemake.output.pdf).with_suffix(""))  # noqa: F821
