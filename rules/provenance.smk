# The end of the DAG: results/provenance/ holds the checksum manifest of every raw input and
# output (with the rule, inputs and parameters that made each output), the software every
# job imported, and a Workflow Run RO-Crate of the run.


rule provenance:
    input:
        raw=[p for m in STUDY.measurements for p in raw_files(m)],
        outputs=[p for p in all_outputs(None) if not p.startswith("results/provenance/")],
    output:
        manifest=report(
            "results/provenance/manifest.tsv",
            caption="../report/manifest.rst",
            category="Provenance",
        ),
        software=report(
            "results/provenance/software.json",
            caption="../report/software.rst",
            category="Provenance",
        ),
        crate="results/provenance/ro-crate-metadata.json",
    params:
        made_by=provenance_records(),
        configfiles=[os.path.relpath(c) for c in workflow.configfiles],
    log:
        "results/logs/provenance.log",
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/provenance.py"
