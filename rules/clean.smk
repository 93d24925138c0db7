# raw file -> results/clean/{measurement}.nc, for every technique: the reader is the one
# named in measurements.tsv's `format` column or the one that recognises the content.


rule clean:
    input:
        raw=raw_inputs,
    output:
        nc=CLEAN,
        record=job_files("clean")["record"],
    params:
        raw=lambda w: str(STUDY.raw_path(w.measurement)),
        measurement=lambda w: STUDY.measurements[w.measurement],
        sample=lambda w: STUDY.sample_of(w.measurement),
        reader_options=lambda w: reader_options(w.measurement),
    log:
        job_files("clean")["log"],
    resources:
        mem_mb=memory(1000),  # one reader on one raw file (a folder of EMSA spectra at most)
        runtime=10,
    conda:
        "../envs/interphase.yaml"
    run:
        execute(jobs.clean, rule, input, output, params, wildcards, log, conda_env)
