"""The committed demo study is exactly what the generator makes from its seed."""

from __future__ import annotations

from pathlib import Path

from interphase import demo

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "data" / "demo"


def relative_files(root: Path) -> dict[str, bytes]:
    """Every file under root by its relative posix path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_regenerating_the_demo_gives_the_committed_bytes(tmp_path):
    demo.generate(tmp_path)
    fresh, committed = relative_files(tmp_path), relative_files(COMMITTED)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == []


def test_the_demo_is_small_and_covers_every_technique_for_both_samples():
    files = relative_files(COMMITTED)
    assert sum(len(b) for b in files.values()) < 5_000_000
    sheet = files["measurements.tsv"].decode().splitlines()
    rows = [line.split("\t") for line in sheet[1:]]
    pairs = {(r[1], r[2]) for r in rows}
    for sample in ("NMC-700", "NMC-900"):
        for technique in ("cv", "eis", "xrd", "edx_line", "eels_line"):
            assert (sample, technique) in pairs
    potentials = sorted(float(r[5]) for r in rows if r[2] == "eis" and r[1] == "NMC-700")
    assert potentials == [3.6, 3.8, 4.0, 4.2]
    extensions = {name.rsplit(".", 1)[-1] for name in files}
    assert {"mpt", "DTA", "xrdml", "ras", "csv", "msa"} <= extensions


def test_a_different_seed_gives_different_noise(tmp_path):
    demo.generate(tmp_path, seed=demo.SEED + 1)
    fresh = relative_files(tmp_path)
    committed = relative_files(COMMITTED)
    assert fresh["raw/xrd/NMC-700_xrd.xrdml"] != committed["raw/xrd/NMC-700_xrd.xrdml"]


def test_a_larger_study_is_the_demo_plus_replicates_with_their_own_noise(tmp_path):
    written = demo.generate(tmp_path, samples=3)
    assert written
    fresh, committed = relative_files(tmp_path), relative_files(COMMITTED)
    sheet = [line.split("\t") for line in fresh["measurements.tsv"].decode().splitlines()[1:]]
    assert len(sheet) == 3 * 8 and len({row[0] for row in sheet}) == len(sheet)
    # The first two samples are the embedded demo, byte for byte.
    demo_rows = committed["measurements.tsv"].decode().splitlines()
    assert fresh["measurements.tsv"].decode().splitlines()[: len(demo_rows)] == demo_rows
    assert all(fresh[name] == data for name, data in committed.items() if name.startswith("raw/"))
    # The third is a replicate of NMC-700 with every technique, under its own name and noise.
    replicate = [row for row in sheet if row[1] == "NMC-700-r01"]
    assert sorted(row[2] for row in replicate) == sorted(["cv", "eis", "eis", "eis", "eis", "xrd", "edx_line", "eels_line"])
    for row in replicate:
        path = tmp_path / "raw" / row[3]
        assert path.exists() and row[0].startswith("NMC-700-r01_"), row
    assert fresh["raw/xrd/NMC-700-r01_xrd.xrdml"] != committed["raw/xrd/NMC-700_xrd.xrdml"]
    samples = fresh["samples.tsv"].decode().splitlines()
    assert [line.split("\t")[0] for line in samples[1:]] == ["NMC-700", "NMC-900", "NMC-700-r01"]
