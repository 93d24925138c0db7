"""Scale benchmark of the workflow (issue 19): studies of N samples, timed next to the floor.

    python benchmarks/pipeline_scale.py --samples 3 30 --out benchmarks/results/pipeline_scale.md
    python benchmarks/pipeline_scale.py --samples 30 --repo /tmp/before   # another checkout

For every N a study is built with ``python -m interphase demo DIR --samples N`` (8 measurements
a sample, the demo's instrument mix) and Snakemake is run on it the way CONTRACT.md §1 says
(``-s REPO/Snakefile --directory DIR --configfile DIR/config.yaml --cores 2``, so the workflow
profile profiles/default applies). Measured, in this order:

- dry-run (``-n``) of the fresh study;
- cold run: every job;
- no-op rerun: nothing to do;
- one-file incremental rerun: one value of one EIS file changed (the clean, fit and figure
  jobs of that measurement and the aggregation rerun);
- the floor: the package's own read -> fit -> summary functions called in one Python process
  over the same files (``clean_measurement``, ``fit_measurement``, ``summary_rows``), no
  figures, no files written.

Each is given as wall time and CPU time (user + system of the whole process tree, from
``getrusage(RUSAGE_CHILDREN)``): on a machine shared with other work the CPU time is the
steadier number. Peak memory is the largest sum of the resident sizes of the process tree,
sampled every 0.2 s (psutil). Appends a Markdown table to ``--out``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Timing:
    """One timed command: wall and CPU seconds, peak memory of its process tree, its output."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    output: str
    returncode: int


def tree_rss_mb(pid: int) -> float:
    """The summed resident memory (MB) of a process and all its descendants."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 1e6


def timed(command: list[str], env: dict, cwd: Path | None = None) -> Timing:
    """Run ``command``; its wall time, the CPU time of its process tree and peak tree memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0.0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], tree_rss_mb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, peak[0], output, process.returncode)


def environment(scratch: Path, repo: Path) -> dict:
    """Writable caches, no user profile, the checkout under test first on the path."""
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(scratch / "xdg-cache")
    env["MPLCONFIGDIR"] = str(scratch / "mpl")
    env["PYTHONPATH"] = str(repo)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("SNAKEMAKE_PROFILE", None)
    return env


def build_study(study: Path, samples: int, env: dict) -> int:
    """Write a study of ``samples`` samples with the repository's config; its measurement count."""
    subprocess.run([sys.executable, "-m", "interphase", "demo", str(study / "data/demo"), "--samples", str(samples)],
                   env=env, check=True, capture_output=True)
    shutil.copy2(REPO / "config.yaml", study / "config.yaml")
    return len((study / "data/demo/measurements.tsv").read_text().splitlines()) - 1


def snakemake(repo: Path, study: Path, env: dict, *args: str) -> Timing:
    """One Snakemake run on the study, as CONTRACT.md §1 says a user runs it."""
    command = [sys.executable, "-m", "snakemake", "-s", str(repo / "Snakefile"), "--directory", str(study),
               "--configfile", str(study / "config.yaml"), "--cores", "2", *args]
    done = timed(command, env)
    if done.returncode != 0:
        raise RuntimeError(f"snakemake {' '.join(args)} failed:\n{done.output[-3000:]}")
    return done


def jobs_in(output: str) -> int:
    """The job count of Snakemake's job-stats table (0 when there was nothing to do)."""
    found = re.search(r"^total\s+(\d+)", output, re.M)
    return int(found.group(1)) if found else 0


def change_one_eis_value(study: Path) -> Path:
    """Change one digit of the last data line of the first EIS .mpt file (still a valid file)."""
    path = sorted((study / "data/demo/raw/eis").glob("*.mpt"))[0]
    lines = path.read_bytes().split(b"\n")
    last = max(i for i, line in enumerate(lines) if line.strip())
    digit = re.search(rb"\d\.(\d)", lines[last])
    old = lines[last][digit.start(1)]
    new = ord("1") if old != ord("1") else ord("2")
    lines[last] = lines[last][: digit.start(1)] + bytes([new]) + lines[last][digit.start(1) + 1 :]
    path.write_bytes(b"\n".join(lines))
    return path


FLOOR = r"""
import sys, time, warnings
wall0 = time.perf_counter()
from pathlib import Path
import yaml
from snakemake.utils import validate
from interphase.sheets import load_study
from interphase.pipeline import clean_measurement, fit_measurement, summary_rows
from interphase.techniques import CONFIG_SECTION
warnings.simplefilter("ignore")
config = yaml.safe_load(Path("config.yaml").read_text())
study = load_study(config, validate)
rows = 0
for m, row in study.measurements.items():
    technique = row["technique"]
    try:
        clean = clean_measurement(study.raw_path(m), row, study.sample_of(m))
        fit = fit_measurement(clean, dict(study.config[CONFIG_SECTION[technique]]))
        rows += len(summary_rows(fit))
    except Exception as error:
        print("failed", m, error, file=sys.stderr)
print(f"FLOOR rows={rows} wall={time.perf_counter() - wall0:.2f} cpu={time.process_time():.2f}")
"""


def floor(study: Path, env: dict) -> Timing:
    """The package's own read -> fit -> summary over the study's files, in one process."""
    return timed([sys.executable, "-c", FLOOR], env, cwd=study)


def measure(samples: int, repo: Path, scratch: Path) -> dict:
    """Every number of one study size."""
    study = scratch / f"study-{samples}"
    env = environment(scratch, repo)
    n = build_study(study, samples, environment(scratch, REPO))  # this checkout's demo generator
    result = {"samples": samples, "measurements": n}
    dry = snakemake(repo, study, env, "-n")
    result["jobs"] = jobs_in(dry.output)
    result["dry"] = dry
    result["cold"] = snakemake(repo, study, env)
    result["noop"] = snakemake(repo, study, env)
    changed = change_one_eis_value(study)
    result["changed_file"] = changed.name
    incremental = snakemake(repo, study, env)
    result["incremental"] = incremental
    result["incremental_jobs"] = jobs_in(incremental.output)
    result["floor"] = floor(study, env)
    shutil.rmtree(study, ignore_errors=True)
    return result


def row(result: dict) -> str:
    """One Markdown table row."""
    cold, floor_ = result["cold"], result["floor"]
    return "| " + " | ".join([
        str(result["samples"]), str(result["measurements"]), str(result["jobs"]),
        f"{result['dry'].wall_s:.1f}", f"{cold.wall_s:.0f} / {cold.cpu_s:.0f}", f"{cold.peak_mb / 1000:.2f}",
        f"{result['noop'].wall_s:.1f}",
        f"{result['incremental'].wall_s:.1f} ({result['incremental_jobs']} jobs)",
        f"{floor_.wall_s:.0f} / {floor_.cpu_s:.0f}",
        f"{cold.wall_s / floor_.wall_s:.1f} / {cold.cpu_s / floor_.cpu_s:.1f}",
    ]) + " |"


HEADER = (
    "| samples | measurements | jobs | dry-run s | cold run s (wall / CPU) | peak GB | no-op s "
    "| one EIS file changed s | floor s (wall / CPU) | cold / floor (wall / CPU) |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def machine() -> str:
    """Where and when the numbers were taken."""
    import psutil

    load = os.getloadavg()
    return (f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 1e9:.0f} GB; load average at start {load[0]:.1f}; "
            f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")


def main(argv: list[str] | None = None) -> int:
    """Measure the given study sizes and append the table to --out."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, nargs="+", default=[3, 30])
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose Snakefile and package run")
    parser.add_argument("--label", default="", help="a title for this table (e.g. 'before')")
    parser.add_argument("--out", type=Path, default=None, help="Markdown file to append the table to")
    args = parser.parse_args(argv)
    header = f"### {args.label or args.repo}\n\n{machine()}\n\n{HEADER}"
    print(header, flush=True)
    lines = [header]
    with tempfile.TemporaryDirectory(prefix="pipeline-scale-") as scratch:
        for samples in args.samples:
            result = measure(samples, args.repo.resolve(), Path(scratch))
            lines.append(row(result))
            print(lines[-1], flush=True)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
