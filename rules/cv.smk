# Cyclic voltammetry: branches, baseline, peaks and redox couples.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule cv_fit:
    input:
        "results/clean/{measurement}.nc",
    output:
        "results/fits/{measurement}.nc",
    params:
        analysis=technique_params("cv"),
    wildcard_constraints:
        measurement=technique_pattern("cv"),
    log:
        "results/logs/fit/{measurement}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/fit.py"


rule cv_overlay:
    input:
        fits_of("cv"),
    output:
        pdf="results/figures/cv_overlay.pdf",
        png=report(
            "results/figures/cv_overlay.png",
            caption="../report/cv_overlay.rst",
            category="Cyclic voltammetry",
        ),
    params:
        plot="interphase.figures.cv:cv_overlay",
    log:
        "results/logs/figures/cv_overlay.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"
