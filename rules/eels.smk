# EELS lines: power-law background, Pearson double step, L3/L2 white-line ratios.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule eels_fit:
    input:
        "results/clean/{measurement}.nc",
    output:
        "results/fits/{measurement}.nc",
    params:
        analysis=technique_params("eels_line"),
    wildcard_constraints:
        measurement=technique_pattern("eels_line"),
    log:
        "results/logs/fit/{measurement}.log",
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/fit.py"


rule eels_l3l2_profiles:
    input:
        fits_of("eels_line"),
    output:
        pdf="results/figures/eels_l3l2_profiles.pdf",
        png=report(
            "results/figures/eels_l3l2_profiles.png",
            caption="../report/eels_l3l2_profiles.rst",
            category="EELS",
        ),
    params:
        plot="interphase.figures.eels:l3l2_profiles",
    log:
        "results/logs/figures/eels_l3l2_profiles.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"


rule eels_method:
    input:
        fits_of("eels_line"),
    output:
        pdf="results/figures/eels_method.pdf",
        png=report(
            "results/figures/eels_method.png",
            caption="../report/eels_method.rst",
            category="EELS",
        ),
    params:
        plot="interphase.figures.eels_method:method_figure",
    log:
        "results/logs/figures/eels_method.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"
