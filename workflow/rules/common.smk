# Helpers shared by the rules, and the check of every input when the workflow is parsed.
import sys
from pathlib import Path

from analysis.problems import render_problems
from analysis.validate import load_schemas, validate_project

SCHEMA_DIR = Path(workflow.basedir) / "workflow" / "schemas"
CONFIG_NAME = (
    workflow.overwrite_configfiles[-1]
    if workflow.overwrite_configfiles
    else "config.yaml"
)
SCHEMAS = load_schemas(SCHEMA_DIR)
RAW, _problems = validate_project(Path("."), config, str(CONFIG_NAME), SCHEMAS)
if _problems:
    # A clear message, a non-zero exit, no traceback and no job started.
    sys.stderr.write(render_problems(_problems) + "\n")
    sys.exit(1)

CASES = config["cases"]
# The analysis package's modules: every rule depends on them, so a change to the code that
# computes a result reruns the rules (Snakemake's own code trigger sees only the thin scripts).
ANALYSIS_CODE = sorted(str(p) for p in Path("analysis").glob("*.py"))
# Every figure and table the book shows: results/figures/<name>.png, results/tables/<name>.md.
FIGURES = [
    "theme_frequencies",
    "code_by_actor",
    "alpha_forest",
    "saturation",
    "framework_matrix",
    "cooccurrence_network",
    "qca_xy",
    "pt_logodds",
    "mechanism_diagram",
]
TABLES = [
    "context_facts",
    "code_frequencies",
    "station_themes",
    "code_by_actor",
    "code_by_phase",
    "reliability",
    "disagreements",
    "saturation",
    "framework_matrix",
    "codebook",
    "evidence_by_station",
    "evidence_mechanisms",
    *[f"evidence_{p.lower()}" for p in config["propositions"]],
    "cooccurrence",
    "outcome_models",
    "mechanism_link_model",
    "qca_calibration",
    "qca_necessity",
    "qca_truth_table",
    "qca_solutions",
    "pt_items",
    "pt_sensitivity",
]
PRIMARY_CODER = config["coders"]["primary"]
LANG = config["labels"]


def synthetic_design(wildcards=None):
    """The generator's planted structure, read for the recovery check while the data are synthetic."""
    return (
        ["analysis/synthetic/design.yaml"] if config["study"]["synthetic_data"] else []
    )


def case_files(wildcards=None):
    """Every raw file of every configured case (the ingest stage's inputs)."""
    files = []
    for case in CASES:
        folder = Path(config["paths"]["cases"]) / case
        files += [
            str(folder / "station.yaml"),
            str(folder / "participants.csv"),
            str(folder / "segments.csv"),
        ]
        files += sorted(str(p) for p in (folder / "transcripts").glob("*.md"))
    return files


def schema_files(wildcards=None):
    return sorted(str(p) for p in SCHEMA_DIR.glob("*.yaml"))


def book_sources(wildcards=None):
    """The book's own files: chapters, configuration, bibliography and extension."""
    paper = Path("paper")
    files = sorted(str(p) for p in paper.glob("*.md"))
    files += ["paper/_config.yml", "paper/_toc.yml", "paper/references.bib"]
    files += sorted(str(p) for p in (paper / "_ext").glob("*.py"))
    return files
