"""The JSON schemas of the raw inputs, loaded once, and the checks of a value or a table against one.

Messages name the file, the row or key and the fix, and never repeat the offending value
(a value may be a confidential name).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from jsonschema import Draft202012Validator

from analysis.inputs.io import read_yaml
from analysis.inputs.problems import MAX_PER_FILE, STOPPED, InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

#: The folder of the schemas, in the project.
SCHEMA_FOLDER = Path("workflow") / "schemas"
#: Schema file for each kind of input, under ``workflow/schemas``.
SCHEMA_FILES = {
    "config": "config.schema.yaml",
    "codebook": "codebook.schema.yaml",
    "station": "station.schema.yaml",
    "participants": "participants.schema.yaml",
    "segments": "segments.schema.yaml",
    "transcript": "transcript.schema.yaml",
    "context": "context.schema.yaml",
    "process_tracing": "process_tracing.schema.yaml",
}


def schema_path(root: Path | str, kind: str) -> Path:
    """The schema file of one kind of input (``config``, ``codebook``, ``segments``, ...) in the project at ``root``."""
    return Path(root) / SCHEMA_FOLDER / SCHEMA_FILES[kind]


def load_schemas(folder: Path) -> dict[str, dict]:
    """Read the JSON schemas (written as YAML) the checks use.

    Read once per process while the files are unchanged (every validation and ingest job of a build
    runs in one process, and parsing YAML is most of what they spent); each caller gets its own copy.
    """
    import copy

    folder = Path(folder)
    stamp = []
    for name in SCHEMA_FILES.values():
        try:
            info = (folder / name).stat()
            stamp.append((name, info.st_mtime_ns, info.st_size))
        except OSError:
            stamp.append((name, None, None))  # read_yaml reports it
    return copy.deepcopy(_load_schemas(folder.resolve(), tuple(stamp)))


@functools.lru_cache(maxsize=8)
def _load_schemas(folder: Path, stamp: tuple) -> dict[str, dict]:
    problems: list[Problem] = []
    schemas = {kind: read_yaml(folder / name, problems) for kind, name in SCHEMA_FILES.items()}
    if problems:
        raise InputError(problems)
    return schemas


def _fix_for(schema: dict, path: list) -> str:
    node = schema
    for key in path:
        props = node.get("properties", {}) if isinstance(node, dict) else {}
        if key in props:
            node = props[key]
        elif isinstance(node, dict) and "items" in node and isinstance(key, int):
            node = node["items"]
        else:
            break
    if isinstance(node, dict) and "enum" in node:
        return "use one of: " + ", ".join(map(str, node["enum"]))
    if isinstance(node, dict) and "description" in node:
        return f"give a value that fits: {node['description']}"
    return "correct the value as the schema in workflow/schemas describes"


def _preview(value) -> str:
    """A value as a message may show it: short single-line scalars as they are, anything else by its kind and size.

    A message must never carry a file's content (a codebook path pointed at participants.csv
    would otherwise print its names), nor a value an alias bomb expands without bound.

    Examples
    --------
    >>> _preview("rural"), _preview(3), _preview("a\\nb"), _preview(["x"] * 9)
    ("'rural'", '3', 'a text of 3 characters', 'a list of 9 items')
    """
    if value is None:
        return "empty"
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, bool) else str(value).lower()
    if isinstance(value, str):
        if len(value) <= 40 and "\n" not in value:
            return repr(value)
        return f"a text of {len(value):,} characters"
    if isinstance(value, dict):
        return f"a mapping of {len(value):,} keys"
    if isinstance(value, list):
        return f"a list of {len(value):,} items"
    return f"a {type(value).__name__}"


#: JSON-schema types in words.
_TYPE_WORDS = {"object": "a mapping of fields", "array": "a list", "string": "a text", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "empty (null)"}


def _schema_message(err) -> str:
    """What one schema violation says, in words, quoting the offending value only through :func:`_preview`."""
    value, rule = err.instance, err.validator_value
    if err.validator == "type":
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in (rule if isinstance(rule, list) else [rule]))
        return f"should be {wanted}, but it is {_preview(value)}"
    if err.validator == "enum":
        return f"must be one of {rule}, not {_preview(value)}"
    if err.validator == "pattern":
        return f"{_preview(value)} does not have the required form ({rule})"
    if err.validator == "format":
        return f"{_preview(value)} is not a valid {rule}"
    if err.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "below the minimum", "maximum": "above the maximum", "exclusiveMinimum": "not above",
                "exclusiveMaximum": "not below"}[err.validator]
        return f"{_preview(value)} is {word} of {rule}"
    if err.validator in ("minItems", "minLength", "minProperties") and rule == 1:
        return "should be non-empty"
    if err.validator in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"):
        unit = {"Items": "items", "Length": "characters", "Properties": "fields"}[err.validator[3:]]
        return f"should have {'at least' if err.validator.startswith('min') else 'at most'} {rule} {unit}, but it is {_preview(value)}"
    if err.validator in ("oneOf", "anyOf"):
        return f"{_preview(value)} is none of the forms this field takes"
    if err.validator == "uniqueItems":
        return "lists an item more than once"
    if err.validator == "additionalProperties":
        extra = sorted(str(k) for k in value if k not in err.schema.get("properties", {})) if isinstance(value, dict) else []
        shown = ", ".join(repr(k if len(k) <= 40 else k[:37] + "...") for k in extra[:10])
        more = f" and {len(extra) - 10} more" if len(extra) > 10 else ""
        return f"the field{'s' if len(extra) > 1 else ''} {shown}{more} {'are' if len(extra) > 1 else 'is'} not allowed"
    if not isinstance(value, (dict, list)) and len(err.message) <= 200 and "\n" not in err.message:
        return err.message
    return f"{_preview(value)} breaks the schema's rule '{err.validator}'"


def check_schema(instance, schema: dict, file: str, where: str = "",
                 validator: Draft202012Validator | None = None) -> list[Problem]:
    """Validate one instance against a JSON schema, one problem per violation.

    Examples
    --------
    >>> schema = {"type": "object", "required": ["a"], "properties": {"a": {"enum": [1, 2]}}}
    >>> [p.what for p in check_schema({"a": 3}, schema, "x.yaml")]
    ["field 'a': must be one of [1, 2], not 3"]
    >>> [p.what for p in check_schema("participant_id,name\\nP1,王秀兰", schema, "x.yaml")]
    ['should be a mapping of fields, but it is a text of 26 characters']
    """
    problems = []
    validator = validator or Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [specific for err in validator.iter_errors(instance) for specific in _within_alternatives(err)]
    for err in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(err.absolute_path)
        name = ".".join(str(p) for p in path)
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            name = ".".join([*map(str, path), missing])
            what, fix = f"the required field '{name}' is missing", f"add '{name}' (see data/README.md)"
        elif err.validator == "additionalProperties":
            what = _schema_message(err) if not name else f"field '{name}': {_schema_message(err)}"
            fix = "remove or rename the field; data/README.md lists the allowed fields"
        else:
            what = f"field '{name}': {_schema_message(err)}" if name else _schema_message(err)
            fix = _fix_for(schema, path)
        problems.append(Problem(file, where, what, fix))
    return problems


def _within_alternatives(err) -> list:
    """For a value that fits none of a field's alternatives (``oneOf``/``anyOf``), the errors of the
    alternatives of its own kind (``cases: [1]``: item 0 is not a text; ``cases: []``: too few
    items); a value of no alternative's kind keeps the one error that lists the alternatives."""
    if err.validator in ("oneOf", "anyOf") and err.context:
        deeper = [e for e in err.context if e.relative_path or e.validator not in ("type", "const", "enum")]
        if deeper:
            return [specific for e in deeper for specific in _within_alternatives(e)]
    return [err]


def _typed_row(row: dict, schema: dict) -> dict:
    """Drop empty cells and turn integer/number columns into numbers where they parse."""
    out = {}
    props = schema.get("properties", {})
    for key, value in row.items():
        if value == "":
            continue
        kind = props.get(key, {}).get("type")
        if kind == "integer":
            try:
                value = int(value)
            except ValueError:
                pass
        elif kind == "number":
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                pass
        out[key] = value
    return out


def check_table(frame: pd.DataFrame, schema: dict, file: str) -> list[Problem]:
    """Check a CSV table read by :func:`analysis.inputs.io.read_table` against a row schema.

    Missing and unknown columns are reported once; every row is then checked and
    reported by its line in the file.
    """
    columns = [c for c in frame.columns if c != "_line"]
    props = schema.get("properties", {})
    missing = [c for c in schema.get("required", []) if c not in columns]
    unknown = [c for c in columns if c not in props]
    problems = [Problem(file, "line 1", f"the required column '{c}' is missing",
                        f"add a column '{c}' to the header row (see data/README.md)") for c in missing]
    problems += [Problem(file, "line 1", f"the column '{c}' is not part of this table",
                         "remove or rename it; allowed columns: " + ", ".join(props)) for c in unknown]
    if missing or unknown:
        return problems
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    doubtful = _rows_in_doubt(frame, schema)
    rows = frame[doubtful].to_dict("records") if doubtful is not None else frame.to_dict("records")
    positions = doubtful.to_numpy().nonzero()[0] if doubtful is not None else range(len(frame))
    for position, row in zip(positions, rows):
        line = row.pop("_line")
        problems += check_schema(_typed_row(row, schema), schema, file, f"line {line}", validator)
        if len(problems) >= MAX_PER_FILE and position + 1 < len(frame):
            problems.append(Problem(file, f"line {line}", f"{STOPPED} after {len(problems)} problems; the "
                                    f"{len(frame) - position - 1:,} rows after this line were not checked",
                                    "correct the problems above (they may share one cause), then validate again"))
            break
    return problems


#: The row-schema keywords :func:`_rows_in_doubt` can check column by column; a schema with any
#: other is checked row by row throughout.
_SCREENED_TOP = {"$schema", "description", "type", "required", "additionalProperties", "properties"}
_SCREENED_FIELD = {"type", "pattern", "enum", "minimum", "maximum", "description"}
_WHOLE_NUMBER = r"[0-9]{1,15}"
_DECIMAL = r"-?[0-9]{1,15}(\.[0-9]{1,15})?"


def _rows_in_doubt(frame: pd.DataFrame, schema: dict) -> pd.Series | None:
    """The rows a column-by-column screen cannot vouch for; only these are checked against the row
    schema one by one (which gives each problem its words). None: the schema holds a rule the
    screen does not know, and every row is checked.

    The screen vouches for a row only when each of its cells passes, in a plain form, every rule
    of its column (a required cell is not empty; an integer is digits; a number plain decimals;
    an enum cell one of the values; a pattern found), so a row it lets through is one the row
    schema accepts; a row it doubts may still be valid (``+5``, `` 7``) and is then checked in full.
    It loops over plain lists: a station's tables are small, and pandas' cost per operation would
    outweigh the work.

    >>> import pandas as pd
    >>> schema = {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 1},
    ...                                                               "b": {"enum": ["x", "y"]}}}
    >>> frame = pd.DataFrame({"a": ["3", "0", "", "+2"], "b": ["x", "", "y", "z"], "_line": [2, 3, 4, 5]})
    >>> _rows_in_doubt(frame, schema).tolist()
    [False, True, True, True]
    """
    import re

    import pandas as pd

    if set(schema) - _SCREENED_TOP or schema.get("type") != "object":
        return None
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    doubt = [False] * len(frame)
    for column in [c for c in frame.columns if c != "_line"]:
        spec = props.get(column, {})
        kind = spec.get("type")
        if set(spec) - _SCREENED_FIELD or kind not in (None, "string", "integer", "number"):
            return None
        if kind not in ("integer", "number") and ("minimum" in spec or "maximum" in spec):
            return None
        cells = frame[column].tolist()
        if not all(type(cell) is str for cell in cells):
            return None
        plain = re.compile(_WHOLE_NUMBER if kind == "integer" else _DECIMAL).fullmatch if kind in ("integer", "number") else None
        low, high = spec.get("minimum"), spec.get("maximum")
        allowed = {v for v in spec["enum"] if isinstance(v, str)} if "enum" in spec else None
        found = re.compile(spec["pattern"]).search if "pattern" in spec else None
        is_required = column in required
        for k, cell in enumerate(cells):
            if doubt[k]:
                continue
            if cell == "":
                doubt[k] = is_required
                continue
            if plain is not None:
                if not plain(cell):
                    doubt[k] = True
                    continue
                value = float(cell)
                if (low is not None and value < low) or (high is not None and value > high):
                    doubt[k] = True
                    continue
            if (allowed is not None and cell not in allowed) or (found is not None and not found(cell)):
                doubt[k] = True
    return pd.Series(doubt, index=frame.index)


def typed_table(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """Convert a checked table's integer and number columns to numeric dtypes."""
    import pandas as pd

    out = frame.copy()
    for col, spec in schema.get("properties", {}).items():
        if col in out and spec.get("type") in ("integer", "number"):
            out[col] = pd.to_numeric(out[col], errors="coerce")
            if spec.get("type") == "integer":
                out[col] = out[col].astype("Int64")
    return out


def fill_defaults(config: dict, schema: dict) -> dict:
    """Fill in, in place, every setting the configuration leaves out that its schema gives a
    ``default`` for (nested mappings included), so that code reads ``config[...]`` and the
    default is written once, in the schema.

    Examples
    --------
    >>> schema = {"properties": {"figures": {"type": "object", "default": {},
    ...                                      "properties": {"dpi": {"type": "integer", "default": 150}}}}}
    >>> fill_defaults({}, schema)
    {'figures': {'dpi': 150}}
    >>> fill_defaults({"figures": {"dpi": 300}}, schema)
    {'figures': {'dpi': 300}}
    """
    import copy

    stack = [(config, schema)]
    while stack:
        value, sub = stack.pop()
        if not isinstance(value, dict):
            continue
        for key, spec in sub.get("properties", {}).items():
            if key not in value and "default" in spec:
                value[key] = copy.deepcopy(spec["default"])
            if key in value and isinstance(spec, dict):
                stack.append((value[key], spec))
    return config
