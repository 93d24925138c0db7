# Cyclic voltammetry: branches, baseline, peaks and redox couples.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule cv_fit:
    input:
        clean=CLEAN,
    output:
        nc=FIT,
        record=job_files("fit")["record"],
    params:
        analysis=technique_params("cv"),
    wildcard_constraints:
        measurement=technique_pattern("cv"),
    log:
        job_files("fit")["log"],
    resources:
        mem_mb=memory(1000),  # peak finding on one voltammogram
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.fit, rule, input, output, params, wildcards, log, conda_env)


rule cv_overlay:
    input:
        fits=fits_of("cv"),
    output:
        **figure("cv_overlay", "../report/cv_overlay.rst", "Cyclic voltammetry"),
        record=job_files("cv_overlay", per_measurement=False)["record"],
    params:
        plot="interphase.figures.cv:cv_overlay",
    log:
        job_files("cv_overlay", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


TECHNIQUE_RULES["cv"] = TechniqueRules(fit=rules.cv_fit, comparison=[rules.cv_overlay])
