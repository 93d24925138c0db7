# Impedance: equivalent-circuit fit (impedance.py), R_ct and R_ct_area, lin-KK check.
# clean -> results/fits/{measurement}.nc, and the technique's temperature-comparison figures
# (kept here, not in aggregate.smk, so that a technique is one rules file and one package folder).


rule eis_fit:
    input:
        "results/clean/{measurement}.nc",
    output:
        "results/fits/{measurement}.nc",
    params:
        analysis=technique_params("eis"),
    wildcard_constraints:
        measurement=technique_pattern("eis"),
    log:
        "results/logs/fit/{measurement}.log",
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/fit.py"


rule eis_nyquist:
    input:
        fits_of("eis"),
    output:
        pdf="results/figures/eis_nyquist.pdf",
        png=report(
            "results/figures/eis_nyquist.png",
            caption="../report/eis_nyquist.rst",
            category="Impedance",
        ),
    params:
        plot="interphase.figures.eis:nyquist_overlay",
    log:
        "results/logs/figures/eis_nyquist.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"


rule eis_rct_vs_potential:
    input:
        fits_of("eis"),
    output:
        pdf="results/figures/eis_rct_vs_potential.pdf",
        png=report(
            "results/figures/eis_rct_vs_potential.png",
            caption="../report/eis_rct_vs_potential.rst",
            category="Impedance",
        ),
    params:
        plot="interphase.figures.eis:rct_vs_potential",
    log:
        "results/logs/figures/eis_rct_vs_potential.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/figure.py"


rule eis_spectrum_figure:
    input:
        "results/fits/{measurement}.nc",
    output:
        pdf="results/figures/eis/{measurement}.pdf",
        png=report(
            "results/figures/eis/{measurement}.png",
            caption="../report/eis_spectrum.rst",
            category="Impedance",
            subcategory="single spectra",
        ),
    params:
        plot="interphase.figures.eis_spectrum:spectrum_figure",
    wildcard_constraints:
        measurement=technique_pattern("eis"),
    log:
        "results/logs/figures/eis/{measurement}.log",
    resources:
        mem_mb=1500,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/spectrum_figure.py"
