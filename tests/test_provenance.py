"""Checksums and history lines: what ties every output to its raw bytes and code."""

from __future__ import annotations

import hashlib
import re

from interphase import __version__
from interphase.provenance import append_history, file_role, manifest_text, sha256_file, sha256_path


def test_sha256_of_a_file_is_that_of_its_bytes(tmp_path):
    path = tmp_path / "a.mpt"
    path.write_bytes(b"EC-Lab ASCII FILE\r\n")
    assert sha256_file(path) == hashlib.sha256(b"EC-Lab ASCII FILE\r\n").hexdigest()


def test_a_folder_checksum_changes_when_any_file_in_it_changes(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s/p001.msa").write_text("1")
    (tmp_path / "s/p002.msa").write_text("2")
    before = sha256_path(tmp_path / "s")
    (tmp_path / "s/p002.msa").write_text("3")
    assert sha256_path(tmp_path / "s") != before


def test_history_lines_are_appended_oldest_first_with_version_and_params_hash():
    attrs = append_history({}, "clean: read a.mpt")
    attrs = append_history(attrs, "fit: eis analysis", {"circuit": "R0-p(R1,CPE1)"})
    lines = attrs["history"].splitlines()
    assert len(lines) == 2 and "clean" in lines[0] and "fit" in lines[1]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 fit: eis analysis \(interphase " + re.escape(__version__), lines[1])
    assert "params sha256:" in lines[1]


def test_the_manifest_gives_checksum_size_and_role(tmp_path):
    raw = tmp_path / "raw.mpt"
    raw.write_bytes(b"abc")
    (tmp_path / "results/fits").mkdir(parents=True)
    fit = tmp_path / "results/fits/m.nc"
    fit.write_bytes(b"netcdf")
    made_by = {str(fit): {"rule": "eis_fit", "inputs": [str(raw)], "params": {"circuit": "R0-p(R1,CPE1)"}}}
    lines = manifest_text([str(raw)], [str(fit)], made_by).splitlines()
    assert lines[0] == "path\tsha256\tbytes\trole\trule\tinputs\tparameters"
    raw_sha = hashlib.sha256(b"abc").hexdigest()
    assert lines[1] == f"{raw}\t{raw_sha}\t3\traw input\t\t\t"
    assert lines[2].split("\t")[2:] == ["6", "fit", "eis_fit", f"{raw}={raw_sha}", '{"circuit": "R0-p(R1,CPE1)"}']
    assert file_role("results/figures/x.png") == "figure"


def test_the_software_record_lists_the_packages_this_process_imported():
    import numpy  # noqa: F401

    from interphase.provenance import job_software_record, software_versions

    record = job_software_record("clean")
    assert record["packages"]["numpy"] == numpy.__version__
    merged = software_versions([record, {**record, "packages": {"numpy": "0.0"}}])
    assert merged["packages"]["numpy"] == sorted(["0.0", numpy.__version__])
    assert merged["jobs_recorded"] == 2
