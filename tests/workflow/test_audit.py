"""A reviewer's audit: a complete run audits clean; one changed byte is named; --trace is exact."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from interphase.audit import audit, raw_files_of, trace

pytestmark = pytest.mark.workflow


def run_audit(workdir, *args):
    """The audit command line on a run's results folder."""
    return subprocess.run([sys.executable, "-m", "interphase", "audit", str(workdir / "results"), *args],
                          capture_output=True, text=True, timeout=300)


def flip_one_byte(path):
    """Change one byte in the middle of a file."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_complete_run_audits_clean(demo_run):
    done = run_audit(demo_run)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 changed, 0 missing, 0 unexpected" in done.stdout
    assert "matches the current checkout" in done.stdout


@pytest.mark.parametrize("relative", ["results/figures/overview.png", "results/summary/summary.csv", "raw"])
def test_one_changed_byte_fails_the_audit_naming_that_file(demo_run_copy, relative):
    if relative == "raw":
        relative = "data/demo/raw/xrd/NMC-700_xrd.xrdml"
    flip_one_byte(demo_run_copy / relative)
    findings, _ = audit(demo_run_copy / "results")
    assert [(f.path, f.state) for f in findings if f.state != "ok"] == [(relative, "changed")]
    done = run_audit(demo_run_copy)
    assert done.returncode == 1 and relative in done.stdout


def test_an_unexpected_output_is_reported(demo_run_copy):
    (demo_run_copy / "results/figures/extra.png").write_bytes(b"not made by the workflow")
    findings, _ = audit(demo_run_copy / "results")
    assert [(f.path, f.state) for f in findings if f.state != "ok"] == [("results/figures/extra.png", "unexpected")]


def test_moved_raw_files_are_found_with_raw(demo_run_copy, tmp_path):
    moved = tmp_path / "archive"
    (demo_run_copy / "data/demo/raw").rename(moved)
    assert run_audit(demo_run_copy).returncode == 1
    done = run_audit(demo_run_copy, "--raw", str(moved))
    assert done.returncode == 0, done.stdout


def test_trace_of_the_overview_lists_every_raw_file_and_no_other(demo_run):
    manifest = pd.read_csv(demo_run / "results/provenance/manifest.tsv", sep="\t")
    every_raw = sorted(manifest.loc[manifest["role"] == "raw input", "path"])
    assert raw_files_of(demo_run / "results", "results/figures/overview.png") == every_raw
    lines = trace(demo_run / "results", "results/figures/overview.png")
    assert lines[0].startswith("results/figures/overview.png  [rule overview")
    assert any("[rule summary" in line for line in lines)


def test_trace_of_one_fit_lists_only_its_raw_file(demo_run):
    assert raw_files_of(demo_run / "results", "results/fits/NMC-900_xrd.nc") == ["data/demo/raw/xrd/NMC-900_xrd.ras"]
    done = run_audit(demo_run, "--trace", "results/fits/NMC-900_xrd.nc")
    assert "rule xrd_fit" in done.stdout and "rule clean" in done.stdout and "NMC-900_xrd.ras" in done.stdout


def test_the_ro_crate_parses_and_lists_every_file_of_the_manifest(demo_run):
    from rocrate.rocrate import ROCrate

    crate = ROCrate(demo_run / "results/provenance")
    manifest = pd.read_csv(demo_run / "results/provenance/manifest.tsv", sep="\t")
    listed = {e.id for e in crate.data_entities}
    expected = {("../../" + p) if not p.startswith("results/") else "../" + p.removeprefix("results/") for p in manifest["path"]}
    assert expected <= listed
    action = next(e for e in crate.contextual_entities if e.type == "CreateAction")
    assert {e.id for e in action["result"]} == {x for x in expected if x.startswith("../") and not x.startswith("../../")}
