"""Checksums, code version and CF history lines: where every number came from."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from interphase import __version__

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """The sha256 hex digest of one file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_path(path: str | Path) -> str:
    """The sha256 of a file, or of a folder as the digest of its sorted '<name> <sha256>' lines."""
    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    lines = [
        f"{p.relative_to(path).as_posix()} {sha256_file(p)}"
        for p in sorted(path.rglob("*"))
        if p.is_file()
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def sha256_json(value) -> str:
    """A stable sha256 of a JSON-serialisable value (keys sorted)."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The git commit of the checkout holding this package, '+dirty' if modified; '' if unknown."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return commit + ("+dirty" if dirty else "")


def now_iso() -> str:
    """The current UTC time in ISO 8601, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def history_line(step: str, params: dict | None = None) -> str:
    """One CF ``history`` line: time, step, package version, git commit and parameter hash."""
    line = f"{now_iso()} {step} (interphase {__version__}, git {git_commit() or 'unknown'})"
    if params:
        line += f" params sha256:{sha256_json(params)[:16]}"
    return line


def append_history(attrs: dict, step: str, params: dict | None = None) -> dict:
    """Return ``attrs`` with a new history line appended (CF: oldest first, one per line)."""
    out = dict(attrs)
    previous = str(out.get("history", "")).strip()
    line = history_line(step, params)
    out["history"] = f"{previous}\n{line}" if previous else line
    return out


def source_provenance(path: str | Path, reader: str, reader_version: str) -> dict:
    """The provenance attributes of a clean dataset read from ``path``."""
    return {
        "source_file": Path(path).name,
        "source_sha256": sha256_path(path),
        "reader": reader,
        "reader_version": reader_version,
        "interphase_version": __version__,
        "git_commit": git_commit(),
    }


def file_role(path: str | Path) -> str:
    """The role of a file in the manifest, from where it lives under results/."""
    parts = Path(path).parts
    if "results" not in parts:
        return "raw input"
    sub = parts[parts.index("results") + 1] if len(parts) > parts.index("results") + 1 else ""
    return {"clean": "clean", "fits": "fit", "summary": "summary", "figures": "figure", "provenance": "provenance"}.get(sub, sub or "output")


MANIFEST_COLUMNS = ("path", "sha256", "bytes", "role", "rule", "inputs", "parameters")


def manifest_text(
    raw: list[str], outputs: list[str], made_by: dict[str, dict] | None = None, known: dict[str, str] | None = None
) -> str:
    """The manifest, tab-separated: every file's sha256, size and role; for each output the
    rule that made it, its inputs with their sha256 (``path=sha256``, ``;``-separated) and
    the rule's parameters (JSON). ``known`` holds checksums the jobs recorded when they read
    or wrote a file; the others are computed here."""
    made_by = made_by or {}
    checksums: dict[str, str] = dict(known or {})

    def checksum(path: str) -> str:
        if path not in checksums:
            checksums[path] = sha256_file(path)
        return checksums[path]

    lines = ["\t".join(MANIFEST_COLUMNS)]
    for path in sorted(set(raw)) + sorted(set(outputs)):
        record = made_by.get(path, {})
        inputs = ";".join(f"{p}={checksum(p)}" for p in record.get("inputs", []))
        parameters = json.dumps(record["params"], sort_keys=True, default=str) if record.get("params") else ""
        lines.append("\t".join([
            path, checksum(path), str(Path(path).stat().st_size), file_role(path), record.get("rule", ""), inputs, parameters,
        ]))
    return "\n".join(lines) + "\n"


def write_manifest(
    raw: list[str], outputs: list[str], target: str | Path, made_by: dict[str, dict] | None = None,
    known: dict[str, str] | None = None,
) -> None:
    """Write the checksum manifest of the raw inputs and outputs."""
    from interphase.ncio import write_text

    write_text(manifest_text(list(raw), list(outputs), made_by, known), target)


def imported_packages() -> dict[str, str]:
    """The distributions (name -> version) of every top-level module imported in this process."""
    import sys
    from importlib import metadata

    owners = metadata.packages_distributions()
    versions: dict[str, str] = {}
    for module in list(sys.modules):
        top = module.partition(".")[0]
        for distribution in owners.get(top, []):
            if distribution not in versions:
                try:
                    versions[distribution] = metadata.version(distribution)
                except metadata.PackageNotFoundError:
                    continue
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def job_software_record(step: str) -> dict:
    """What one job ran with: Python, platform, interphase version, commit, imported packages."""
    import platform

    return {
        "step": step,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "interphase": __version__,
        "git_commit": git_commit(),
        "packages": imported_packages(),
    }


def software_versions(job_records: list[dict]) -> dict:
    """The software of a run: every package any job imported, with its version(s)."""
    import platform

    packages: dict[str, set[str]] = {}
    for record in job_records:
        for name, version in record.get("packages", {}).items():
            packages.setdefault(name, set()).add(version)
    commit = git_commit()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "interphase": __version__,
        "git_commit": commit.removesuffix("+dirty"),
        "git_dirty": commit.endswith("+dirty"),
        "jobs_recorded": len(job_records),
        "packages": {name: sorted(versions)[0] if len(versions) == 1 else sorted(versions) for name, versions in sorted(packages.items(), key=lambda i: i[0].lower())},
    }


def write_software(records: list[dict], target: str | Path) -> None:
    """Write software_versions() of the jobs' software records as JSON."""
    from interphase.ncio import write_text

    write_text(json.dumps(software_versions(records), indent=2, sort_keys=True) + "\n", target)


def run_start_time(logs: str | Path = "results/logs") -> str:
    """When the run began: the earliest modification time of a job log (ISO 8601, UTC)."""
    times = [p.stat().st_mtime for p in Path(logs).rglob("*.log")]
    if not times:
        return now_iso()
    return datetime.fromtimestamp(min(times), timezone.utc).replace(microsecond=0).isoformat()


def write_crate_of_run(manifest: str | Path, snakefile: Path, config_file: Path | None, target: str | Path) -> None:
    """Write the Workflow Run RO-Crate of the run described by ``manifest``."""
    import csv

    from interphase.crate import build_crate, write_crate

    with open(manifest, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    target = Path(target)
    workdir = Path.cwd()
    crate = build_crate(rows, target.parent.resolve(), workdir, Path(snakefile).resolve(),
                        Path(config_file).resolve() if config_file else None, run_start_time(), now_iso(), git_commit())
    write_crate(crate, target)
