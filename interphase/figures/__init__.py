"""Figures: one style module (:mod:`interphase.figures.style`), one module a figure family."""

from __future__ import annotations


import importlib
from pathlib import Path


def draw(plot: str, fit_paths: list[str], stem: Path, config_sha256: str = "") -> list[Path]:
    """Draw the figure ``plot`` ('module:function') from fit files, with provenance metadata."""
    from interphase import __version__
    from interphase.ncio import read_netcdf
    from interphase.provenance import git_commit, sha256_file

    module_name, function_name = plot.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    fits = [read_netcdf(p) for p in fit_paths]
    metadata = {
        "Title": stem.name,
        "interphase_version": __version__,
        "git_commit": git_commit(),
        "config_sha256": config_sha256,
        "sources": " ".join(f"{Path(p).name}:sha256:{sha256_file(p)}" for p in fit_paths),
    }
    return function(fits, stem, metadata)


def draw_overview(summary_csv: str | Path, stem: Path, config_sha256: str = "") -> list[Path]:
    """Draw the overview figure from summary.csv, with provenance metadata."""
    import pandas as pd

    from interphase import __version__
    from interphase.figures.overview import overview
    from interphase.provenance import git_commit, sha256_file

    frame = pd.read_csv(summary_csv, keep_default_na=False, na_values=[""])
    metadata = {
        "Title": stem.name,
        "interphase_version": __version__,
        "git_commit": git_commit(),
        "config_sha256": config_sha256,
        "sources": f"{Path(summary_csv).name}:sha256:{sha256_file(summary_csv)}",
    }
    return overview(frame, stem, metadata)


def draw_one(plot: str, fit_path: str, stem: Path, config_sha256: str = "") -> list[Path]:
    """Draw a one-measurement figure ``plot`` ('module:function') from one fit file."""
    from interphase import __version__
    from interphase.ncio import read_netcdf
    from interphase.provenance import git_commit, sha256_file

    module_name, function_name = plot.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    metadata = {
        "Title": stem.name,
        "interphase_version": __version__,
        "git_commit": git_commit(),
        "config_sha256": config_sha256,
        "sources": f"{Path(fit_path).name}:sha256:{sha256_file(fit_path)}",
    }
    return function(read_netcdf(fit_path), stem, metadata)
