# The end of the DAG: a checksum manifest of every raw input and output, and the software
# that made them (results/provenance/).


rule provenance:
    input:
        raw=[p for m in STUDY.measurements for p in raw_files(m)],
        outputs=[p for p in all_outputs(None) if not p.startswith("results/provenance/")],
    output:
        manifest="results/provenance/manifest.tsv",
        software="results/provenance/software.json",
    log:
        "results/logs/provenance.log",
    resources:
        mem_mb=500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/provenance.py"
