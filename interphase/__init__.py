"""interphase: from instrument files to solid-state battery interface conclusions.

The package holds all the logic of the Snakemake workflow in this repository:
readers for vendor formats (:mod:`interphase.readers`), the dataset layout every
reader returns (:mod:`interphase.datasets`), one analysis per technique
(:mod:`interphase.eis`, :mod:`interphase.cv`, :mod:`interphase.xrd`,
:mod:`interphase.edx`, :mod:`interphase.eels`), the summary table
(:mod:`interphase.summary`), figures (:mod:`interphase.figures`) and the demo
study generator (:mod:`interphase.demo`).
"""

__version__ = "0.1.0"
