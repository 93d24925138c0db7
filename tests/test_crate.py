"""The run's Workflow Run RO-Crate meets the profile's requirements (checked here, offline).

roc-validator (PyPI) has the Workflow Run Crate 0.5 profile but fetches JSON-LD contexts from
the network, which this project's CI does not reach; so the requirements of Process Run Crate
0.5 and Workflow Run Crate 0.5 that a crate can break are asserted directly.
"""

from __future__ import annotations

import json
from pathlib import Path

from rocrate.rocrate import ROCrate

from interphase.crate import (
    PROCESS_RUN_CRATE,
    WORKFLOW_RO_CRATE,
    WORKFLOW_RUN_CRATE,
    build_crate,
    write_crate,
)

ROWS = [
    {
        "path": "data/raw/a.mpt",
        "sha256": "a" * 64,
        "bytes": "10",
        "role": "raw input",
        "rule": "",
        "inputs": "",
        "parameters": "",
    },
    {
        "path": "results/clean/a.nc",
        "sha256": "b" * 64,
        "bytes": "20",
        "role": "clean",
        "rule": "clean",
        "inputs": "",
        "parameters": "",
    },
    {
        "path": "results/figures/f.png",
        "sha256": "c" * 64,
        "bytes": "30",
        "role": "figure",
        "rule": "f",
        "inputs": "",
        "parameters": "",
    },
]


def written_crate(tmp_path: Path) -> dict:
    """Write the crate of ROWS in a fake working folder; return its JSON-LD graph by @id."""
    workdir = tmp_path / "study"
    root = workdir / "results" / "provenance"
    root.mkdir(parents=True)
    (workdir / "config.yaml").write_text("samples: s.tsv\n")
    crate = build_crate(
        ROWS,
        root,
        workdir,
        tmp_path / "repo" / "Snakefile",
        workdir / "config.yaml",
        "2026-11-25T20:00:00+00:00",
        "2026-11-25T20:01:00+00:00",
        "abc123",
    )
    write_crate(crate, root / "ro-crate-metadata.json")
    graph = json.loads((root / "ro-crate-metadata.json").read_text())["@graph"]
    return {entity["@id"]: entity for entity in graph}


def ids(value) -> set[str]:
    """The @ids referenced by a property value."""
    items = value if isinstance(value, list) else [value]
    return {item["@id"] for item in items}


def test_the_root_conforms_to_both_run_crate_profiles_and_workflow_ro_crate(tmp_path):
    graph = written_crate(tmp_path)
    assert {PROCESS_RUN_CRATE, WORKFLOW_RUN_CRATE, WORKFLOW_RO_CRATE} <= ids(
        graph["./"]["conformsTo"]
    )


def test_the_main_entity_is_the_snakemake_workflow_and_the_action_uses_it(tmp_path):
    graph = written_crate(tmp_path)
    main = graph[graph["./"]["mainEntity"]["@id"]]
    assert "ComputationalWorkflow" in main["@type"] and main["@id"].endswith("repo/Snakefile")
    actions = [e for e in graph.values() if e.get("@type") == "CreateAction"]
    assert len(actions) == 1
    action = actions[0]
    assert action["@id"] in ids(graph["./"]["mentions"])
    assert ids(action["instrument"]) == {main["@id"]}
    assert action["startTime"] < action["endTime"]
    assert graph[action["agent"]["@id"]]["@type"] == "Person"


def test_inputs_and_outputs_are_the_manifests_files_with_their_checksums(tmp_path):
    graph = written_crate(tmp_path)
    action = next(e for e in graph.values() if e.get("@type") == "CreateAction")
    assert ids(action["object"]) == {"../../data/raw/a.mpt", "../../config.yaml"}
    assert ids(action["result"]) == {"../clean/a.nc", "../figures/f.png"}
    assert (
        graph["../clean/a.nc"]["sha256"] == "b" * 64 and graph["../clean/a.nc"]["contentSize"] == 20
    )
    assert graph["../figures/f.png"]["encodingFormat"] == "image/png"


def test_the_crate_parses_with_rocrate(tmp_path):
    written_crate(tmp_path)
    crate = ROCrate(tmp_path / "study" / "results" / "provenance")
    assert {e.id for e in crate.data_entities} >= {
        "../../data/raw/a.mpt",
        "../clean/a.nc",
        "../figures/f.png",
    }
