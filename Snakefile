# The He Project compendium: raw case data -> de-identified corpus -> coding and
# reliability -> mechanism analyses -> figures and tables -> the Jupyter Book.
# This file is the table of contents; each stage's rules live in workflow/rules.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/coding.smk"
include: "workflow/rules/reliability.smk"
include: "workflow/rules/mechanisms.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/paper.smk"


rule all:
    default_target: True
    input:
        book="paper/_build/html/index.html",
