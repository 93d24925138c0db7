# EDX line profiles: erf fits per element, interface position, interdiffusion width.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule edx_fit:
    input:
        clean=CLEAN,
    output:
        nc=FIT,
        record=job_files("fit")["record"],
    params:
        analysis=technique_params("edx_line"),
    wildcard_constraints:
        measurement=technique_pattern("edx_line"),
    log:
        job_files("fit")["log"],
    resources:
        mem_mb=memory(1000),  # step fits of one line profile
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.fit, rule, input, output, params, wildcards, log, conda_env)


rule edx_profiles:
    input:
        fits=fits_of("edx_line"),
    output:
        **figure("edx_profiles", "../report/edx_profiles.rst", "EDX"),
        record=job_files("edx_profiles", per_measurement=False)["record"],
    params:
        plot="interphase.figures.edx:edx_profiles",
    log:
        job_files("edx_profiles", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


TECHNIQUE_RULES["edx_line"] = TechniqueRules(fit=rules.edx_fit, comparison=[rules.edx_profiles])
