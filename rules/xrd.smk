# XRD: background, peaks, pseudo-Voigt fits, matching against reference phases.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule xrd_fit:
    input:
        clean=CLEAN,
    output:
        nc=FIT,
        record=job_files("fit")["record"],
    params:
        analysis=technique_params("xrd"),
    wildcard_constraints:
        measurement=technique_pattern("xrd"),
    log:
        job_files("fit")["log"],
    resources:
        mem_mb=memory(3000),  # reference patterns and peak fits of one scan
        runtime=20,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.fit, rule, input, output, params, wildcards, log, conda_env)


rule xrd_stack:
    input:
        fits=fits_of("xrd"),
    output:
        **figure("xrd_stack", "../report/xrd_stack.rst", "XRD"),
        record=job_files("xrd_stack", per_measurement=False)["record"],
    params:
        plot="interphase.figures.xrd:xrd_stack",
    log:
        job_files("xrd_stack", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


TECHNIQUE_RULES["xrd"] = TechniqueRules(fit=rules.xrd_fit, comparison=[rules.xrd_stack])
