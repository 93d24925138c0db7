# Shared by every rule: the validated study, input functions and wildcard constraints.

import os
import re
from pathlib import Path

from snakemake.utils import validate

from interphase.sheets import load_study
from interphase.techniques import CONFIG_SECTION

# Validates config.yaml, samples.tsv and measurements.tsv before any job: an unknown key, a
# wrong type, a duplicate id, an unknown sample or a missing raw file stops the run here,
# with one message naming the file, the line and the column.
STUDY = load_study(config, validate)


wildcard_constraints:
    measurement="[A-Za-z0-9][A-Za-z0-9_.-]*",


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


def fits_of(technique):
    """The fit files of one technique."""
    return [f"results/fits/{m}.nc" for m in STUDY.by_technique(technique)]


def reader_options(measurement):
    """The config values a measurement's reader uses (only they rerun its clean job)."""
    technique = STUDY.measurements[measurement]["technique"]
    if technique == "edx_line":
        return {"k_factors": canonical(config["edx"]["k_factors"]), "sum_axis": config["edx"]["spectrum_image_sum_axis"]}
    if technique == "eels_line":
        return {"sum_axis": config["eels"]["spectrum_image_sum_axis"]}
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


def summary_after_failure():
    """Write the summary of a run in which some jobs failed, marking what failed and why."""
    from interphase.pipeline import write_summary

    fits = {m: Path(f"results/fits/{m}.nc") for m in STUDY.measurements}
    write_summary(fits, STUDY.measurements, STUDY.samples, "results/summary/summary.csv", "results/summary/summary.nc")
    print("interphase: some jobs failed; results/summary/summary.csv marks them 'failed' with the reason.")


FIGURES = {
    "eis": ["eis_nyquist", "eis_rct_vs_potential"],
    "cv": ["cv_overlay"],
    "xrd": ["xrd_stack"],
    "edx_line": ["edx_profiles"],
    "eels_line": ["eels_l3l2_profiles", "eels_method"],
}


def figure_files(technique):
    """The comparison figures (PDF and PNG) of a technique."""
    return [f"results/figures/{name}.{ext}" for name in FIGURES[technique] for ext in ("pdf", "png")]


FIT_RULE = {"eis": "eis_fit", "cv": "cv_fit", "xrd": "xrd_fit", "edx_line": "edx_fit", "eels_line": "eels_fit"}


def provenance_records():
    """For every output of a complete run: the rule that makes it, its inputs and parameters."""
    records = {}
    for m, row in STUDY.measurements.items():
        technique = row["technique"]
        records[f"results/clean/{m}.nc"] = {
            "rule": "clean",
            "inputs": raw_files(m),
            "params": {"measurement": row, "sample": STUDY.sample_of(m), "reader_options": reader_options(m)},
        }
        records[f"results/fits/{m}.nc"] = {
            "rule": FIT_RULE[technique],
            "inputs": [f"results/clean/{m}.nc"],
            "params": technique_params(technique),
        }
    fits = [f"results/fits/{m}.nc" for m in STUDY.measurements]
    for name in ("summary.csv", "summary.nc"):
        records[f"results/summary/{name}"] = {"rule": "summary", "inputs": fits, "params": {}}
    for ext in ("pdf", "png"):
        records[f"results/figures/overview.{ext}"] = {"rule": "overview", "inputs": ["results/summary/summary.csv"], "params": {}}
    for technique in STUDY.techniques():
        for name in FIGURES[technique]:
            for ext in ("pdf", "png"):
                records[f"results/figures/{name}.{ext}"] = {"rule": name, "inputs": fits_of(technique), "params": {}}
    for m in STUDY.by_technique("eis"):
        for ext in ("pdf", "png"):
            records[f"results/figures/eis/{m}.{ext}"] = {"rule": "eis_spectrum_figure", "inputs": [f"results/fits/{m}.nc"], "params": {}}
    return records


def all_outputs(wildcards):
    """Everything a complete run makes."""
    outputs = [f"results/clean/{m}.nc" for m in STUDY.measurements]
    outputs += [f"results/fits/{m}.nc" for m in STUDY.measurements]
    outputs += ["results/summary/summary.csv", "results/summary/summary.nc"]
    outputs += ["results/figures/overview.pdf", "results/figures/overview.png"]
    for technique in STUDY.techniques():
        outputs += figure_files(technique)
    outputs += [f"results/figures/eis/{m}.{ext}" for m in STUDY.by_technique("eis") for ext in ("pdf", "png")]
    outputs += ["results/provenance/manifest.tsv", "results/provenance/software.json"]
    outputs += ["results/provenance/ro-crate-metadata.json"]
    return outputs
