# interphase: instrument files -> clean netCDF -> fits -> summary and figures.
#
#   snakemake --cores 2                                   (the embedded demo study)
#   snakemake -s REPO/Snakefile --directory DIR --configfile DIR/config.yaml --cores 2
#
# Everything a rule does is in the `interphase` package; rules say what depends on what.

import os

from snakemake.utils import min_version

min_version("9.0")

# The repository, for envs/interphase.yaml's `-e ${INTERPHASE_SOURCE}` under --use-conda.
os.environ.setdefault("INTERPHASE_SOURCE", workflow.basedir)


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/clean.smk"
include: "rules/eis.smk"
include: "rules/cv.smk"
include: "rules/xrd.smk"
include: "rules/edx.smk"
include: "rules/eels.smk"
include: "rules/aggregate.smk"
include: "rules/provenance.smk"


# The final targets: the provenance job's outputs. It needs the record of every job of a
# complete run (rules/common.smk: jobs_of_a_complete_run), so everything is made.
rule all:
    default_target: True
    input:
        rules.provenance.output,


onerror:
    summary_after_failure()
