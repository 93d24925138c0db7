"""Per-measurement figure rules: draw one figure from one fit file."""

from pathlib import Path

from interphase.figures import draw_one
from interphase.pipeline import step
from interphase.provenance import sha256_json

with step(snakemake.log[0], None, "figure"):  # noqa: F821
    draw_one(snakemake.params.plot, snakemake.input[0], Path(snakemake.output.pdf).with_suffix(""), sha256_json(snakemake.config))  # noqa: F821
