# XRD: background, peaks, pseudo-Voigt fits, matching against reference phases (pymatgen).
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule xrd_fit:
    input:
        "results/clean/{measurement}.nc",
    output:
        "results/fits/{measurement}.nc",
    params:
        analysis=technique_params("xrd"),
    wildcard_constraints:
        measurement=technique_pattern("xrd"),
    log:
        "results/logs/fit/{measurement}.log",
    resources:
        mem_mb=3000,
        runtime=20,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/fit.py"


rule xrd_stack:
    input:
        fits_of("xrd"),
    output:
        pdf="results/figures/xrd_stack.pdf",
        png=report(
            "results/figures/xrd_stack.png",
            caption="../report/xrd_stack.rst",
            category="XRD",
        ),
    params:
        plot="interphase.figures.xrd:xrd_stack",
    log:
        "results/logs/figures/xrd_stack.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"
