"""The run as a Workflow Run RO-Crate (results/provenance/ro-crate-metadata.json).

Built with the ``rocrate`` package (the RO-Crate reference library for Python, kept by the
RO-Crate community), following the Workflow Run Crate profile 0.5
(https://w3id.org/ro/wfrun/workflow/0.5), which extends the Process Run Crate 0.5 and the
Workflow RO-Crate 1.0: the root dataset ``conformsTo`` all three; its ``mainEntity`` is the
workflow (a ComputationalWorkflow in Snakemake); one ``CreateAction`` (mentioned by the root)
has the workflow as ``instrument``, the raw inputs and the configuration as ``object``, every
output as ``result``, a start and end time and an agent. Every file carries its ``sha256`` and
``contentSize`` from the manifest.

The crate's root is ``results/provenance/``; files are referenced by their paths relative to
it (``../clean/x.nc``, ``../../data/raw/x.mpt``), so the crate and the manifest describe the
same files and the audit can check both. Nothing is copied.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from interphase import __version__

PROCESS_RUN_CRATE = "https://w3id.org/ro/wfrun/process/0.5"
WORKFLOW_RUN_CRATE = "https://w3id.org/ro/wfrun/workflow/0.5"
WORKFLOW_RO_CRATE = "https://w3id.org/workflowhub/workflow-ro-crate/1.0"
SNAKEMAKE_LANGUAGE = "https://w3id.org/workflowhub/workflow-ro-crate#snakemake"

# Media types of the files a run holds (IANA where registered).
MEDIA_TYPES = {
    ".nc": "application/x-netcdf",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".yaml": "application/yaml",
    ".xrdml": "application/xml",
}


def crate_id(path: str, crate_root: Path, workdir: Path) -> str:
    """The crate @id of a file given relative to the working folder (relative to the crate root)."""
    return Path(os.path.relpath(workdir / path, crate_root)).as_posix()


def build_crate(
    manifest_rows: list[dict],
    crate_root: Path,
    workdir: Path,
    snakefile: Path,
    config_file: Path | None,
    start_time: str,
    end_time: str,
    git_commit: str,
):
    """The ROCrate object of one run (not written)."""
    from rocrate.model.contextentity import ContextEntity
    from rocrate.model.person import Person
    from rocrate.rocrate import ROCrate

    crate = ROCrate(gen_preview=False)
    root = crate.root_dataset
    root["name"] = "interphase workflow run"
    root["description"] = (
        "Raw instrument files to cleaned datasets, fits, summary and figures (interphase)"
    )
    root["license"] = "https://spdx.org/licenses/GPL-3.0-or-later"
    workflow = crate.add_workflow(
        dest_path=crate_id(os.path.relpath(snakefile, workdir), crate_root, workdir),
        main=True,
        lang="snakemake",
        properties={
            "name": "interphase",
            "version": __version__,
            "softwareVersion": git_commit or "unknown",
        },
    )
    inputs, outputs = [], []
    for row in manifest_rows:
        entity = crate.add_file(
            dest_path=crate_id(row["path"], crate_root, workdir),
            properties={
                "name": Path(row["path"]).name,
                "sha256": row["sha256"],
                "contentSize": int(row["bytes"]),
                "encodingFormat": MEDIA_TYPES.get(
                    Path(row["path"]).suffix.lower(), "application/octet-stream"
                ),
                "description": f"{row['role']}"
                + (f", made by rule {row['rule']}" if row.get("rule") else ""),
            },
        )
        (inputs if row["role"] == "raw input" else outputs).append(entity)
    if config_file is not None and config_file.is_file():
        inputs.append(
            crate.add_file(
                dest_path=crate_id(os.path.relpath(config_file, workdir), crate_root, workdir),
                properties={"name": "configuration", "encodingFormat": MEDIA_TYPES[".yaml"]},
            )
        )
    agent = crate.add(Person(crate, "#agent", properties={"name": getpass.getuser()}))
    action = crate.add_action(
        workflow,
        identifier="#run",
        object=inputs,
        result=outputs,
        properties={
            "name": "interphase run",
            "startTime": start_time,
            "endTime": end_time,
            "agent": {"@id": agent.id},
            "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
        },
    )
    root.append_to("mentions", action)
    for profile, name in (
        (PROCESS_RUN_CRATE, "Process Run Crate"),
        (WORKFLOW_RUN_CRATE, "Workflow Run Crate"),
        (WORKFLOW_RO_CRATE, "Workflow RO-Crate"),
    ):
        if profile not in crate:
            crate.add(
                ContextEntity(
                    crate,
                    profile,
                    properties={
                        "@type": "CreativeWork",
                        "name": name,
                        "version": profile.rsplit("/", 1)[-1],
                    },
                )
            )
        if {"@id": profile} not in (root.get("conformsTo") or []) and profile not in _ids(
            root.get("conformsTo")
        ):
            root.append_to("conformsTo", {"@id": profile})
    return crate


def _ids(value) -> set[str]:
    """The @ids of a property value (an entity, a reference, or a list of them)."""
    items = value if isinstance(value, list) else [value] if value else []
    return {
        item["@id"] if isinstance(item, dict) else getattr(item, "id", str(item)) for item in items
    }


def write_crate(crate, target: Path) -> None:
    """Write only the metadata file of ``crate`` to ``target`` (atomically): no data is copied."""
    import json

    from interphase.ncio import write_text

    write_text(json.dumps(crate.metadata.generate(), indent=2, sort_keys=False) + "\n", target)
