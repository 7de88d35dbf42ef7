"""Every write the project makes: whole files or nothing, and CSV cells that a spreadsheet cannot run.

Every CSV the project writes, in the workflow and in the commands, goes through
:func:`csv_safe` (:func:`write_csv`, :func:`csv_text`); :func:`write_atomic` writes a whole file or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.inputs.problems import Problem

if TYPE_CHECKING:
    import pandas as pd


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename, so no half file is ever left.

    An existing file keeps its permissions; a new one gets the usual ones (0644 under the umask),
    not the private 0600 of a temporary file.
    """
    import os
    import shutil
    import tempfile

    from analysis.inputs.problems import InputError

    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with open(handle, "wb") as out:
            out.write(data)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        raise InputError([Problem(str(path), "", f"the file cannot be written ({err})",
                                  "check that the folder is writable and has room")]) from None
    finally:
        if tmp and Path(tmp).exists():
            Path(tmp).unlink()


#: A cell a spreadsheet program would run as a formula (OWASP, "CSV Injection"): one that
#: starts with = + - @, a tab or a carriage return, possibly after apostrophes that already
#: protect it (so that protecting is undone exactly by :func:`unsafe_cell`).
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_PROTECTED = re.compile(r"'+[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def safe_cell(value):
    """A text cell as the project writes it to CSV or XLSX: an apostrophe in front of a formula.

    Plain numbers (``-0.25``, ``+3``) are left alone; a value that is not text is returned as it is.

    Examples
    --------
    >>> [safe_cell(v) for v in ["=HYPERLINK(1)", "@SUM(A1)", "-0.25", "-", "'=x", "村民", 3]]
    ["'=HYPERLINK(1)", "'@SUM(A1)", '-0.25', '-', "''=x", '村民', 3]
    """
    if not isinstance(value, str) or not _FORMULA.match(value) or _NUMBER.fullmatch(value) or value in ("-", "+"):
        return value
    return "'" + value


def unsafe_cell(value: str) -> str:
    """The text :func:`safe_cell` protected, as it was.

    Examples
    --------
    >>> [unsafe_cell(safe_cell(v)) for v in ["=HYPERLINK(1)", "''=x", "-0.25", "a"]]
    ['=HYPERLINK(1)', "''=x", '-0.25', 'a']
    """
    return value[1:] if _PROTECTED.match(value) else value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are safe to open in a spreadsheet program."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def csv_text(header: list[str], rows) -> str:
    """A CSV file's text (``\\n`` line ends) from a header and rows (lists, or mappings keyed by
    the header, missing keys empty), formula cells protected.

    Examples
    --------
    >>> print(csv_text(["a", "b"], [{"a": "=1+1", "b": "x, y"}, ["2", ""]]), end="")
    a,b
    '=1+1,"x, y"
    2,
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        cells = [row.get(h, "") for h in header] if isinstance(row, dict) else row
        writer.writerow(["" if c is None else safe_cell(c) for c in cells])
    return out.getvalue()


def write_json(path: str | Path, data) -> None:
    """Write ``data`` as JSON (UTF-8, keys sorted, one-space indent, a final line end), whole or not at all."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_atomic(Path(path), text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as CSV (UTF-8, ``\\n`` line ends, no index), formula cells protected."""
    csv_safe(frame).to_csv(path, index=False, lineterminator="\n")
