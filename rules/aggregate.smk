# Every fit -> results/summary/summary.csv and summary.nc (CONTRACT.md §3).
# When a job fails (run with --keep-going), `summary_after_failure` (rules/common.smk,
# called from the Snakefile's onerror handler) still writes the summary from the fits that exist, with a
# `failed` row and its reason for every measurement that has none.


rule summary:
    input:
        fits=[f"results/fits/{m}.nc" for m in STUDY.measurements],
    output:
        csv="results/summary/summary.csv",
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

