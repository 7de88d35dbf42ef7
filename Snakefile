# The He Project compendium: raw case data -> de-identified corpus -> coding and
# reliability -> mechanism analyses -> figures and tables -> the Jupyter Book -> the leak gate.
# This file is the table of contents; each stage's rules live in workflow/rules.
from snakemake.utils import min_version

from analysis.inputs.io import exit_on_unreadable_config

min_version("9.0")


# config.yaml read as `casebook validate` reads it first: a YAML error is reported with its line
# and column, and a file that nests or expands without bound never reaches Snakemake's reader.
exit_on_unreadable_config("config.yaml")


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/coding.smk"
include: "workflow/rules/reliability.smk"
include: "workflow/rules/mechanisms.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/paper.smk"
include: "workflow/rules/gate.smk"


rule all:
    default_target: True
    input:
        book="paper/_build/html/index.html",
        leak_gate="results/leak_gate/book.json",
