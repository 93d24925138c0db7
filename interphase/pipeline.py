"""The workflow's steps as plain functions: what the jobs (interphase.jobs) call.

raw file --clean_measurement--> clean dataset --fit_measurement--> fit dataset
--summary_rows--> rows of summary.csv.  A measurement whose clean or fit job failed on bad
input gets a ``failed`` row with the reason (the failed job's log holds it, see
``interphase.jobs.failure_in_log``).
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import xarray as xr

from interphase import datasets, readers, reference, summary
from interphase.errors import InterphaseError
from interphase.provenance import append_history, source_provenance
from interphase.techniques import analysis_module

log = logging.getLogger("interphase")

# Electrode areas differing by more than this fraction between file and samples.tsv are flagged.
AREA_TOLERANCE = 0.01

def clean_measurement(
    raw_path: str | Path,
    measurement: dict,
    sample: dict,
    *,
    rule: str = "clean",
    config_sha256: str = "",
    reader_options: dict | None = None,
) -> xr.Dataset:
    """Read a raw file into the technique's clean layout with sample metadata and provenance."""
    raw_path = Path(raw_path)
    technique = measurement["technique"]
    fmt = measurement.get("format") or None
    ds = readers.read(raw_path, technique, fmt, reader_options, declared=True)
    provenance = source_provenance(raw_path, ds.attrs["reader"], ds.attrs["reader_version"])
    ds = datasets.attach_sample_and_provenance(
        ds, technique=technique, measurement=measurement["measurement"], sample=sample, provenance=provenance
    )
    ds = _apply_sheet_values(ds, measurement)
    ds.attrs.update(datasets.clean_status(ds.attrs, _area_check(ds, raw_path)))  # + reader's note
    ds.attrs["source"] = f"{ds.attrs['source_file']} sha256:{ds.attrs['source_sha256']}"
    ds.attrs["config_sha256"] = config_sha256
    ds.attrs = append_history(
        ds.attrs,
        f"rule {rule}: read {raw_path.name} with {ds.attrs['reader']} {ds.attrs['reader_version']}",
        {"measurement": measurement, "sample": sample},
    )
    datasets.validate(ds, technique, clean=True)
    return ds


def _apply_sheet_values(ds: xr.Dataset, measurement: dict) -> xr.Dataset:
    """measurements.tsv's potential_V, scan_rate_mV_s and reference_electrode override the file."""
    if measurement["technique"] == "eis" and "potential_V" in measurement:
        ds.attrs["dc_potential_V"] = float(measurement["potential_V"])
        ds.attrs["dc_potential_source"] = "measurements.tsv"
    if measurement["technique"] == "cv" and "scan_rate_mV_s" in measurement:
        ds.attrs["scan_rate_V_s"] = float(measurement["scan_rate_mV_s"]) / 1000.0
        ds.attrs["scan_rate_source"] = "measurements.tsv"
    ds.attrs.update(reference.clean_attrs(ds.attrs, measurement))
    if "sweep" in measurement:  # which sweep of a multi-sweep file fit_measurement analyses
        ds.attrs["sweep_requested"] = str(measurement["sweep"])
    return ds


def _area_check(ds: xr.Dataset, raw_path: Path) -> dict:
    """Flag a clean dataset whose file states an electrode area > 1 % off samples.tsv's."""
    in_file = ds.attrs.get("area_in_file_cm2")
    if datasets.is_missing(in_file):
        return {}
    sheet = float(ds.attrs["electrode_area_cm2"])
    if abs(float(in_file) - sheet) > AREA_TOLERANCE * sheet:
        note = (
            f"electrode area in {raw_path.name} ({float(in_file):g} cm2) differs from samples.tsv "
            f"({sheet:g} cm2) by more than {AREA_TOLERANCE:.0%}; samples.tsv's is used"
        )
        log.warning(note)
        return {"clean_status": "flagged", "clean_status_note": note}
    return {}


def fit_measurement(clean: xr.Dataset, params: dict, *, rule: str = "fit", config_sha256: str = "") -> xr.Dataset:
    """Run the technique's analysis, carry a flagged clean status into it, record history."""
    technique = clean.attrs["technique"]
    clean, _ = datasets.select_sweep(clean)  # the analyses see one sweep of a multi-sweep file
    fit = analysis_module(technique).analyse(clean, params)
    attrs = {**fit.attrs, **datasets.sweep_attrs(clean)}
    for row in analysis_module(technique).rows(fit):  # a failed number is named in the job's log
        if row["status"] == "failed":
            log.warning("%s %s failed: %s", clean.attrs.get("measurement"), row["quantity"], row["note"])
    if attrs.get("clean_status") == "flagged" and attrs.get("status") == "ok":
        attrs["status"] = "flagged"
        attrs["status_note"] = attrs.get("clean_status_note", "")
    attrs["analysis_parameters"] = json.dumps(params, sort_keys=True, default=str)
    attrs["config_sha256"] = config_sha256
    fit.attrs = append_history(attrs, f"rule {rule}: {technique} analysis", params)
    return fit


def summary_rows(fit: xr.Dataset) -> list[dict]:
    """The summary rows of one fit, identified, with a flagged clean status carried into its numbers."""
    rows = analysis_module(fit.attrs["technique"]).rows(fit)
    sweep = fit.attrs.get("sweep_note", "")  # which sweep of how many, on every row
    rows = [{**r, "note": "; ".join(n for n in (r["note"], sweep) if n)} for r in rows]
    if fit.attrs.get("clean_status") == "flagged":
        note = fit.attrs.get("clean_status_note", "")
        rows = [
            {**r, "status": "flagged", "note": "; ".join(n for n in (r["note"], note) if n)} if r["status"] != "failed" else r
            for r in rows
        ]
    return summary.complete(rows, fit.attrs)


def build_summary(
    fit_paths: dict[str, Path | None], measurements: dict[str, dict], samples: dict[str, dict],
    failures: dict[str, str] | None = None,
):
    """The summary DataFrame: rows of every fit present, a failed row for every one missing.

    ``failures`` maps a measurement to why its clean or fit job failed in this run; it wins
    over a fit file left over from an earlier run."""
    from interphase.ncio import read_netcdf

    failures = failures or {}
    rows: list[dict] = []
    cv_fits: dict[str, list[xr.Dataset]] = {}
    lines: dict[tuple[str, str], list[xr.Dataset]] = {}
    for measurement, row in measurements.items():
        path = fit_paths.get(measurement)
        if measurement in failures:
            reason = failures[measurement]
        elif path is not None and Path(path).is_file():
            fit = read_netcdf(path)
            rows.extend(summary_rows(fit))
            if row["technique"] == "cv":
                cv_fits.setdefault(row["sample"], []).append(fit)
            if row["technique"] in ("edx_line", "eels_line"):
                lines.setdefault((row["sample"], row["technique"]), []).append(fit)
            continue
        else:
            reason = "no fit was produced (the job did not complete; see results/logs/)"
        rows.append(summary.failed_row(row, samples[row["sample"]], reason))
    rows.extend(scan_rate_rows(cv_fits))
    rows.extend(registration_rows(lines))
    return summary.to_frame(reference.mark_references(rows))


def registration_rows(lines: dict[tuple[str, str], list[xr.Dataset]]) -> list[dict]:
    """Per sample with one EDX and one EELS line: the EELS interface minus the EDX one (nm).

    Both lines locate the interface the same way (CONTRACT.md), so this offset registers the
    EELS positions on the EDX distance axis (x_edx = x_eels - offset).
    """
    from interphase.eels.registration import register

    rows = []
    for (sample, technique), eels in lines.items():
        edx = lines.get((sample, "edx_line"), [])
        if technique != "eels_line" or len(eels) != 1 or len(edx) != 1:
            continue
        offset = register(eels[0], edx[0])
        note = f"x_edx = x_eels - offset; EELS {eels[0].attrs['measurement']} on EDX {edx[0].attrs['measurement']}"
        status = "ok" if math.isfinite(offset.value) else "failed"
        attrs = {**eels[0].attrs, "technique": "eels_line"}
        rows.extend(summary.complete([summary.row("eels_edx_interface_offset", offset.value, "nm", stderr=offset.stderr,
                                                  status=status, note=note if status == "ok" else "an interface is missing")], attrs))
    return rows


def scan_rate_rows(cv_fits: dict[str, list[xr.Dataset]]) -> list[dict]:
    """The log(j_p)-log(v) slope rows of every sample with CVs at two or more scan rates."""
    from interphase.cv.scan_rate import scan_rate_series

    rows = []
    for sample, fits in cv_fits.items():
        series = scan_rate_series(fits)
        if series:
            attrs = {**fits[0].attrs, "measurement": ", ".join(f.attrs["measurement"] for f in fits)}
            rows.extend(summary.complete(series, attrs))
    return rows


def write_summary(
    fit_paths: dict[str, str | Path], measurements: dict[str, dict], samples: dict[str, dict], csv_path, nc_path,
    failures: dict[str, str] | None = None,
) -> None:
    """Build the summary from the fits present and write summary.csv and summary.nc."""
    from interphase.ncio import write_netcdf
    from interphase.provenance import append_history, git_commit
    from interphase import __version__

    frame = build_summary({m: Path(p) for m, p in fit_paths.items()}, measurements, samples, failures)
    summary.write_csv(frame, csv_path)
    attrs = append_history(
        {
            "Conventions": datasets.CF_CONVENTIONS,
            "title": "interphase summary: one row a headline number",
            "interphase_version": __version__,
            "git_commit": git_commit(),
        },
        "summary",
    )
    write_netcdf(summary.to_dataset(frame, attrs), nc_path)
