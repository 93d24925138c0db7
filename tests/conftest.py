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
