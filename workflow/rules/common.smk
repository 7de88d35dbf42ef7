# Helpers shared by the rules, and the checks made when the workflow is parsed: the configuration
# (its defaults filled in from the schema) and that every file it names is there. The contents are
# checked by the ingest jobs and validate_project (ingest.smk), before any analysis and only when an
# input changed, so a build with nothing to do reads no data.
import sys
from pathlib import Path

from analysis.cli.apart import run_script_apart
from analysis.cli.jobs import Job, failed_jobs_report, run_registered, run_script
from analysis.inputs.io import CASE_FILES, SHARED_FILES, show_path
from analysis.inputs.names import name_sources
from analysis.inputs.problems import render_problems
from analysis.inputs.provenance import code_fingerprint
from analysis.inputs.schemas import SCHEMA_FOLDER, load_schemas
from analysis.inputs.shards import shard_members
from analysis.inputs.validate import check_setup
from analysis.report.registry import Registry, slug

SCHEMA_DIR = Path(workflow.basedir) / SCHEMA_FOLDER
# The configuration file given last, relative to the project (Snakemake hands --configfile over as an
# absolute path, which would make the checksum table, and so the book, depend on the folder).
CONFIG_NAME = (
    show_path(workflow.overwrite_configfiles[-1], Path("."))
    if workflow.overwrite_configfiles
    else "config.yaml"
)
SCHEMAS = load_schemas(SCHEMA_DIR)
_problems = check_setup(Path("."), config, str(CONFIG_NAME), SCHEMAS)
if _problems:
    # A clear message, a non-zero exit, no traceback and no job started.
    sys.stderr.write(render_problems(_problems) + "\n")
    sys.exit(1)

onerror:
    # For each failed job (one stopped by bad input among them): its message first, then the last
    # lines of its log.
    print(failed_jobs_report(log), file=sys.stderr)


CASES = config["cases"]
# The stations of each ingest shard (analysis/inputs/shards.py): one ingest job per shard.
SHARDS = shard_members(CASES, config["ingest"]["shards"])
# Every participants.csv that may hold confidential names: what masks names or looks for them reads them all.
NAME_SOURCES = [str(p) for p in name_sources(Path("."), config["paths"]["cases"], CASES)]
#: Their index, written by the name_sources rule: what reads names waits for it, not for every file.
NAMES_INDEX = "results/validation/names.json"


def code_of(path):
    """A digest of a file of code and of the analysis modules it imports, directly or through other
    modules: a rule takes it as the parameter `code`, so it reruns when, and only when, code it runs
    changes."""
    return code_fingerprint(path, Path("."))


def code_for(script):
    """The digest of the code a rule's workflow/scripts/<script>.py runs (see code_of)."""
    return code_of(f"workflow/scripts/{script}.py")


#: The priority of the analyses whose jobs take longest at a province's size (the models, the
#: co-occurrence tests, the evidence matrices, reliability with its coverage check and its
#: disagreements, the coding tables):
#: once the corpus is there they start first, and the many short figure and table jobs fill the
#: cores beside them, instead of one long job running alone at the end of the build.
LONG_JOB = 10


#: A study of this many stations or more runs its script jobs in worker processes, one per core, so
#: that its heavy jobs use every core (jobs in this process share one interpreter lock); a smaller one
#: runs them here, where handing a job over would cost more than the job.
APART_FROM_STATIONS = 100


def run_rule_script(script, input, output, params, wildcards, log):
    """Run workflow/scripts/<script>.py for a job (from a `run:` block): inside this Snakemake process,
    where Python and the libraries are loaded once per build, or, for a large study, in one of the
    build's worker processes (analysis/cli/apart.py)."""
    job = Job(input, output, params, wildcards, log, config)
    if len(CASES) >= APART_FROM_STATIONS:
        run_script_apart(f"workflow/scripts/{script}.py", job, workflow.cores)
    else:
        run_script(f"workflow/scripts/{script}.py", job)


# The registry of every figure, table and topic of numbers the book shows (results/figures/<name>.png,
# results/tables/<name>.md, results/numbers/<topic>.json): report.smk makes their rules from it.
REGISTRY = Registry(Path("."), config)
FIGURES = REGISTRY.figure_names()
TABLES = REGISTRY.table_names()
NUMBER_TOPICS = REGISTRY.number_topics()
# The packages the reproducibility appendix lists (every locked package is in a CSV beside it).
KEY_PACKAGES = ["snakemake", "pandas", "numpy", "scipy", "statsmodels", "krippendorff", "networkx", "sympy",
                "matplotlib", "jsonschema", "pyarrow", "jupyter-book", "sphinx", "myst-parser", "sphinxcontrib-bibtex"]
PRIMARY_CODER = config["coders"]["primary"]
LANG = config["labels"]


def case_file(case, part):
    """One raw file of a case: its station.yaml, participants.csv or segments.csv."""
    return str(Path(config["paths"]["cases"]) / case / CASE_FILES[part])


def case_files(case):
    """Every raw file of one case: the three tables and its transcripts."""
    folder = Path(config["paths"]["cases"]) / case
    files = [case_file(case, part) for part in ("station", "participants", "segments")]
    return files + sorted(str(p) for p in (folder / "transcripts").glob("*.md"))


#: What validate_project leaves when the cases and what they share are valid: the pooled corpus,
#: and so every analysis, waits for it.
VALIDATED = "results/validation/project.json"


def shard_inputs(wildcards):
    """The raw files of the cases of the shard a job ingests (rule ingest_shard)."""
    return [path for case in SHARDS[wildcards.shard] for path in case_files(case)]


def shared_files(wildcards=None):
    """The raw files every case shares: the codebook, the context facts and the process-tracing evidence."""
    return [config["paths"][key] for key in SHARED_FILES]


def unsharded_files(wildcards=None):
    """The raw inputs no ingest shard reads: the configuration and the shared files."""
    return sorted({"config.yaml", str(CONFIG_NAME)}) + shared_files()


def schema_files(wildcards=None):
    return sorted(str(p) for p in SCHEMA_DIR.glob("*.yaml"))


def book_sources(wildcards=None):
    """The book's own files: chapters, configuration, bibliography, extensions and their style sheets."""
    paper = Path("paper")
    files = sorted(str(p) for p in paper.glob("*.md"))
    files += ["paper/_config.yml", "paper/_toc.yml", "paper/references.bib"]
    files += sorted(str(p) for p in (paper / "_ext").glob("*.py"))
    files += sorted(str(p) for p in (paper / "_ext" / "static").glob("*.css"))
    files += sorted(str(p) for p in (paper / "_latex").glob("*"))
    return files
