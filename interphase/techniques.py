"""Which module analyses which technique: each has ``analyse(clean, params)`` and ``rows(fit)``."""

from __future__ import annotations

import importlib
from types import ModuleType

ANALYSIS_MODULES = {
    "eis": "interphase.eis.analysis",
    "cv": "interphase.cv.analysis",
    "xrd": "interphase.xrd.analysis",
    "edx_line": "interphase.edx.analysis",
    "eels_line": "interphase.eels.analysis",
}

# The config section holding each technique's parameters.
CONFIG_SECTION = {
    "eis": "eis",
    "cv": "cv",
    "xrd": "xrd",
    "edx_line": "edx",
    "eels_line": "eels",
}


def analysis_module(technique: str) -> ModuleType:
    """The module that analyses ``technique`` (imported on demand: heavy imports stay local)."""
    return importlib.import_module(ANALYSIS_MODULES[technique])
