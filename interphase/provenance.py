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
