# raw file -> results/clean/{measurement}.nc, for every technique: the reader is the one
# named in measurements.tsv's `format` column or the one that recognises the content.


rule clean:
    input:
        raw_inputs,
    output:
        "results/clean/{measurement}.nc",
    params:
        raw=lambda w: str(STUDY.raw_path(w.measurement)),
        measurement=lambda w: STUDY.measurements[w.measurement],
        sample=lambda w: STUDY.sample_of(w.measurement),
        reader_options=lambda w: reader_options(w.measurement),
    log:
        "results/logs/clean/{measurement}.log",
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    script:
        "../scripts/clean.py"
