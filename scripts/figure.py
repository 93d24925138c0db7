"""Comparison-figure rules: draw one figure family from the fits of a technique."""

from pathlib import Path

from interphase.figures import draw
from interphase.pipeline import step
from interphase.provenance import sha256_json

with step(snakemake.log[0], None, "figure"):  # noqa: F821
    draw(snakemake.params.plot, snakemake.input, Path(snakemake.output.pdf).with_suffix(""), sha256_json(snakemake.config))  # noqa: F821
