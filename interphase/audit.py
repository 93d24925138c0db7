"""Audit a results folder against its manifest: is every number still what the raw bytes gave?

``python -m interphase audit RESULTS_DIR [--raw RAW_DIR] [--trace FILE]``

The manifest (``results/provenance/manifest.tsv``) records the sha256 of every raw input and
every output, and for each output the rule, inputs and parameters that made it. The audit
recomputes every checksum and reports each file that is missing, changed or unexpected (an
output under results/ the manifest does not list), and whether the code version recorded
in ``software.json`` is the current checkout's. ``--trace FILE`` prints the chain from the
raw files through the rules to one file.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from interphase.provenance import git_commit, sha256_file

# Folders under results/ whose files must all be in the manifest.
AUDITED_FOLDERS = ("clean", "fits", "summary", "figures")


@dataclass(frozen=True)
class Finding:
    """The audit's verdict on one file."""

    path: str
    role: str
    state: str  # ok, changed, missing, unexpected
    detail: str = ""


def read_manifest(results_dir: Path) -> list[dict]:
    """The rows of results/provenance/manifest.tsv."""
    path = results_dir / "provenance" / "manifest.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def raw_root(rows: list[dict]) -> str:
    """The common folder of the raw inputs as recorded (the run's raw_dir, or a subfolder)."""
    raw = [row["path"] for row in rows if row["role"] == "raw input"]
    return os.path.commonpath([str(Path(p).parent) for p in raw]) if raw else ""


def locate(row: dict, workdir: Path, raw_dir: Path | None, root: str) -> Path:
    """Where a manifest entry is now: under the working folder, or under --raw for raw inputs."""
    if raw_dir is not None and row["role"] == "raw input":
        return raw_dir / Path(row["path"]).relative_to(root)
    return workdir / row["path"]


def audit(results_dir: str | Path, raw_dir: str | Path | None = None) -> tuple[list[Finding], dict]:
    """Every manifest entry checked, plus unexpected outputs; and the code-version comparison."""
    results_dir = Path(results_dir).resolve()
    workdir = results_dir.parent
    rows = read_manifest(results_dir)
    root = raw_root(rows)
    raw_path = Path(raw_dir).resolve() if raw_dir else None
    findings = []
    for row in rows:
        path = locate(row, workdir, raw_path, root)
        if not path.is_file():
            findings.append(Finding(row["path"], row["role"], "missing", str(path)))
        elif sha256_file(path) != row["sha256"]:
            findings.append(
                Finding(
                    row["path"],
                    row["role"],
                    "changed",
                    f"sha256 now {sha256_file(path)[:16]}…, recorded {row['sha256'][:16]}…",
                )
            )
        else:
            findings.append(Finding(row["path"], row["role"], "ok"))
    listed = {row["path"] for row in rows}
    for folder in AUDITED_FOLDERS:
        for path in sorted((results_dir / folder).rglob("*")):
            relative = path.relative_to(workdir).as_posix()
            if path.is_file() and relative not in listed and not path.name.startswith("."):
                findings.append(Finding(relative, "output", "unexpected", "not in the manifest"))
    return findings, code_version(results_dir)


def code_version(results_dir: Path) -> dict:
    """The recorded and current git commits and whether they match."""
    software = results_dir / "provenance" / "software.json"
    recorded = json.loads(software.read_text(encoding="utf-8")) if software.is_file() else {}
    recorded_commit = recorded.get("git_commit", "") + (
        "+dirty" if recorded.get("git_dirty") else ""
    )
    current = git_commit()
    return {
        "recorded": recorded_commit or "unknown",
        "current": current or "unknown",
        "matches": bool(recorded_commit) and recorded_commit == current,
        "interphase": recorded.get("interphase", "unknown"),
    }


def format_table(findings: list[Finding], code: dict, all_rows: bool = False) -> str:
    """The audit as a table: every file not ok (every file with all_rows), then a verdict."""
    shown = [f for f in findings if all_rows or f.state != "ok"]
    lines = []
    if shown:
        width = max(len(f.path) for f in shown)
        lines.append(f"{'state':<10} {'role':<10} {'file':<{width}}  detail")
        lines.extend(f"{f.state:<10} {f.role:<10} {f.path:<{width}}  {f.detail}" for f in shown)
    counts = {
        state: sum(f.state == state for f in findings)
        for state in ("ok", "changed", "missing", "unexpected")
    }
    lines.append(", ".join(f"{n} {state}" for state, n in counts.items()))
    verdict = "matches" if code["matches"] else "DIFFERS from"
    lines.append(
        f"code: recorded {code['recorded']} (interphase {code['interphase']}) {verdict}"
        f" the current checkout {code['current']}"
    )
    return "\n".join(lines)


def trace(results_dir: str | Path, target: str | Path) -> list[str]:
    """The chain from raw files through rules to ``target``, one indented line a file."""
    results_dir = Path(results_dir).resolve()
    workdir = results_dir.parent
    rows = {row["path"]: row for row in read_manifest(results_dir)}
    target = Path(target)
    key = (
        target.resolve().relative_to(workdir) if target.is_absolute() or target.exists() else target
    ).as_posix()
    if key not in rows:
        raise KeyError(f"{key} is not in {results_dir / 'provenance' / 'manifest.tsv'}")
    lines: list[str] = []

    def walk(path: str, depth: int, seen: set[str]) -> None:
        row = rows.get(path, {})
        made = f"rule {row['rule']}" if row.get("rule") else row.get("role", "?")
        lines.append(f"{'  ' * depth}{path}  [{made}, sha256 {row.get('sha256', '?')[:12]}]")
        inputs = [item.rsplit("=", 1)[0] for item in row.get("inputs", "").split(";") if item]
        for child in inputs:
            if child in seen:
                lines.append(f"{'  ' * (depth + 1)}{child}  (see above)")
                continue
            seen.add(child)
            walk(child, depth + 1, seen)

    walk(key, 0, {key})
    return lines


def raw_files_of(results_dir: str | Path, target: str | Path) -> list[str]:
    """The raw inputs ``target`` depends on, from the manifest's chain."""
    rows = {row["path"]: row for row in read_manifest(Path(results_dir).resolve())}
    found: set[str] = set()
    stack = [Path(target).as_posix()]
    while stack:
        row = rows.get(stack.pop(), {})
        if row.get("role") == "raw input":
            found.add(row["path"])
        stack.extend(item.rsplit("=", 1)[0] for item in row.get("inputs", "").split(";") if item)
    return sorted(found)


def main(results_dir: Path, raw_dir: Path | None, trace_file: Path | None, show_all: bool) -> int:
    """The audit command: print the table (or the trace); 0 only when everything matches."""
    if trace_file is not None:
        print("\n".join(trace(results_dir, trace_file)))
        return 0
    findings, code = audit(results_dir, raw_dir)
    print(format_table(findings, code, show_all))
    return 0 if code["matches"] and all(f.state == "ok" for f in findings) else 1
