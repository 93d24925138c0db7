# EDX line profiles: erf fits per element, interface position, interdiffusion width.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule edx_fit:
    input:
        "results/clean/{measurement}.nc",
    output:
        "results/fits/{measurement}.nc",
    params:
        analysis=technique_params("edx_line"),
    wildcard_constraints:
        measurement=technique_pattern("edx_line"),
    log:
        "results/logs/fit/{measurement}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/fit.py"


rule edx_profiles:
    input:
        fits_of("edx_line"),
    output:
        pdf="results/figures/edx_profiles.pdf",
        png=report(
            "results/figures/edx_profiles.png",
            caption="../report/edx_profiles.rst",
            category="EDX",
        ),
    params:
        plot="interphase.figures.edx:edx_profiles",
    log:
        "results/logs/figures/edx_profiles.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"
