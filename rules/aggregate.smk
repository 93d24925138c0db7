# Every fit -> results/summary/summary.csv and summary.nc (CONTRACT.md §3).
# When a job fails (run with --keep-going), `summary_after_failure` (rules/common.smk,
# called from the Snakefile's onerror handler) still writes the summary from the fits that exist, with a
# `failed` row and its reason for every measurement that has none.


rule summary:
    input:
        fits=[f"results/fits/{m}.nc" for m in STUDY.measurements],
    output:
        csv=report(
            "results/summary/summary.csv",
            caption="../report/summary.rst",
            category="Summary",
        ),
        nc="results/summary/summary.nc",
    params:
        measurements=STUDY.measurements,
        samples=STUDY.samples,
    log:
        "results/logs/summary.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/summary.py"



rule overview:
    input:
        csv="results/summary/summary.csv",
    output:
        pdf="results/figures/overview.pdf",
        png=report(
            "results/figures/overview.png",
            caption="../report/overview.rst",
            category="Overview",
        ),
    log:
        "results/logs/figures/overview.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/overview.py"
