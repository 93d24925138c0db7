# The end of the DAG: results/provenance/ holds the checksum manifest of every raw input and
# output (with the rule, inputs and parameters that made each output, from the record each job
# writes), the software the jobs ran with, and a Workflow Run RO-Crate of the run.


rule provenance:
    input:
        raw=[p for m in STUDY.measurements for p in raw_files(m)],
        records=job_records,
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
        snakefile=workflow.main_snakefile,
        configfile=os.path.relpath(workflow.configfiles[-1]) if workflow.configfiles else "",
    log:
        LOG.format(name="provenance"),
    resources:
        mem_mb=memory(500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.provenance, rule, input, output, params, wildcards, log, conda_env)
