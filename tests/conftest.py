"""Shared fixtures: where the real instrument files are, and a clean matplotlib cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INTERPHASE_SHARED", REPO.parent / "shared"))
REALDATA = SHARED / "realdata"


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of real vendor files (../shared/realdata); the test skips when it is absent."""
    if not (REALDATA / "MANIFEST.tsv").is_file():
        pytest.skip("../shared/realdata is absent: real-file tests need it")
    return REALDATA


def real_file(relative: str) -> Path:
    """One real file by its MANIFEST path; skips the test when ../shared is absent."""
    path = REALDATA / relative
    if not path.exists():
        pytest.skip(f"{relative} is absent (../shared/realdata not here)")
    return path


def real_files_sniffed_by(module, own: tuple[str, ...]) -> list[str]:
    """The real files outside the folders ``own`` (MANIFEST paths) that the reader claims."""
    from interphase.readers import head_of

    paths = sorted(
        p
        for p in REALDATA.rglob("*")
        if p.is_file() and p.name not in ("MANIFEST.tsv", "README.md")
    )
    relatives = [(p, p.relative_to(REALDATA).as_posix()) for p in paths]
    return [
        relative
        for path, relative in relatives
        if not relative.startswith(own) and module.sniff(path, head_of(path))
    ]
