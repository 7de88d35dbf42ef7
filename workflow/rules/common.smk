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
# Every figure and table the book shows: results/figures/<name>.png, results/tables/<name>.md.
FIGURES = ["theme_frequencies", "code_by_actor", "alpha_forest", "saturation", "framework_matrix"]
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
]
PRIMARY_CODER = config["coders"]["primary"]
LANG = config["labels"]


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
