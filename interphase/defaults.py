"""The defaults of every config section, read from the config schema (the one place they live).

Analyses fill in their parameters from here; :mod:`interphase.sheets` validates against the
same schema. This module sits at the bottom of the package: it imports nothing of interphase,
so an analysis that needs its defaults does not depend on the sheet loader.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

SCHEMAS = Path(__file__).resolve().parent / "schemas"
CONFIG_SCHEMA = SCHEMAS / "config.schema.yaml"
SAMPLES_SCHEMA = SCHEMAS / "samples.schema.yaml"
MEASUREMENTS_SCHEMA = SCHEMAS / "measurements.schema.yaml"


@cache
def schema_sections() -> dict:
    """The config schema's technique sections, read once."""
    import yaml

    schema = yaml.safe_load(CONFIG_SCHEMA.read_text(encoding="utf-8"))
    return {
        name: spec for name, spec in schema["properties"].items() if spec.get("type") == "object"
    }


def schema_defaults(section: str) -> dict:
    """The defaults of one config section, straight from the schema."""
    properties = schema_sections()[section].get("properties", {})
    return {
        key: copy.deepcopy(spec["default"]) for key, spec in properties.items() if "default" in spec
    }
