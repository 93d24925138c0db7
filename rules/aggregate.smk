# Every fit -> results/summary/summary.csv and summary.nc (CONTRACT.md §3), and the overview.
# When a job fails (run with --keep-going), `summary_after_failure` (rules/common.smk, called
# from the Snakefile's onerror handler) still writes the summary from the fits that exist, with
# a `failed` row and its reason (from the failed job's log) for every measurement that has none.


rule summary:
    input:
        fits=expand(FIT, measurement=list(STUDY.measurements)),
    output:
        csv=report(
            "results/summary/summary.csv",
            caption="../report/summary.rst",
            category="Summary",
        ),
        nc="results/summary/summary.nc",
        **job_files("summary", per_measurement=False),
    params:
        measurements=STUDY.measurements,
        samples=STUDY.samples,
    log:
        job_files("summary", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1000),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.summary, rule, input, output, params, wildcards, log, conda_env)


rule overview:
    input:
        csv=rules.summary.output.csv,
    output:
        **figure("overview", "../report/overview.rst", "Overview"),
        record=job_files("overview", per_measurement=False)["record"],
    log:
        job_files("overview", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1000),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.overview, rule, input, output, params, wildcards, log, conda_env)
