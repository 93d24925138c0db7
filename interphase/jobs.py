"""The workflow's jobs: what each rule's ``run:`` block calls, one function a kind of job.

A job is described by a :class:`Job` (its rule, named inputs and outputs, parameters,
wildcards and log) and run inside :func:`step`, which

- logs to the job's own log file (only this job's lines: jobs run side by side in threads of
  one Snakemake process, see profiles/default), and writes no traceback for bad input: the
  one-sentence reason stands in the log, which Snakemake prints for a failed job;
- raises :class:`JobFailed` with that sentence when the input is bad, so that Snakemake marks
  the job failed and deletes its outputs (nothing half-written is left);
- writes the job's record (a declared output, ``record``): rule, inputs, outputs, parameters
  and the software loaded, from which the provenance job builds the manifest.

``python -m interphase.jobs FUNCTION JOB.json`` runs one job in a fresh process: the
workflow does that under ``--use-conda`` so that the job runs in the rule's environment.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from interphase.errors import InterphaseError

log = logging.getLogger("interphase.jobs")

# Figures are drawn with matplotlib's pyplot, whose state is per process: one figure at a time.
FIGURE_LOCK = threading.Lock()
# The line a failed job leaves in its log; the summary of a failed run reads the reason from it.
FAILED = "{step} failed: {reason}"


class JobFailed(Exception):
    """A job stopped on bad input; the message is the one-sentence reason."""


@dataclass(frozen=True)
class Job:
    """One job as Snakemake hands it over, with plain values only (JSON-serialisable)."""

    rule: str
    input: dict[str, list[str]]
    output: dict[str, str]
    params: dict = field(default_factory=dict)
    wildcards: dict[str, str] = field(default_factory=dict)
    log: str = ""
    config_sha256: str = ""  # stamped on outputs; not a parameter (a config change reruns no job by itself)

    def to_json(self) -> str:
        """The job as JSON (for a job run in another process)."""
        return json.dumps(asdict(self), sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str) -> "Job":
        """The job written by :meth:`to_json`."""
        return cls(**json.loads(text))

    @property
    def measurement(self) -> str | None:
        """The measurement of a per-measurement job, else None."""
        return self.wildcards.get("measurement")


class _ThisThread(logging.Filter):
    """Pass only the records of the thread that created the filter (the job's own thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.thread == self.thread


def failure_in_log(log_path: str | Path) -> str | None:
    """The reason a job failed, read from its log; None if the log records no failure."""
    path = Path(log_path)
    if not path.is_file():
        return None
    marker = f" ERROR {log.name}: "
    for line in reversed(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if marker in line:
            return line.split(marker, 1)[1]
    return None


@contextlib.contextmanager
def step(job: Job, name: str):
    """Run one job: log to its log file; on bad input log the reason and raise JobFailed."""
    log_path = Path(job.log)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_ThisThread())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    subject = job.measurement or job.rule
    try:
        yield
    except InterphaseError as error:
        log.error(FAILED.format(step=name, reason=error.message))
        raise JobFailed(f"{subject}: {error.message}") from None
    except BaseException:
        log.error("%s: unexpected error (a bug: please report it with this log)\n%s", name, traceback.format_exc())
        raise
    else:
        if "record" in job.output:
            write_record(job)
    finally:
        root.removeHandler(handler)
        handler.close()


def write_record(job: Job) -> None:
    """The job's record: what it read, made and was given, and the software it ran with."""
    from interphase.ncio import write_text
    from interphase.provenance import job_software_record, sha256_file

    inputs = [p for paths in job.input.values() for p in paths]
    outputs = [p for name, p in job.output.items() if name != "record"]
    record = {
        "rule": job.rule,
        "inputs": inputs,
        "outputs": outputs,
        "params": job.params,
        "software": job_software_record(job.rule),
        # The bytes this job read and wrote: the manifest takes them from here, so that a rerun
        # of one measurement does not checksum the whole study again.
        "checksums": {p: sha256_file(p) for p in inputs + outputs},
    }
    write_text(json.dumps(record, indent=1, sort_keys=True, default=str) + "\n", job.output["record"])


def warn(job: Job, message: str) -> None:
    """A line in the job's log and on Snakemake's console (e.g. a failed row of a fit)."""
    log.warning(message)
    print(f"interphase {job.rule}: {message}", file=sys.stderr, flush=True)


def clean(job: Job) -> None:
    """Rule clean: read one raw file (or folder) into results/clean/{measurement}.nc."""
    from interphase.ncio import write_netcdf
    from interphase.pipeline import clean_measurement

    with step(job, "clean"):
        p = job.params
        ds = clean_measurement(p["raw"], p["measurement"], p["sample"], rule=job.rule,
                               config_sha256=job.config_sha256, reader_options=dict(p["reader_options"]))
        write_netcdf(ds, job.output["nc"])


def fit(job: Job) -> None:
    """Rules <technique>_fit: analyse one clean dataset into results/fits/{measurement}.nc."""
    from interphase.ncio import read_netcdf, write_netcdf
    from interphase.pipeline import fit_measurement, summary_rows

    with step(job, "fit"):
        result = fit_measurement(read_netcdf(job.input["clean"][0]), dict(job.params["analysis"]),
                                 rule=job.rule, config_sha256=job.config_sha256)
        for row in summary_rows(result):
            if row["status"] != "ok":
                what = " ".join(str(row[k]) for k in ("quantity", "element") if row.get(k))
                warn(job, f"{job.measurement}: {what} {row['status']}: {row['note']}")
        write_netcdf(result, job.output["nc"])


def comparison_figure(job: Job) -> None:
    """Comparison-figure rules: one figure family from the fits of a technique."""
    from interphase.figures import draw

    with step(job, "figure"), FIGURE_LOCK:
        draw(job.params["plot"], job.input["fits"], Path(job.output["pdf"]).with_suffix(""), job.config_sha256)


def spectrum_figure(job: Job) -> None:
    """Per-measurement figure rules: one figure from one fit file."""
    from interphase.figures import draw_one

    with step(job, "figure"), FIGURE_LOCK:
        draw_one(job.params["plot"], job.input["fit"][0], Path(job.output["pdf"]).with_suffix(""), job.config_sha256)


def overview(job: Job) -> None:
    """Rule overview: the study's conclusion in one figure, drawn from summary.csv."""
    from interphase.figures import draw_overview

    with step(job, "overview"), FIGURE_LOCK:
        draw_overview(job.input["csv"][0], Path(job.output["pdf"]).with_suffix(""), job.config_sha256)


def summary(job: Job) -> None:
    """Rule summary: every fit's headline numbers into results/summary/summary.csv and .nc."""
    from interphase.pipeline import write_summary

    with step(job, "summary"):
        fits = dict(zip(job.params["measurements"], job.input["fits"]))
        write_summary(fits, job.params["measurements"], job.params["samples"], job.output["csv"], job.output["nc"])


def provenance(job: Job) -> None:
    """Rule provenance: checksum manifest, software used, and the Workflow Run RO-Crate."""
    from interphase.provenance import write_crate_of_run, write_manifest, write_software

    with step(job, "provenance"):
        records = {p: json.loads(Path(p).read_text(encoding="utf-8")) for p in job.input["records"]}
        made_by = {out: r for r in records.values() for out in r["outputs"]}
        known = {path: sha for r in records.values() for path, sha in r.get("checksums", {}).items()}
        write_manifest(job.input["raw"], sorted(made_by), job.output["manifest"], made_by, known)
        write_software([r["software"] for r in records.values()], job.output["software"])
        write_crate_of_run(job.output["manifest"], Path(job.params["snakefile"]), job.params["configfile"] or None,
                           job.output["crate"])


def main(argv: list[str] | None = None) -> int:
    """``python -m interphase.jobs FUNCTION JOB.json``: run one job in this process."""
    argv = sys.argv[1:] if argv is None else argv
    function, job_file = argv
    job = Job.from_json(Path(job_file).read_text(encoding="utf-8"))
    try:
        globals()[function](job)
    except JobFailed as failed:
        print(f"interphase: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
