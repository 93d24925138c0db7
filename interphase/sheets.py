"""The configuration and the two sample sheets: loaded, validated, defaults filled in.

Validation runs through ``snakemake.utils.validate`` against the JSON schemas in
``interphase/schemas/`` (the caller passes the function in, so this module imports no
Snakemake and stays testable), then the checks a schema cannot express: unique ids,
every measurement's sample in samples.tsv, every raw file present, every format known.
Every problem is one :class:`~interphase.errors.ConfigError` naming the file, the line
and the column (or the config key).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from interphase.defaults import CONFIG_SCHEMA, MEASUREMENTS_SCHEMA, SAMPLES_SCHEMA, SCHEMAS, schema_defaults  # noqa: F401 (re-exported)
from interphase.errors import ConfigError
from interphase.reference import CONFIG_KEY, DEFAULT_REFERENCE, ELECTROCHEMICAL


# Columns read as numbers; every other column stays text.
NUMERIC_COLUMNS = {"sintering_temperature_C", "electrode_area_cm2", "potential_V", "scan_rate_mV_s"}
# Columns read as a whole number where the cell is one, else kept as text ('first', 'last').
INTEGER_OR_TEXT_COLUMNS = {"sweep"}


@dataclass(frozen=True)
class Study:
    """A validated study: config with defaults, samples and measurements by id (sheet order)."""

    config: dict
    samples: dict[str, dict]
    measurements: dict[str, dict]

    def raw_path(self, measurement: str) -> Path:
        """The raw file or folder of a measurement (relative to the working directory)."""
        return Path(self.config["raw_dir"]) / self.measurements[measurement]["file"]

    def low_loss_path(self, measurement: str) -> Path | None:
        """The low-loss EELS file or folder of a measurement (``low_loss`` column), or None."""
        low_loss = self.measurements[measurement].get("low_loss")
        return Path(self.config["raw_dir"]) / low_loss if low_loss else None

    def sample_of(self, measurement: str) -> dict:
        """The samples.tsv row of a measurement's sample."""
        return self.samples[self.measurements[measurement]["sample"]]

    def by_technique(self, technique: str) -> list[str]:
        """The measurement ids of one technique, in sheet order."""
        return [m for m, row in self.measurements.items() if row["technique"] == technique]

    def techniques(self) -> list[str]:
        """The techniques present in the study, in a fixed order."""
        from interphase.datasets import TECHNIQUES

        present = {row["technique"] for row in self.measurements.values()}
        return [t for t in TECHNIQUES if t in present]


def _schema_message(error: Exception) -> tuple[str, str]:
    """(place, message) of the jsonschema ValidationError carried by Snakemake's WorkflowError."""
    import jsonschema

    found = None
    stack = [error]
    while stack and found is None:
        item = stack.pop()
        if isinstance(item, jsonschema.exceptions.ValidationError):
            found = item
            break
        stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
        stack.extend(e for e in (item.__cause__, item.__context__) if e is not None)
    if found is None:
        return "", str(error)
    best = jsonschema.exceptions.best_match([found]) or found
    path = ".".join(str(p) for p in best.absolute_path)
    if best.validator == "additionalProperties":
        extra = sorted(set(best.instance) - set(best.schema.get("properties", {})))
        key = ".".join([p for p in [path] if p] + [extra[0]]) if extra else path
        return key, f"no such key (allowed: {', '.join(sorted(best.schema.get('properties', {})))})"
    if best.validator == "required":
        missing = best.message.split("'")[1] if "'" in best.message else best.message
        key = ".".join([p for p in [path] if p] + [missing])
        return key, "a value (the key is required)"
    return path, f"{_describe(best.schema, best.validator)}, found {best.instance!r}"


def _describe(schema: dict, validator: str) -> str:
    """What a schema fragment asks for, in words."""
    if "enum" in schema:
        return f"one of {', '.join(map(str, schema['enum']))}"
    parts = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        parts.append(" or ".join("null" if t == "null" else f"{'an' if t[0] in 'aeiou' else 'a'} {t}" for t in types))
    if "pattern" in schema:
        parts.append(f"matching {schema['pattern']}")
    if "exclusiveMinimum" in schema:
        parts.append(f"> {schema['exclusiveMinimum']}")
    if "minimum" in schema:
        parts.append(f">= {schema['minimum']}")
    if "minLength" in schema:
        parts.append("not empty")
    return " ".join(parts) or f"a value satisfying '{validator}'"


def validate_config(config: dict, validate: Callable, source: str = "config.yaml") -> dict:
    """Validate the config against its schema with defaults filled in; ConfigError names the key."""
    try:
        validate(config, str(CONFIG_SCHEMA))
    except Exception as error:  # WorkflowError wrapping a jsonschema ValidationError
        key, message = _schema_message(error)
        raise ConfigError(source, f"key '{key}'" if key else None, message) from None
    return config


def read_sheet(path: str | Path) -> list[tuple[int, dict]]:
    """The rows of a tab-separated sheet as (line number, {column: value}); empty cells dropped."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(path, None, "a tab-separated sheet", "no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(path, f"byte {error.start}", "UTF-8 text", repr(error.object[error.start:error.start + 4])) from None
    lines = text.splitlines()
    reader = csv.reader(lines, delimiter="\t")
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ConfigError(path, "line 1", "a header row", "an empty file") from None
    if len(header) < 2:
        raise ConfigError(path, "line 1", "tab-separated column names", repr(lines[0] if lines else ""))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells) or cells[0].startswith("#"):
            continue
        if len(cells) > len(header):
            extra = [c for c in cells[len(header):] if c.strip()]
            if extra:
                raise ConfigError(path, f"line {number}", f"{len(header)} tab-separated cells", f"{len(cells)}")
        record = {}
        for column, cell in zip(header, cells):
            cell = cell.strip()
            if cell == "":
                continue
            if column in INTEGER_OR_TEXT_COLUMNS:
                record[column] = int(cell) if cell.isdigit() else cell
            else:
                record[column] = _number_or_text(cell) if column in NUMERIC_COLUMNS else cell
        rows.append((number, record))
    return rows


def _number_or_text(cell: str):
    """A float where the cell is a finite number, else the text (the schema then names it)."""
    try:
        value = float(cell)
    except ValueError:
        return cell
    return value if math.isfinite(value) else cell


def _validate_rows(path: Path, rows: list[tuple[int, dict]], schema: Path, validate: Callable) -> None:
    """Validate every row of a sheet; ConfigError names the line and the column."""
    for number, record in rows:
        try:
            validate(record, str(schema))
        except Exception as error:
            column, message = _schema_message(error)
            if message.startswith("no such key"):
                message = message.replace("no such key", "no such column")
            raise ConfigError(path, f"line {number}, column '{column}'", message) from None


def _unique(path: Path, rows: list[tuple[int, dict]], column: str) -> None:
    """Refuse a repeated id, naming both lines."""
    seen: dict[str, int] = {}
    for number, record in rows:
        value = record[column]
        if value in seen:
            raise ConfigError(
                path, f"line {number}, column '{column}'", "a unique id", f"{value!r} again (first on line {seen[value]})"
            )
        seen[value] = number


def load_study(config: dict, validate: Callable, config_source: str = "config.yaml", check_files: bool = True) -> Study:
    """Validate config and sheets and return the Study; the first problem raises ConfigError."""
    config = validate_config(config, validate, config_source)
    samples_path = Path(config["samples"])
    measurements_path = Path(config["measurements"])
    sample_rows = read_sheet(samples_path)
    measurement_rows = read_sheet(measurements_path)
    if not sample_rows:
        raise ConfigError(samples_path, "line 2", "at least one sample row", "none")
    if not measurement_rows:
        raise ConfigError(measurements_path, "line 2", "at least one measurement row", "none")
    _validate_rows(samples_path, sample_rows, SAMPLES_SCHEMA, validate)
    _validate_rows(measurements_path, measurement_rows, MEASUREMENTS_SCHEMA, validate)
    _unique(samples_path, sample_rows, "sample")
    _unique(measurements_path, measurement_rows, "measurement")
    samples = {record["sample"]: record for _, record in sample_rows}
    raw_dir = Path(config["raw_dir"])
    if check_files and not raw_dir.is_dir():
        raise ConfigError(config_source, "key 'raw_dir'", "an existing folder", f"{str(raw_dir)!r} (no such folder)")
    known_formats = _reader_names()
    for number, record in measurement_rows:
        if record["sample"] not in samples:
            raise ConfigError(
                measurements_path, f"line {number}, column 'sample'", f"a sample of {samples_path.name}", repr(record["sample"])
            )
        fmt = record.get("format", "")
        if fmt and fmt not in known_formats:
            raise ConfigError(
                measurements_path, f"line {number}, column 'format'", f"empty or a reader name ({', '.join(known_formats)})", repr(fmt)
            )
        _check_low_loss(measurements_path, number, record, raw_dir, check_files)
        if check_files and not (raw_dir / record["file"]).exists():
            raise ConfigError(
                measurements_path,
                f"line {number}, column 'file'",
                f"an existing file or folder under raw_dir ({raw_dir})",
                f"{record['file']!r} (no such path)",
            )
    measurements = {record["measurement"]: record for _, record in measurement_rows}
    for record in measurements.values():  # the reference where neither sheet nor file states one
        if record["technique"] in ELECTROCHEMICAL:
            record[CONFIG_KEY] = config.get("reference_electrode", DEFAULT_REFERENCE)
    return Study(config=config, samples=samples, measurements=measurements)


def _check_low_loss(path: Path, number: int, record: dict, raw_dir: Path, check_files: bool) -> None:
    """A ``low_loss`` cell belongs to an eels_line row and names an existing file or folder."""
    low_loss = record.get("low_loss")
    if not low_loss:
        return
    place = f"line {number}, column 'low_loss'"
    if record["technique"] != "eels_line":
        raise ConfigError(path, place, "empty except on eels_line rows", repr(low_loss))
    if check_files and not (raw_dir / low_loss).exists():
        raise ConfigError(
            path, place, f"an existing file or folder under raw_dir ({raw_dir})", f"{low_loss!r} (no such path)"
        )


def _reader_names() -> list[str]:
    """The names accepted in the 'format' column."""
    import importlib

    from interphase.readers import READERS

    names = []
    for module_name in READERS:
        names.append(importlib.import_module(f"interphase.readers.{module_name}").NAME)
    return names


def config_defaults(validate: Callable | None = None) -> dict:
    """Every technique section of the config with its schema defaults (for tests and notebooks)."""
    if validate is None:
        from snakemake.utils import validate
    config = {"samples": "", "measurements": "", "raw_dir": ""}
    validate(config, str(CONFIG_SCHEMA))
    return {key: value for key, value in config.items() if isinstance(value, dict)}
