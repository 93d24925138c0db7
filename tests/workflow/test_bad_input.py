"""A raw file that cannot be read fails its own job; the rest completes; the summary says why."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.workflow.conftest import run_snakemake
from tests.workflow.test_caching import first_of, raw_file

pytestmark = pytest.mark.workflow


def test_an_unreadable_raw_file_gives_a_failed_row_and_no_partial_output(demo_run_copy):
    m = first_of(demo_run_copy, "cv")
    path = raw_file(demo_run_copy, m)
    lines = path.read_bytes().splitlines(keepends=True)
    # Corrupt one data line near the end: a number replaced by text.
    victim = len(lines) - 5
    lines[victim] = b"\t".join(b"abc" for _ in lines[victim].split(b"\t")) + b"\r\n"
    path.write_bytes(b"".join(lines))

    done = run_snakemake(demo_run_copy, "--keep-going", check=False)
    assert done.returncode != 0
    assert not (demo_run_copy / f"results/clean/{m}.nc").exists()
    # (the fit of the previous, readable version stays on disk; the summary does not use it)
    assert not list((demo_run_copy / "results/clean").glob(".*.tmp"))
    frame = pd.read_csv(demo_run_copy / "results/summary/summary.csv", keep_default_na=False)
    failed = frame[frame["measurement"] == m]
    assert list(failed["status"]) == ["failed"]
    assert path.name in failed["note"].iloc[0] and "line" in failed["note"].iloc[0]
    # O has no EDX step and Ni no EELS edge in the demo's range: failed by design, not by m
    others = frame[(frame["measurement"] != m) & ~frame["element"].isin(["O", "Ni"])]
    assert (others["status"] != "failed").all() and len(others) > 10
    log = (demo_run_copy / f"results/logs/clean/{m}.log").read_text()
    assert path.name in log
