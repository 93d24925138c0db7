# Impedance: equivalent-circuit fit (impedance.py), R_ct and R_ct_area, lin-KK check.
# clean -> results/fits/{measurement}.nc, a figure of each spectrum, and the technique's
# temperature-comparison figures (a technique is one rules file and one package folder).


rule eis_fit:
    input:
        clean=CLEAN,
    output:
        nc=FIT,
        record=job_files("fit")["record"],
    params:
        analysis=technique_params("eis"),
    wildcard_constraints:
        measurement=technique_pattern("eis"),
    log:
        job_files("fit")["log"],
    resources:
        mem_mb=memory(2000),  # equivalent-circuit fit, DRT and lin-KK check of one spectrum
        runtime=20,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.fit, rule, input, output, params, wildcards, log, conda_env)


rule eis_spectrum_figure:
    input:
        fit=FIT,
    output:
        **figure("eis/{measurement}", "../report/eis_spectrum.rst", "Impedance", subcategory="single spectra"),
        record=job_files("eis_spectrum_figure")["record"],
    params:
        plot="interphase.figures.eis_spectrum:spectrum_figure",
    wildcard_constraints:
        measurement=technique_pattern("eis"),
    log:
        job_files("eis_spectrum_figure")["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.spectrum_figure, rule, input, output, params, wildcards, log, conda_env)


rule eis_nyquist:
    input:
        fits=fits_of("eis"),
    output:
        **figure("eis_nyquist", "../report/eis_nyquist.rst", "Impedance"),
        record=job_files("eis_nyquist", per_measurement=False)["record"],
    params:
        plot="interphase.figures.eis:nyquist_overlay",
    log:
        job_files("eis_nyquist", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


rule eis_rct_vs_potential:
    input:
        fits=fits_of("eis"),
    output:
        **figure("eis_rct_vs_potential", "../report/eis_rct_vs_potential.rst", "Impedance"),
        record=job_files("eis_rct_vs_potential", per_measurement=False)["record"],
    params:
        plot="interphase.figures.eis:rct_vs_potential",
    log:
        job_files("eis_rct_vs_potential", per_measurement=False)["log"],
    resources:
        mem_mb=memory(1500),
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.comparison_figure, rule, input, output, params, wildcards, log, conda_env)


TECHNIQUE_RULES["eis"] = TechniqueRules(
    fit=rules.eis_fit,
    per_measurement=[rules.eis_spectrum_figure] if config["figures"]["eis_spectra"] else [],
    comparison=[rules.eis_nyquist, rules.eis_rct_vs_potential],
)
