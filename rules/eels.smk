# EELS lines: power-law background, Pearson double step, L3/L2 white-line ratios.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule eels_fit:
    input:
        clean=CLEAN,
    output:
        nc=FIT,
        record=job_files("fit")["record"],
    params:
        analysis=technique_params("eels_line"),
    wildcard_constraints:
        measurement=technique_pattern("eels_line"),
    log:
        job_files("fit")["log"],
    resources:
        mem_mb=memory(2000),  # L3/L2 ratios along one EELS line
        runtime=20,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.fit, rule, input, output, params, wildcards, log, conda_env)


rule eels_l3l2_profiles:
    input:
        fits=fits_of("eels_line"),
    output:
        **figure("eels_l3l2_profiles", "../report/eels_l3l2_profiles.rst", "EELS"),
        record=job_files("eels_l3l2_profiles", per_measurement=False)["record"],
    params:
        plot="interphase.figures.eels:l3l2_profiles",
    log:
        job_files("eels_l3l2_profiles", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


rule eels_method:
    input:
        fits=fits_of("eels_line"),
    output:
        **figure("eels_method", "../report/eels_method.rst", "EELS"),
        record=job_files("eels_method", per_measurement=False)["record"],
    params:
        plot="interphase.figures.eels_method:method_figure",
    log:
        job_files("eels_method", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


TECHNIQUE_RULES["eels_line"] = TechniqueRules(fit=rules.eels_fit, comparison=[rules.eels_l3l2_profiles, rules.eels_method])
