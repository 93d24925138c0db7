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
    return {"clean": "clean", "fits": "fit", "summary": "summary", "figures": "figure"}.get(sub, sub or "output")


def manifest_text(raw: list[str], outputs: list[str]) -> str:
    """The manifest: one line a file with its sha256, size in bytes and role, tab-separated."""
    lines = ["path\tsha256\tbytes\trole"]
    for path in sorted(set(raw)) + sorted(set(outputs)):
        lines.append(f"{path}\t{sha256_file(path)}\t{Path(path).stat().st_size}\t{file_role(path)}")
    return "\n".join(lines) + "\n"


def write_manifest(raw: list[str], outputs: list[str], target: str | Path) -> None:
    """Write the checksum manifest of the raw inputs and outputs."""
    from interphase.ncio import write_text

    write_text(manifest_text(list(raw), list(outputs)), target)


def software_versions() -> dict:
    """Python, platform, interphase version, git commit and the versions of the key packages."""
    import platform
    from importlib import metadata

    packages = [
        "snakemake", "numpy", "scipy", "pandas", "xarray", "netCDF4", "matplotlib",
        "impedance", "rosettasciio", "defusedxml", "pymatgen",
    ]
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = git_commit()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "interphase": __version__,
        "git_commit": commit.removesuffix("+dirty"),
        "git_dirty": commit.endswith("+dirty"),
        "packages": versions,
    }


def write_software(target: str | Path) -> None:
    """Write software_versions() as JSON."""
    from interphase.ncio import write_text

    write_text(json.dumps(software_versions(), indent=2, sort_keys=True) + "\n", target)
