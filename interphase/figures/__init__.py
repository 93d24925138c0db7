"""Figures: one style module (:mod:`interphase.figures.style`), one module a figure family."""

from __future__ import annotations


import importlib
from pathlib import Path


def draw(plot: str, fit_paths: list[str], stem: Path) -> list[Path]:
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
        "sources": " ".join(f"{Path(p).name}:sha256:{sha256_file(p)}" for p in fit_paths),
    }
    return function(fits, stem, metadata)
