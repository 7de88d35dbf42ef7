"""The tables the statistics commands take: ``casebook reliability`` a long ``unit,coder,value``
CSV, ``casebook qca`` a case x condition table of memberships. Read through :func:`read_table`,
checked row by row; every problem is reported, none raised.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.inputs.io import read_table
from analysis.inputs.problems import Problem

if TYPE_CHECKING:
    import pandas as pd


def read_ratings(path: Path, level: str, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a long ``unit,coder,value`` CSV for ``casebook reliability``, checking it for ``level``.

    A missing rating is an absent row. Problems: a missing column, a unit rated
    twice by one coder, a value that does not parse for the level, fewer than
    two coders, no unit with two ratings.
    """
    from analysis.methods.reliability import coerce_level

    shown = str(path)
    table = read_table(Path(path), problems)
    if table is None:
        return None
    missing = [c for c in ("unit", "coder", "value") if c not in table.columns]
    if missing:
        problems.append(Problem(shown, "line 1", f"the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                f"{'are' if len(missing) > 1 else 'is'} missing",
                                "give the file the header `unit,coder,value`, one row per rating"))
        return None
    table = table[table["value"] != ""]
    values, bad = coerce_level(table["value"].reset_index(drop=True), level)
    for i in bad[:5]:
        row = table.iloc[i]
        problems.append(Problem(shown, f"line {row['_line']}", f"the value '{row['value']}' is not a valid {level} value",
                                "use numbers for ordinal, interval and ratio levels (non-negative for ratio), "
                                "or choose --level nominal"))
    if len(bad) > 5:
        problems.append(Problem(shown, "", f"{len(bad) - 5} more values do not parse at the {level} level",
                                "correct them as above"))
    dup = table[table.duplicated(["unit", "coder"], keep=False)]
    for (unit, coder), grp in list(dup.groupby(["unit", "coder"]))[:5]:
        lines = ", ".join(map(str, grp["_line"]))
        problems.append(Problem(shown, f"lines {lines}", f"coder '{coder}' rates unit '{unit}' more than once",
                                "keep one rating per unit and coder"))
    if bad or len(dup):
        return None
    table = table.assign(value=values.to_numpy())
    if table["coder"].nunique() < 2:
        problems.append(Problem(shown, "", f"only {table['coder'].nunique()} coder rated anything",
                                "agreement needs the ratings of at least two coders"))
        return None
    if (table.groupby("unit").size() >= 2).sum() == 0:
        problems.append(Problem(shown, "", "no unit was rated by two or more coders",
                                "agreement needs units that at least two coders rated"))
        return None
    return table.drop(columns="_line")


def read_memberships(path: Path, columns: list[str], problems: list[Problem]) -> pd.DataFrame | None:
    """Read a QCA data CSV: the first column is the case id, the others memberships in [0, 1]."""
    import pandas as pd

    shown = str(path)
    table = read_table(Path(path), problems)
    if table is None:
        return None
    header = [c for c in table.columns if c != "_line"]
    if len(header) < 2:
        problems.append(Problem(shown, "line 1", "the file needs a case-id column and at least one set",
                                "write the case ids in the first column and one column per condition and outcome"))
        return None
    missing = [c for c in columns if c not in header[1:]]
    if missing:
        problems.append(Problem(shown, "line 1", f"the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                f"{'are' if len(missing) > 1 else 'is'} missing",
                                "name every condition and the outcome exactly as in the header (" + ", ".join(header[1:]) + ")"))
        return None
    out = pd.DataFrame({"case": table[header[0]].astype(str)})
    for col in columns:
        values = pd.to_numeric(table[col], errors="coerce")
        for line, raw, v in zip(table["_line"], table[col], values):
            if pd.isna(v) or not 0.0 <= v <= 1.0:
                problems.append(Problem(shown, f"line {line}", f"the {col} value '{raw}' is not a membership in [0, 1]",
                                        "give a number from 0 to 1 (crisp sets use 0 and 1)"))
        out[col] = values
    if len(out) < 2:
        problems.append(Problem(shown, "", f"only {len(out)} case{'s' if len(out) != 1 else ''}",
                                "a comparison needs at least two cases"))
    return None if problems else out
