"""Figures: one style module (:mod:`interphase.figures.style`), one module a figure family.

The functions here are what the figure rules' scripts call: they load the inputs, attach the
provenance every figure carries (PNG text chunks, PDF info) and hand over to the plot.
"""

from __future__ import annotations

import importlib
from pathlib import Path


def provenance_metadata(stem: Path, inputs: list[str | Path], config_sha256: str) -> dict:
    """What a figure carries about its origin: version, commit, config hash, input checksums."""
    from interphase import __version__
    from interphase.provenance import git_commit, sha256_file

    return {
        "Title": stem.name,
        "interphase_version": __version__,
        "git_commit": git_commit(),
        "config_sha256": config_sha256,
        "sources": " ".join(f"{Path(p).name}:sha256:{sha256_file(p)}" for p in inputs),
    }


def plot_function(plot: str):
    """The plotting function named 'module:function'."""
    module_name, function_name = plot.split(":")
    return getattr(importlib.import_module(module_name), function_name)


def draw(plot: str, fit_paths: list[str], stem: Path, config_sha256: str = "") -> list[Path]:
    """Draw the comparison figure ``plot`` from the fit files of a technique."""
    from interphase.ncio import read_netcdf

    fits = [read_netcdf(p) for p in fit_paths]
    return plot_function(plot)(fits, stem, provenance_metadata(stem, list(fit_paths), config_sha256))


def draw_one(plot: str, fit_path: str, stem: Path, config_sha256: str = "") -> list[Path]:
    """Draw a one-measurement figure ``plot`` from one fit file."""
    from interphase.ncio import read_netcdf

    return plot_function(plot)(read_netcdf(fit_path), stem, provenance_metadata(stem, [fit_path], config_sha256))


def draw_overview(summary_csv: str | Path, stem: Path, config_sha256: str = "") -> list[Path]:
    """Draw the overview figure from summary.csv."""
    import pandas as pd

    from interphase.figures.overview import overview

    frame = pd.read_csv(summary_csv, keep_default_na=False, na_values=[""])
    return overview(frame, stem, provenance_metadata(stem, [summary_csv], config_sha256))
