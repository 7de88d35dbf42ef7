"""The ``casebook`` command line.

Subcommands (``casebook --help`` lists them):

- ``validate``: read and check the configuration and every raw input; print
  every problem found, not only the first.
- ``synth [--stations N]``: regenerate the SYNTHETIC illustrative corpus from
  the bank, the design and the seed in the configuration, at any size.
- ``reliability FILE --level L``: agreement coefficients for a long
  ``unit,coder,value`` CSV, printed as one JSON object.
- ``qca FILE --outcome Y --conditions A,B,C``: the truth table and the
  conservative, parsimonious and intermediate solutions as one JSON object.
- ``import-qdpx FILE --case ID``: a REFI-QDA project as a new case folder,
  written all at once or not at all, with a summary and a to-do list;
  ``export-qdpx --case ID --out FILE`` and ``export-qdc --out FILE``: a case,
  and the codebook, the other way (analysis/exchange/refi_*.py).
- ``import-segments FILE --case ID``: a QDA program's spreadsheet (CSV or
  XLSX) of coded segments into the case's segments.csv, written at once or
  not at all (analysis/exchange/spreadsheet*.py).
- ``new-case ID [--from FILE.qdpx]``: a case folder to fill in (or imported
  from a REFI-QDA project), and the id added to ``cases`` in the configuration
  (analysis/casework/new_case.py).
- ``recover``: release the lock a killed build left behind, when no Snakemake
  process runs in the folder (``workflow/run.sh build`` runs it first).
- ``diff OLD NEW``: every number, table and figure that differs between two
  built results folders or two commits, with old and new values and the pages
  of the book that use it (analysis/cli/diff.py); it exits as diff(1) does: 0
  when nothing changed, 1 when something did, 2 on trouble.

Every command exits 0 when it has done its work; 2 on bad input (or a state the
user must change first, such as a build still running), with a message naming the
file, the line and the fix, every form of a confidential name in it masked, and
no traceback; 1 on an internal error, with what happened in one line and the
traceback below it, which is worth reporting.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from analysis.inputs.io import configured_cases, configured_paths, load_config
from analysis.inputs.problems import InputError, Problem, render_problems


def cmd_validate(args) -> int:
    from analysis.inputs.schemas import SCHEMA_FOLDER, load_schemas
    from analysis.inputs.validate import validate_project

    root = Path(args.root)
    config = load_config(root, args.config)
    schemas = load_schemas(root / SCHEMA_FOLDER)
    project, problems = validate_project(root, config, args.config, schemas)
    if problems:
        raise InputError(problems)
    n_docs = sum(len(c.transcripts) for c in project.cases.values())
    n_seg = sum(len(c.segments) for c in project.cases.values() if c.segments is not None)
    print(f"casebook: the input is valid: {len(project.cases)} cases, {n_docs} transcripts, {n_seg} coded segments.")
    return 0


def cmd_synth(args) -> int:
    from analysis.casework.synthetic.generator import generate

    root = Path(args.root)
    if args.stations is not None and args.stations < 1:
        raise InputError([Problem("--stations", "", f"{args.stations} stations: a corpus needs at least one",
                                  "give --stations a whole number of 1 or more")])
    config = load_config(root, args.config) if args.seed is None or (root / args.config).is_file() else {}
    if args.seed is None:
        seeds = config.get("seeds")
        if not isinstance(seeds, dict) or not isinstance(seeds.get("synthetic"), int):
            raise InputError([Problem(args.config, "seeds.synthetic", "no integer seed for the synthetic corpus",
                                      "set seeds.synthetic in the configuration, or pass --seed")])
        args.seed = seeds["synthetic"]
    seed = args.seed
    dest = Path(args.dest)
    _check_synth_destination(dest)
    files = generate(seed, stations=args.stations)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".synth-", dir=dest.parent))
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    stations = sorted({rel.split("/")[0] for rel in files})
    print(f"casebook: wrote {len(files)} files of {len(stations)} SYNTHETIC stations (seed {seed}) to {dest}")
    listed = config.get("cases")
    if isinstance(listed, list) and set(map(str, listed)) != set(stations):
        print(f"note: {args.config} lists {len(listed)} case(s) in `cases`; set `cases: all` to analyse every "
              f"station in {configured_paths(config)['cases']}")
    return 0


def cmd_reliability(args) -> int:
    import json

    from analysis.inputs.command_tables import read_ratings
    from analysis.methods.reliability import reliability_report

    problems: list[Problem] = []
    ratings = read_ratings(Path(args.file), args.level, problems)
    if problems:
        raise InputError(problems)
    print(json.dumps(reliability_report(ratings, args.level), indent=2))
    return 0


def _check_synth_destination(dest: Path) -> None:
    """Refuse to replace a folder that is not a folder of case folders (it is deleted first)."""
    if not dest.exists():
        return
    if not dest.is_dir():
        raise InputError([Problem(str(dest), "", "the destination exists and is not a folder",
                                  "choose a new folder, or the folder of case folders to regenerate")])
    strays = [p.name for p in dest.iterdir() if not (p.is_dir() and (p / "station.yaml").is_file())]
    if strays:
        raise InputError([Problem(str(dest), "", f"the folder holds more than case folders ({', '.join(sorted(strays)[:5])})",
                                  "synth replaces the whole folder: point --dest at data/cases or at a new folder")])


def _dir_exp(text: str | None, conditions: list[str], problems: list[Problem]) -> dict:
    """Parse ``A=1,B=0,C=-`` into {A: 1, B: 0, C: None}; ``-`` (or a condition left out) is R QCA's
    "don't care": either value may be assumed."""
    out: dict = {}
    for part in filter(None, (text or "").split(",")):
        name, _, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if name not in conditions or value not in ("1", "0", "-"):
            problems.append(Problem("--dir-exp", part, "not a directional expectation of a condition",
                                    "write CONDITION=1, CONDITION=0 or CONDITION=- for conditions named in --conditions"))
            continue
        out[name] = None if value == "-" else int(value)
    return out


def cmd_qca(args) -> int:
    import json

    from analysis.inputs.command_tables import read_memberships
    from analysis.methods.qca import report, solve

    problems: list[Problem] = []
    conditions = [c.strip() for c in args.conditions.split(",") if c.strip()]
    outcome = args.outcome.strip()
    name = outcome.removeprefix("~")
    if not conditions:
        problems.append(Problem("--conditions", "", "no condition was named", "list the conditions, e.g. --conditions A,B,C"))
    if name in conditions:
        problems.append(Problem("--outcome", "", f"'{name}' is also a condition", "the outcome cannot be a condition"))
    if not 0.0 <= args.incl_cut <= 1.0:
        problems.append(Problem("--incl-cut", "", f"{args.incl_cut} is outside [0, 1]", "give a consistency cut-off from 0 to 1"))
    if not 0.0 <= args.pri_cut <= 1.0:
        problems.append(Problem("--pri-cut", "", f"{args.pri_cut} is outside [0, 1]", "give a PRI cut-off from 0 to 1"))
    if args.n_cut < 1:
        problems.append(Problem("--n-cut", "", f"{args.n_cut} is below 1", "give a frequency cut-off of at least 1"))
    expectations = _dir_exp(args.dir_exp, conditions, problems)
    data = None if problems else read_memberships(Path(args.file), [*conditions, name], problems)
    if problems:
        raise InputError(problems)
    result = solve(data, conditions, outcome, incl_cut=args.incl_cut, n_cut=args.n_cut, dir_exp=expectations,
                   pri_cut=args.pri_cut)
    print(json.dumps(report(result), indent=2, ensure_ascii=False))
    return 0


def _exchange(run, **kwargs) -> int:
    """Run an import or export command: its summary to stdout (its problems reach main)."""
    print(run(**kwargs))
    return 0


def cmd_import_qdpx(args) -> int:
    from analysis.exchange.qdpx_safety import Limits
    from analysis.exchange.refi_commands import run_import

    limits = Limits(max_members=args.max_members, max_bytes=args.max_mib * 2**20, max_elements=args.max_elements)
    return _exchange(run_import, root=Path(args.root), config_file=args.config, file=Path(args.file), case=args.case,
                     dest=args.dest, codebook=args.codebook, force=args.force, limits=limits, update=args.update,
                     skip_missing=args.skip_missing)


def cmd_export_qdpx(args) -> int:
    from analysis.exchange.refi_commands import run_export_qdpx

    return _exchange(run_export_qdpx, root=Path(args.root), config_file=args.config, case=args.case, out=args.out,
                     codebook=args.codebook, labels=args.labels, xsd=args.xsd, target=args.target)


def cmd_export_qdc(args) -> int:
    from analysis.exchange.refi_commands import run_export_qdc

    return _exchange(run_export_qdc, root=Path(args.root), config_file=args.config, out=args.out,
                     codebook=args.codebook, labels=args.labels)


def cmd_import_segments(args) -> int:
    from analysis.exchange.spreadsheet_merge import run_import_segments

    return _exchange(run_import_segments, root=Path(args.root), config_file=args.config, file=Path(args.file),
                     case=args.case, sheet=args.sheet, coder=args.coder, mode=args.mode)


def cmd_new_case(args) -> int:
    from analysis.casework.new_case import run_new_case

    return _exchange(run_new_case, root=Path(args.root), config_file=args.config, case=args.id, source=args.source,
                     skip_missing=args.skip_missing)


def cmd_diff(args) -> int:
    from analysis.cli.diff import run_diff

    report, status = run_diff(Path(args.root), args.old, args.new, paper=args.paper, fmt=args.format,
                              cap=args.max_cells)
    sys.stdout.write(report)
    return status


def cmd_recover(args) -> int:
    """Release the lock a killed build left in .snakemake/locks, when no Snakemake runs in the folder."""
    from analysis.cli.jobs import stale_lock

    root = Path(args.root)
    state = stale_lock(root)
    if state is None:
        print("casebook: no build lock here; nothing to recover")
        return 0
    if state is False:
        print("casebook: a Snakemake process is running in this folder; wait for it to finish (or stop it), "
              "then run the build again", file=sys.stderr)
        return BAD_INPUT
    # What `snakemake --unlock` does, without parsing the workflow (which stops on any bad input).
    for lock in sorted((root / ".snakemake" / "locks").iterdir()):
        lock.unlink()
    print("casebook: an earlier build was interrupted; its lock is released (no Snakemake runs here), and the next "
          "build redoes the jobs it left unfinished")
    return 0


COMMANDS = {"recover": cmd_recover, "validate": cmd_validate, "synth": cmd_synth, "reliability": cmd_reliability, "qca": cmd_qca,
            "import-qdpx": cmd_import_qdpx, "export-qdpx": cmd_export_qdpx, "export-qdc": cmd_export_qdc,
            "import-segments": cmd_import_segments, "new-case": cmd_new_case, "diff": cmd_diff}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casebook", description="The He Project compendium's command line.")
    parser.add_argument("--root", default=".", help="the project folder (default: the current folder)")
    parser.add_argument("--config", default="config.yaml", help="configuration file, relative to --root")
    sub = parser.add_subparsers(dest="command", required=True)
    _config_option(sub.add_parser("validate", help="check the configuration and every raw input; print every problem"))
    sub.add_parser("recover", help="release the lock a killed build left (when no Snakemake runs here); "
                                   "`workflow/run.sh build` does this itself")
    synth = sub.add_parser("synth", help="regenerate the SYNTHETIC illustrative corpus")
    synth.add_argument("--dest", default="data/cases", help="folder to write the case folders to (replaced)")
    synth.add_argument("--seed", type=int, default=None, help="seed (default: seeds.synthetic in the config)")
    synth.add_argument("--stations", type=int, default=None, metavar="N",
                       help="number of stations (default: the design's 15, the committed corpus); a larger corpus "
                            "begins with the same 15")
    rel = sub.add_parser("reliability", help="agreement coefficients for a long CSV with columns unit,coder,value")
    rel.add_argument("file", help="CSV: one row per rating; a missing rating is an absent row")
    rel.add_argument("--level", choices=["nominal", "ordinal", "interval", "ratio"], default="nominal",
                     help="level of measurement for Krippendorff's alpha (default: nominal)")
    qca = sub.add_parser("qca", help="crisp or fuzzy-set QCA of a CSV (first column: case id; others: memberships)")
    qca.add_argument("file", help="CSV whose first column is the case id and whose other columns are memberships in [0, 1]")
    qca.add_argument("--outcome", required=True, help="the outcome column; ~Y analyses the negated outcome")
    qca.add_argument("--conditions", required=True, help="condition columns, comma-separated, in the order to report")
    qca.add_argument("--incl-cut", type=float, default=1.0, help="consistency cut-off for a positive row (default 1)")
    qca.add_argument("--n-cut", type=int, default=1, help="minimum cases for a row not to be a remainder (default 1)")
    qca.add_argument("--pri-cut", type=float, default=0.0,
                     help="PRI cut-off for a positive row, as the workflow's qca.pri_cut (default 0: no PRI cut)")
    qca.add_argument("--dir-exp", default=None, help="directional expectations for the intermediate solution, e.g. A=1,B=0,C=-")
    _refi_parsers(sub)
    _case_parsers(sub)
    _diff_parser(sub)
    return parser


def _diff_parser(sub) -> None:
    diff = sub.add_parser("diff", help="every number, table and figure that changed between two builds, with the "
                                       "pages of the book that use it (exit 0: none, 1: some, 2: trouble)")
    for side in ("old", "new"):
        diff.add_argument(side, help=f"the {side.upper()} build: a built results folder (or the project folder "
                                     "holding it), or a git commit, branch or tag (checked out into a temporary "
                                     "worktree and built there)")
    diff.add_argument("--paper", default=None, metavar="DIR",
                      help="the chapters whose pages are named (default: NEW's paper/, else the repository's)")
    diff.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                      help="plain text grouped by page (default), Markdown, or JSON")
    diff.add_argument("--max-cells", type=int, default=10, metavar="N",
                      help="list at most N changed cells (rows, lines) of each table, and count the rest (default 10)")


def _config_option(command) -> None:
    """``--config`` after the subcommand too; given there, it overrides the one before it."""
    command.add_argument("--config", default=argparse.SUPPRESS, help="configuration file, relative to --root")


def _case_parsers(sub) -> None:
    """Filling a case: coded segments from a spreadsheet, and a new case folder."""
    seg = sub.add_parser("import-segments", help="import coded segments from a QDA spreadsheet export (CSV or XLSX)")
    seg.add_argument("file", help="the spreadsheet: one row per coded segment (document, code, coder, text or offsets)")
    seg.add_argument("--case", required=True, help="the case whose segments.csv receives the segments")
    seg.add_argument("--sheet", default=None, help="worksheet of an .xlsx file (default: import.spreadsheet.sheet, else the first)")
    seg.add_argument("--coder", default=None, help="coder id of every row (when the spreadsheet has no coder column)")
    mode = seg.add_mutually_exclusive_group()
    mode.add_argument("--replace", dest="mode", action="store_const", const="replace",
                      help="replace the existing segments of the coder(s) being imported")
    mode.add_argument("--append", dest="mode", action="store_const", const="append",
                      help="add to the existing segments (an exact duplicate is an error)")
    _config_option(seg)
    new = sub.add_parser("new-case", help="create a case folder to fill in and add the case to the configuration")
    new.add_argument("id", help="the new case id (a letter, then letters, digits, '_' or '-')")
    new.add_argument("--from", dest="source", default=None, metavar="FILE.qdpx",
                     help="fill the folder from a REFI-QDA project instead of templates")
    new.add_argument("--skip-missing", action="store_true", help=SKIP_MISSING_HELP)
    _config_option(new)


#: The help of --skip-missing, shared by import-qdpx and new-case --from.
SKIP_MISSING_HELP = ("when the archive lacks some source texts, import the sources it has and list the ones left out "
                     "(without it every missing source is named and nothing is written)")


def _refi_parsers(sub) -> None:
    """The REFI-QDA exchange subcommands (analysis/exchange/refi_*.py)."""
    from analysis.exchange.qdpx_safety import MAX_BYTES, MAX_ELEMENTS, MAX_MEMBERS

    imp = sub.add_parser("import-qdpx", help="import a REFI-QDA project (.qdpx) as a new case folder")
    imp.add_argument("file", help="the .qdpx file exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or another QDA program")
    imp.add_argument("--case", required=True, help="id of the new case (names its folder; prefixes new ids)")
    imp.add_argument("--dest", default=None, help="folder of case folders (default: paths.cases in the config)")
    imp.add_argument("--codebook", default=None, help="codebook to match codes against (default: paths.codebook)")
    imp.add_argument("--force", action="store_true", help="replace an existing case folder")
    imp.add_argument("--update", action="store_true",
                     help="coding back from a QDA program: replace only segments.csv of the existing case, from a "
                          "project made by export-qdpx (its transcripts must be unchanged)")
    imp.add_argument("--skip-missing", action="store_true", help=SKIP_MISSING_HELP)
    imp.add_argument("--max-mib", type=int, default=MAX_BYTES // 2**20, help="cap on the bytes decompressed, in MiB")
    imp.add_argument("--max-members", type=int, default=MAX_MEMBERS, help="cap on the members of the archive")
    imp.add_argument("--max-elements", type=int, default=MAX_ELEMENTS, help="cap on the XML elements of project.qde")
    exp = sub.add_parser("export-qdpx", help="export a case as a REFI-QDA project (.qdpx)")
    exp.add_argument("--case", required=True, help="the case to export")
    exp.add_argument("--out", required=True, help="the .qdpx file to write")
    exp.add_argument("--xsd", default=None, help="check project.qde against this REFI-QDA-Project.xsd before writing")
    # the keys of refi_export.TARGETS, kept equal by a test: importing it here would slow every command's start
    exp.add_argument("--for", dest="target", default="standard",
                     choices=["standard", "nvivo", "atlasti", "maxqda", "qualcoder"],
                     help="the program that will read the export: how it counts positions and the line ends its "
                          "text files get (default: the REFI-QDA standard, Unicode characters over LF text)")
    qdc = sub.add_parser("export-qdc", help="export the codebook as a REFI-QDA codebook (.qdc)")
    qdc.add_argument("--out", required=True, help="the .qdc file to write")
    for command in (exp, qdc):
        command.add_argument("--codebook", default=None, help="codebook to export (default: paths.codebook)")
        command.add_argument("--labels", choices=["zh", "en"], default=None, help="language of code names (default: labels)")


#: The exit statuses every command keeps to.
DONE, INTERNAL_ERROR, BAD_INPUT = 0, 1, 2


def _known_names(args):
    """The name matcher of the project, from every participants file that can be read; ``None`` when
    the configuration cannot be (a message is masked with what is known: it must never be what
    prints a name)."""
    from analysis.inputs.names import gather_names, name_sources

    root = Path(args.root)
    try:
        config = load_config(root, args.config)
    except InputError:
        return None
    cases = configured_cases(root, config)
    return gather_names(name_sources(root, str(configured_paths(config)["cases"]), cases), [], root, config)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as err:
        names = _known_names(args)
        print(render_problems([p.masked(names) for p in err.problems]), file=sys.stderr)
        return BAD_INPUT
    except Exception as err:  # a bug, not the user's input: say so, with the traceback to report
        import traceback

        from analysis.inputs.problems import failure_text

        print(failure_text(err).replace("its log has the traceback", "the traceback is below"), file=sys.stderr)
        traceback.print_exc()
        # diff's 1 says "something changed", as diff(1)'s does; its trouble of every kind is 2
        return BAD_INPUT if args.command == "diff" else INTERNAL_ERROR
