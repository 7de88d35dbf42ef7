"""``casebook new-case``: a case folder to fill in, and the case added to ``config.yaml``.

:func:`case_templates` makes the files of an empty case folder from the
schemas in ``workflow/schemas`` (so a field added there shows up here):
``station.yaml`` with every field and a comment saying what fits,
``participants.csv`` and ``segments.csv`` with their header only, a
``participants.EXAMPLE.md`` (CSV has no comments), ``transcripts/EXAMPLE.md.txt``
(not read: only ``*.md`` files are transcripts) and a ``README.md`` with the
next steps. With a REFI-QDA project (``--from``) the folder is filled by
:func:`analysis.exchange.refi_import.import_qdpx` instead.

:func:`add_case` adds the id to ``cases`` by a ruamel.yaml round trip, so the
comments, key order, quoting and flow style of the file stay as they are; it
refuses when anything but the ``cases`` entry would change.
:func:`run_new_case` writes the folder (all at once, through a staging folder)
and then the configuration (through a temporary file); if the configuration
cannot be written the folder is removed again.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
from pathlib import Path

import yaml

from analysis.inputs.io import (
    configured_cases,
    configured_paths,
    decode_utf8,
    read_yaml,
    show_path,
)
from analysis.inputs.problems import InputError, Problem
from analysis.inputs.yaml_bounded import load_yaml_text

#: What a field means, for the fields whose schema carries no description (from data/README.md).
MEANINGS = {
    "setting": "the station's setting",
    "operator_type": "who runs the station",
    "start_year": "the year the station opened",
    "synthetic": "true only for invented illustrative data; false for a real station",
    "note": "any remark about the station",
    "participant_id": "pseudonymous id, unique across all cases (convention <case>-Pnn)",
    "actor_type": "township/street official (government), station social worker, village or community cadre, "
                  "resident, volunteer or social organisation (volunteer_org)",
    "gender": "the person's gender, or undisclosed",
    "age_band": "the person's age band, or undisclosed",
}
#: Participant columns left out of the template header: confidential, for real data only (see the example file).
CONFIDENTIAL = ("name", "aliases")
#: Files of a new case folder, relative to it.
README_FILE = "README.md"
PARTICIPANTS_EXAMPLE = "participants.EXAMPLE.md"
TRANSCRIPT_EXAMPLE = "transcripts/EXAMPLE.md.txt"


def _allowed(spec: dict) -> str:
    """What values fit a field, in words.

    Examples
    --------
    >>> _allowed({"enum": ["town", "street"]}), _allowed({"type": "integer", "minimum": 0, "maximum": 50})
    ('one of: town, street', 'a whole number from 0 to 50')
    """
    if "enum" in spec:
        return "one of: " + ", ".join(map(str, spec["enum"]))
    kind = spec.get("type")
    if kind == "integer":
        low, high = spec.get("minimum"), spec.get("maximum")
        return f"a whole number from {low} to {high}" if low is not None and high is not None else "a whole number"
    return {"boolean": "true or false", "string": "text"}.get(kind, "a value")


def _meaning(name: str, spec: dict) -> str:
    return spec.get("description") or MEANINGS.get(name, "")


def station_template(case: str, schema: dict) -> str:
    """``station.yaml`` with every field of the station schema: the id and ``synthetic: false`` given, the rest to fill.

    A required field is left empty (YAML null) with ``TODO`` in its comment, so
    that ``casebook validate`` names it until it is filled; an optional field is
    commented out.

    Examples
    --------
    >>> schema = {"required": ["station_id", "staff", "synthetic"], "properties": {
    ...     "station_id": {"type": "string", "description": "pseudonymous id"},
    ...     "staff": {"type": "integer", "minimum": 0, "maximum": 50},
    ...     "synthetic": {"type": "boolean"}, "note": {"type": "string"}}}
    >>> print(station_template("S16", schema).split("\\n", 3)[3])
    station_id: S16           # text: pseudonymous id
    staff:                    # TODO a whole number from 0 to 50
    synthetic: false          # true or false: true only for invented illustrative data; false for a real station
    # note:                   # optional; text: any remark about the station
    <BLANKLINE>
    """
    lines = [f"# Station {case}: the attributes of one township (乡镇) or street (街道) social work station.",
             "# Write a value after every field marked TODO (the comment says what fits), then run `casebook validate`.",
             "# The fields are those of workflow/schemas/station.schema.yaml; data/README.md explains them."]
    required = set(schema.get("required", []))
    given = {"station_id": case, "synthetic": "false"}
    for name, spec in schema.get("properties", {}).items():
        meaning = _meaning(name, spec)
        hint = _allowed(spec) + (f": {meaning}" if meaning else "")
        if name in given:
            lines.append(f"{name}: {given[name]}".ljust(25) + f" # {hint}")
        elif name in required:
            lines.append(f"{name}:".ljust(25) + f" # TODO {hint}")
        else:
            lines.append(f"# {name}:".ljust(25) + f" # optional; {hint}")
    return "\n".join(lines) + "\n"


def _csv_header(schema: dict, leave_out: tuple[str, ...] = ()) -> str:
    return ",".join(c for c in schema.get("properties", {}) if c not in leave_out) + "\n"


def participants_example(case: str, schema: dict) -> str:
    """The explanation and an invented example of ``participants.csv``, which cannot hold comments itself."""
    required = set(schema.get("required", []))
    rows = []
    for name, spec in schema.get("properties", {}).items():
        need = "yes" if name in required else ("no; confidential, real data only" if name in CONFIDENTIAL else "no")
        meaning = _meaning(name, spec)
        fits = _allowed(spec) if "enum" in spec else (f"text matching `{spec['pattern']}`" if "pattern" in spec else "text")
        rows.append(f"| `{name}` | {need} | {fits}{'; ' + meaning if meaning else ''} |")
    return "\n".join([
        f"# participants.csv of case {case}: how to fill it in",
        "",
        "One row per person who took part, under the header row that `participants.csv` already holds.",
        "CSV has no comments, so the explanation and an example are here; the workflow does not read this file.",
        "",
        "| column | required | what to write |",
        "|---|---|---|",
        *rows,
        "",
        f"`{', '.join(CONFIDENTIAL)}` are not in the header: add them as columns only for real data whose",
        "transcripts name people. Ingest drops them and replaces every occurrence of a name in every",
        "transcript by the participant id, moving segment offsets to match (data/README.md).",
        "",
        "An invented example:",
        "",
        "```",
        _csv_header(schema, CONFIDENTIAL).rstrip("\n"),
        f"{case}-P01,government,乡镇（街道）干部,female,30-44",
        f"{case}-P02,social_worker,驻站社工,male,18-29",
        f"{case}-P03,resident,村民,female,60-74",
        "```",
        "",
    ])


def transcript_example(case: str) -> str:
    """An example transcript: the header fields with comments, and the speaker format of the body.

    Its name (``EXAMPLE.md.txt``) does not end in ``.md``, so it is not read as a transcript.
    """
    fields = [
        (f"id: {case}-D01", f"the file name without .md: save a transcript as transcripts/{case}-D01.md"),
        (f"participants: [{case}-P01]", "who speaks or is observed (ids in participants.csv); [] for a document"),
        ("date: 2024-05-20", "YYYY-MM-DD: when it was conducted or written"),
        ("interviewer: I1", "the interviewer's id, never a name"),
        ("kind: interview", "interview, focus_group, field_note or document"),
        ("language: zh", "optional: the language of the text"),
        ("synthetic: false", "optional: true only for invented illustrative data"),
        ("# coded_by: [C1, C2]", "optional: the coders who coded it independently (two or more: double-coded)"),
        ('# note: "..."', "optional: a remark about the document"),
    ]
    width = max(len(f) for f, _ in fields) + 2
    return "\n".join([
        "---",
        *(f"{f.ljust(width)}# {comment}" for f, comment in fields),
        "---",
        "**访谈者**：（访谈者的问题。一轮话一个段落，段落之间空一行。）",
        "",
        f"**{case}-P01**：（受访者的回答。说话人写成两个星号包住的参与者编号，后接全角冒号。）",
        "",
        "**访谈者**：……",
        "",
    ])


def case_readme(case: str, config_file: str) -> str:
    return "\n".join([
        f"# Case {case}: next steps",
        "",
        f"`casebook new-case {case}` made this folder and added {case} to `cases` in `{config_file}`.",
        "data/README.md describes every file; `casebook validate` lists what is still missing.",
        "",
        "1. `station.yaml`: write a value after every field marked TODO.",
        f"2. `participants.csv`: one row per person, ids `{case}-P01`, `{case}-P02`, ...",
        f"   (`{PARTICIPANTS_EXAMPLE}` explains the columns and gives an example).",
        "3. `transcripts/`: one UTF-8 Markdown file per interview, focus group, field note or document, named",
        f"   `<document id>.md` (`{case}-D01.md`, ...), with the header and the speaker turns shown in",
        f"   `{TRANSCRIPT_EXAMPLE}`. That example is not read (its name does not end in `.md`); delete it when done.",
        "4. `segments.csv`: the coded segments. Code the transcripts in a QDA program, then either",
        f"   `uv run casebook import-segments FILE.xlsx --case {case}` (its export of coded segments; the column",
        f"   mapping is `import.spreadsheet` in `{config_file}`) or `uv run casebook import-qdpx FILE.qdpx --case {case} --force`",
        "   (a REFI-QDA project; it replaces this whole folder).",
        "5. Every coder id used must be in `coders.known` of the configuration.",
        "6. `uv run casebook validate` until it reports no problem; then `bash workflow/run.sh build`.",
        "",
        "Delete this README and the EXAMPLE files once the case is filled in, or keep them: the workflow reads",
        "only station.yaml, participants.csv, segments.csv and transcripts/*.md.",
        "",
    ])


def case_templates(case: str, schemas: dict[str, dict], config_file: str = "config.yaml") -> dict[str, str]:
    """The files of a new, empty case folder (path relative to it -> text).

    ``schemas`` holds the ``station``, ``participants`` and ``segments`` schemas
    (:func:`analysis.inputs.schemas.load_schemas`).
    """
    return {
        "station.yaml": station_template(case, schemas["station"]),
        "participants.csv": _csv_header(schemas["participants"], CONFIDENTIAL),
        PARTICIPANTS_EXAMPLE: participants_example(case, schemas["participants"]),
        "segments.csv": _csv_header(schemas["segments"]),
        TRANSCRIPT_EXAMPLE: transcript_example(case),
        README_FILE: case_readme(case, config_file),
    }


# ---------------------------------------------------------------------------- the configuration


def add_case(text: str, case: str, shown: str = "config.yaml") -> str:
    """The configuration's text with ``case`` added at the end of ``cases``, and nothing else changed.

    A ruamel.yaml round trip keeps comments, key order, quoting and the flow or
    block style of the list; the indentation is guessed from the file. The
    result is checked: it must read as the old settings plus the new id, and
    differ from the old text only on the lines of ``cases``. Otherwise nothing
    is returned and :class:`InputError` says to add the id by hand.

    Examples
    --------
    >>> print(add_case("# the cases\\ncases: [S01, S02]        # two\\nlabels: 'zh'\\n", "S03"), end="")
    # the cases
    cases: [S01, S02, S03]   # two
    labels: 'zh'
    >>> print(add_case("a:\\n    b: 1\\ncases:\\n  - K01\\nx: 1\\n", "K02"), end="")
    a:
        b: 1
    cases:
      - K01
      - K02
    x: 1
    """
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    by_hand = f"add {case} to `cases` in {shown} by hand"
    try:
        _, indent, offset = load_yaml_guess_indent(text)
        load_yaml_text(text)
    except (YAMLError, yaml.YAMLError) as err:
        raise InputError([Problem(shown, "", f"the YAML does not parse ({str(err).splitlines()[0]})",
                                  "correct the configuration first (`casebook validate` shows where)")]) from None
    # ruamel guesses one indent: a block list's when the file has one, else a mapping's; try the layouts that fit it
    guessed = [(indent or 2, indent or 2, 0)] if offset is None else [(m, indent, offset) for m in (2, 4, indent)]
    changes: list = []
    for layout in dict.fromkeys([*guessed, (2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 6, 2)]):
        new, first, changes = _with_case(text, case, layout, shown)
        if new is not None:
            return new
    where = ", ".join(f"line {i1 + 1}" for _, i1, _, _, _ in changes[:3])
    raise InputError([Problem(shown, where, "the file cannot be rewritten with only the new id added "
                              "(its layout would change elsewhere, for instance a comment after the last id); "
                              "nothing was written", by_hand)])


def _with_case(text: str, case: str, layout: tuple[int, int, int], shown: str) -> tuple[str | None, int, list]:
    """One ruamel.yaml round trip with an indentation ``(mapping, sequence, offset)``; ``None`` unless only ``cases`` changed."""
    from ruamel.yaml import YAML
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    data = rt.load(text)
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise InputError([Problem(shown, "cases", "the configuration has no list `cases`",
                                  f"add `cases: [{case}]` to {shown}")])
    first = data.lc.key("cases")[0]
    last = max([first, *(cases.lc.item(i)[0] for i in range(len(cases)))])
    cases.append(case if isinstance(yaml.safe_load(case), str) else SingleQuotedScalarString(case))
    out = io.StringIO()
    rt.dump(data, out)
    new = out.getvalue()
    old_lines, new_lines = text.splitlines(keepends=True), new.splitlines(keepends=True)
    changes = [op for op in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes() if op[0] != "equal"]
    confined = all(first <= i1 and i2 <= last + 1 for _, i1, i2, _, _ in changes)
    expected = load_yaml_text(text)
    expected["cases"] = [*expected["cases"], case]
    return (new if confined and load_yaml_text(new) == expected else None), first, changes


# ---------------------------------------------------------------------------- the command


def _schemas(root: Path) -> dict[str, dict]:
    from analysis.inputs.schemas import schema_path

    problems: list[Problem] = []
    schemas = {kind: read_yaml(schema_path(root, kind), problems, Path(root))
               for kind in ("config", "station", "participants", "segments")}
    if problems:
        raise InputError(problems)
    return schemas


def check_new_id(case: str, pattern: str, configured: list, folder: Path, shown_config: str, shown_folder: str) -> None:
    """Refuse an id that does not fit the schema's pattern, is configured already, or has a folder (case aside)."""
    if not re.search(pattern, case or ""):
        raise InputError([Problem("ID", case, f"'{case}' is not a valid case id (it must match {pattern}: a letter, then up "
                                  "to 31 letters, digits, '_' or '-')", "give an id such as S16")])
    taken = {str(c).casefold(): str(c) for c in configured}
    if folder.parent.is_dir():
        taken.update({p.name.casefold(): p.name for p in folder.parent.iterdir() if p.name.casefold() not in taken})
    if case.casefold() in taken:
        other = taken[case.casefold()]
        where = shown_config if other in map(str, configured) else shown_folder
        raise InputError([Problem(where, "", f"the case id '{other}' exists already"
                                  + (" (ids that differ only in case would clash on some file systems)" if other != case else ""),
                                  "choose another id; to refill an existing case use `casebook import-qdpx --force` "
                                  "or edit its files")])


def run_new_case(root: Path, config_file: str, case: str, source: str | None = None, skip_missing: bool = False) -> str:
    """``casebook new-case``: write the case folder, then add the id to the configuration; return what to print."""
    from analysis.exchange.refi_commands import load_codebook
    from analysis.exchange.refi_import import import_qdpx, write_case
    from analysis.exchange.refi_map import CaseImport
    from analysis.exchange.refi_read import TODO_FILE
    from analysis.exchange.spreadsheet_merge import write_text_atomic

    root = Path(root)
    config_path = root / config_file
    problems: list[Problem] = []
    if not config_path.is_file():
        raise InputError([Problem(config_file, "", "the configuration file does not exist", "give --config an existing file")])
    raw = config_path.read_bytes()
    text = decode_utf8(raw, config_file, problems)
    if problems:
        raise InputError(problems)
    config = read_yaml(config_path, problems, root)
    if problems:
        raise InputError(problems)
    if not isinstance(config, dict):
        raise InputError([Problem(config_file, "", "the configuration is not a mapping of settings",
                                  "write config.yaml as `key: value` settings (see the README)")])
    schemas = _schemas(root)
    pattern = schemas["config"]["properties"]["cases"]["oneOf"][0]["items"]["pattern"]
    cases_dir = configured_paths(config)["cases"]
    target = root / cases_dir / case
    configured = configured_cases(root, config)
    check_new_id(case, pattern, configured, target, config_file, show_path(target, root))
    # With `cases: all` the new folder is analysed as it is; a list of cases gains the new id.
    new_text = add_case(text, case, config_file) if isinstance(config.get("cases"), list) else None
    if new_text is not None and b"\r\n" in raw:
        new_text = new_text.replace("\n", "\r\n")
    if source:
        coders = config.get("coders") if isinstance(config.get("coders"), dict) else {}
        book_path = configured_paths(config)["codebook"]
        result = import_qdpx(Path(source), case, load_codebook(root, root / book_path), book_path,
                             set(coders.get("known") or []), {*map(str, configured), case}, skip_missing=skip_missing)
    else:
        files = case_templates(case, schemas, config_file)
        result = CaseImport(case, {k: v.encode("utf-8") for k, v in files.items()}, [], [])
    written = write_case(result, root / cases_dir)
    written.chmod(written.parent.stat().st_mode & 0o777)  # the staging folder was private (mkdtemp)
    if new_text is not None:
        try:
            write_text_atomic(config_path, new_text)
        except InputError:
            shutil.rmtree(written)
            raise
    return _summary(case, show_path(written, root), config_file, new_text is not None, result, source, config, TODO_FILE)


def _summary(case: str, folder: str, config_file: str, added: bool, result, source: str | None, config: dict,
             todo_file: str) -> str:
    lines = [f"casebook: created case {case} in {folder}" + (f" from {source}" if source else "")
             + (f" and added it to `cases` in {config_file}" if added else f" (`cases: all` in {config_file} takes it in)"),
             "  files: " + ", ".join(sorted(result.files))]
    lines += [f"  {line}" for line in result.summary]
    lines.append("next:")
    if source:
        lines.append(f"  1. do what {folder}/{todo_file} lists ({len(result.todo)} item(s)), then delete it")
    else:
        lines.append(f"  1. fill in station.yaml, participants.csv and the transcripts; {folder}/{README_FILE} says how")
    lines += ["  2. uv run casebook validate   (it names every field still to fill)",
              "  3. bash workflow/run.sh build"]
    study = config.get("study") if isinstance(config.get("study"), dict) else {}
    if study.get("synthetic_data") is True:
        lines.append(f"note: {config_file} says study.synthetic_data: true; set it to false once the cases hold real data")
    return "\n".join(lines)
