# Shared by every rule: the validated study, the output paths (each spelled once, here), input
# functions, how a job is run, and the table of the rules each technique adds (filled in by the
# technique's own rules file). Everything else (final targets, the provenance records) is
# derived from the rules themselves.

import os
import re
import shlex
import tempfile
from dataclasses import dataclass, field

from snakemake.utils import validate

from interphase import jobs
from interphase.provenance import sha256_json
from interphase.sheets import MEASUREMENTS_SCHEMA, SAMPLES_SCHEMA, load_study
from interphase.techniques import CONFIG_SECTION


def sheet_row_validator():
    """snakemake.utils.validate, with the sheets' row schemas (no defaults to fill in) compiled
    once: validate reads and compiles its schema at every call, ~30 ms, once a sheet row."""
    import jsonschema
    import yaml

    compiled = {str(s): jsonschema.Draft202012Validator(yaml.safe_load(s.read_text())) for s in (SAMPLES_SCHEMA, MEASUREMENTS_SCHEMA)}

    def validate_row_or_config(data, schema):
        if str(schema) in compiled:
            compiled[str(schema)].validate(data)  # a ValidationError names the column, as validate's does
        else:
            validate(data, schema)

    return validate_row_or_config


# Validates config.yaml, samples.tsv and measurements.tsv before any job: an unknown key, a
# wrong type, a duplicate id, an unknown sample or a missing raw file stops the run here,
# with one message naming the file, the line and the column.
STUDY = load_study(config, sheet_row_validator())
CONFIG_SHA256 = sha256_json(config)

# The outputs of CONTRACT.md §3, and where each job leaves its log and its record.
CLEAN = "results/clean/{measurement}.nc"
FIT = "results/fits/{measurement}.nc"
FIGURE = "results/figures/{name}"
LOG = "results/logs/{name}.log"
RECORD = "results/provenance/jobs/{name}.json"


wildcard_constraints:
    measurement="[A-Za-z0-9][A-Za-z0-9_.-]*",


def figure(name, caption, category, **report_options):
    """The PDF and PNG of a figure: named outputs pdf and png (the PNG goes into the report)."""
    stem = FIGURE.format(name=name)
    return {"pdf": f"{stem}.pdf", "png": report(f"{stem}.png", caption=caption, category=category, **report_options)}


def job_files(rule_name, per_measurement=True):
    """The log and record paths of a rule's jobs (one a measurement, or one for the rule)."""
    name = f"{rule_name}/{{measurement}}" if per_measurement else rule_name
    return {"log": LOG.format(name=name), "record": RECORD.format(name=name)}


def memory(mb):
    """mem_mb of a rule: its estimate, doubled at each retry (a job killed over memory)."""
    return lambda wildcards, attempt: mb * attempt


def technique_pattern(technique):
    """A regex matching exactly the measurement ids of one technique (never matches if none)."""
    ids = STUDY.by_technique(technique)
    return "|".join(re.escape(m) for m in ids) if ids else "(?!)"


def raw_files(measurement):
    """The raw file of a measurement, or every file of its folder (so a changed file reruns it)."""
    path = STUDY.raw_path(measurement)
    if path.is_dir():
        return sorted(str(p) for p in path.rglob("*") if p.is_file())
    return [str(path)]


def raw_inputs(wildcards):
    """Input function: the raw files of the job's measurement."""
    return raw_files(wildcards.measurement)


def reader_options(measurement):
    """The config values a measurement's reader uses (only they rerun its clean job)."""
    technique = STUDY.measurements[measurement]["technique"]
    if technique in ("edx_line", "eels_line"):
        return {"sum_axis": config[CONFIG_SECTION[technique]]["spectrum_image_sum_axis"]}
    return {}


def technique_params(technique):
    """The config section of a technique (defaults filled in), keys sorted: reordering
    keys in config.yaml changes nothing, so it reruns nothing."""
    return canonical(config[CONFIG_SECTION[technique]])


def canonical(value):
    """A copy of a config value with every mapping's keys in sorted order."""
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    return value


@dataclass
class TechniqueRules:
    """The rules a technique adds: its fit, its per-measurement figures, its comparison figures."""

    fit: object
    per_measurement: list = field(default_factory=list)
    comparison: list = field(default_factory=list)


TECHNIQUE_RULES = {}  # technique -> TechniqueRules, set at the end of each technique's rules file


def fits_of(technique):
    """The fit files of one technique."""
    return expand(FIT, measurement=STUDY.by_technique(technique))


def jobs_of_a_complete_run():
    """Every job of a complete run but the provenance job, as (rule, wildcards)."""
    for m, row in STUDY.measurements.items():
        made = TECHNIQUE_RULES[row["technique"]]
        for rule_ in (rules.clean, made.fit, *made.per_measurement):
            yield rule_, {"measurement": m}
    for technique in STUDY.techniques():
        for rule_ in TECHNIQUE_RULES[technique].comparison:
            yield rule_, {}
    yield rules.summary, {}
    yield rules.overview, {}


def job_records(wildcards):
    """Input function of the provenance rule: the record of every job of a complete run."""
    return [expand(rule_.output.record, **wildcards_)[0] for rule_, wildcards_ in jobs_of_a_complete_run()]


def execute(function, rule_name, input, output, params, wildcards, log, conda_env):
    """Run a job: in this process (a thread of Snakemake's), or, under --use-conda, in a new
    Python of the rule's conda environment (`shell` activates it)."""
    job = jobs.Job(
        rule_name,
        input={k: [str(v)] if isinstance(v, str) else [str(x) for x in v] for k, v in input.items()},
        output={k: str(v) for k, v in output.items()},
        params=dict(params.items()),
        wildcards=dict(wildcards.items()),
        log=str(log[0]),
        config_sha256=CONFIG_SHA256,
    )
    if not conda_env:
        function(job)
        return
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix=".interphase-job-", dir=".") as spec:
        spec.write(job.to_json())
        spec.flush()
        name, path = function.__name__, spec.name
        shell("python -m interphase.jobs {name} {path:q}")


def summary_after_failure():
    """Write the summary of a run in which some jobs failed, marking what failed and why (the
    reason from the failed job's log)."""
    from interphase.pipeline import write_summary

    failures = {}
    for m in STUDY.measurements:
        reasons = [jobs.failure_in_log(LOG.format(name=f"{step}/{m}")) for step in ("clean", "fit")]
        if any(reasons):
            failures[m] = next(r for r in reasons if r)
    fits = dict(zip(STUDY.measurements, expand(FIT, measurement=list(STUDY.measurements))))
    summary = rules.summary.output
    write_summary(fits, STUDY.measurements, STUDY.samples, summary.csv, summary.nc, failures)
    print("interphase: some jobs failed; results/summary/summary.csv marks them 'failed' with the reason.")
