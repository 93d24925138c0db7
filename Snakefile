# interphase: instrument files -> clean netCDF -> fits -> summary and figures.
#
#   snakemake --cores 2                                   (the embedded demo study)
#   snakemake -s REPO/Snakefile --directory DIR --configfile DIR/config.yaml --cores 2
#
# Everything a rule does is in the `interphase` package; rules say what depends on what.

from snakemake.utils import min_version

min_version("9.0")


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


rule all:
    default_target: True
    input:
        all_outputs,


onerror:
    summary_after_failure()
