"""``casebook diff OLD NEW``: what changed between two builds, and where the book shows it.

OLD and NEW are each a built results folder (``results/``, or a project folder that holds one) or
a git commit of the repository. A commit is checked out into a temporary worktree (``git worktree
add --detach``) and built there with the workflow's default profile, unless the commit carries
its own results; the worktree is removed afterwards. The comparison covers

- the numbers (``results/numbers/*.json``, ``{key: {"value", "rule", "function"}}``): keys added,
  removed and changed, old and new value;
- the tables (``results/tables/<name>.csv``, ``.parquet`` and ``.md``): for a changed table the
  cells that changed, by row key and column, and the rows and columns added or removed (from the
  CSV or Parquet file; the lines of the Markdown when only it changed);
- the figures (``results/figures/*``): by SHA-256, with the share of pixels that differ when
  Pillow can read both images;

and each change is placed on the book's pages that use it: a ``{{ key }}`` substitution or a
``results/tables/<name>`` / ``results/figures/<name>`` include in ``paper/*.md`` (page
``<stem>.html``, titled by its first ``#`` heading). The report is plain text grouped by page,
Markdown, or JSON. The exit status follows diff(1): 0 when nothing changed, 1 when something
did, 2 on trouble (a folder that is not a built results folder, a commit that does not build).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from analysis.inputs.problems import InputError, Problem

#: The exit statuses, as diff(1)'s.
SAME, DIFFERENT, TROUBLE = 0, 1, 2
#: The kinds of output compared, in the order a report lists them on a page with no line to go by.
KINDS = ("number", "table", "figure")
#: Table files, the one whose cells are compared first.
TABLE_SUFFIXES = (".csv", ".parquet", ".md")
#: At most this many leading columns make a table's row key.
MAX_KEY_COLUMNS = 3
#: How long a value may be in a text or Markdown report before its unchanged ends are cut.
SHOWN_CHARS = 120

_USE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_INCLUDE = re.compile(r"results/(tables|figures)/([A-Za-z0-9_.\-]+)")
_BUILD_FIX = "build it first with `bash workflow/run.sh build` (or `snakemake --workflow-profile workflow/profiles/default`)"


@dataclass
class Side:
    """One side of the comparison: its results folder, its book's chapters, and what it is."""

    spec: str
    results: Path
    paper: Path | None
    what: str
    #: How the report names ``paper`` (a worktree's path means nothing once it is removed).
    paper_what: str | None = None


@dataclass
class Change:
    """One number, table or figure that differs: ``status`` is added, removed or changed."""

    kind: str
    name: str
    status: str
    old: object = None
    new: object = None
    details: dict = field(default_factory=dict)
    pages: list = field(default_factory=list)


# --- the two sides -------------------------------------------------------------------------------


def _is_results(folder: Path) -> bool:
    return folder.is_dir() and any((folder / "numbers").glob("*.json"))


def _paper_beside(results: Path) -> Path | None:
    paper = results.parent / "paper"
    return paper if any(paper.glob("*.md")) else None


def _folder_side(spec: str, folder: Path) -> Side:
    """A results folder given by path; a project folder stands for its ``results/``."""
    for candidate in (folder, folder / "results"):
        if _is_results(candidate):
            return Side(spec, candidate, _paper_beside(candidate), f"results folder {candidate}")
    raise InputError([Problem(str(folder), "", "not a built results folder: it holds no numbers/*.json (nor does "
                              "a results/ folder inside it)", f"{_BUILD_FIX} in its project, then give its results folder")])


def _git(top: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True)
    except FileNotFoundError:  # no git on this machine: no commit can be named
        return subprocess.CompletedProcess(["git", *args], 127, "", "git is not installed")


def _repository(root: Path) -> Path | None:
    found = _git(root, "rev-parse", "--show-toplevel")
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def _commit(top: Path, spec: str) -> str | None:
    found = _git(top, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    return found.stdout.strip() if found.returncode == 0 else None


def build_tree(tree: Path, log: Path) -> int:
    """Build the workflow checked out in ``tree`` (its default profile), its output to ``log``; the
    exit status of Snakemake. The tree's own ``analysis`` package is the one imported."""
    profile = tree / "workflow" / "profiles" / "default"
    options = ["--workflow-profile", str(profile)] if profile.is_dir() else ["--cores", "all"]
    here = str(Path(sys.executable).parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), *filter(None, [os.environ.get("PYTHONPATH")])]),
           "PATH": os.pathsep.join([here, os.environ.get("PATH", "")])}
    with log.open("w", encoding="utf-8") as out:
        return subprocess.run([sys.executable, "-m", "snakemake", *options], cwd=tree, env=env, stdout=out,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode


def _commit_side(spec: str, top: Path, sha: str, stack: ExitStack, builder, say) -> Side:
    """A commit checked out into a temporary worktree (removed when ``stack`` closes), built unless
    it carries its own results."""
    short = sha[:10]
    scratch = Path(tempfile.mkdtemp(prefix=f"casebook-diff-{short}-"))
    tree = scratch / "tree"
    stack.callback(_remove_worktree, top, tree, scratch)
    added = _git(top, "worktree", "add", "--detach", "--quiet", str(tree), sha)
    if added.returncode:
        raise InputError([Problem(f"commit {short}", "", f"git could not check it out ({added.stderr.strip()[:300]})",
                                  "check `git worktree list` and the free space in the temporary folder, then retry")])
    what = f"commit {short} ({spec})" if not sha.startswith(spec) else f"commit {short}"
    if _is_results(tree / "results"):
        say(f"{what}: checked out into a temporary worktree; it carries a results folder, which is used as it is")
        return Side(spec, tree / "results", _paper_beside(tree / "results"), what, f"paper/ of {what}")
    handle, name = tempfile.mkstemp(prefix=f"casebook-diff-{short}-", suffix=".log")
    os.close(handle)
    log = Path(name)
    say(f"{what}: checked out into a temporary worktree ({tree}); building it with the workflow's default profile "
        f"(a full build, a minute or more; its log: {log})")
    status = builder(tree, log)
    if status != 0 or not _is_results(tree / "results"):
        tail = "".join(log.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)[-12:]).strip()
        raise InputError([Problem(f"commit {short}", "", f"its build failed (Snakemake exit status {status}); the "
                                  f"last lines of its log:\n{tail}",
                                  f"read the whole log at {log}; or build that commit yourself and give its results folder")])
    log.unlink(missing_ok=True)
    say(f"{what}: built")
    return Side(spec, tree / "results", _paper_beside(tree / "results"), f"{what}, built in a temporary worktree",
                f"paper/ of {what}")


def _remove_worktree(top: Path, tree: Path, scratch: Path) -> None:
    if tree.exists():
        _git(top, "worktree", "remove", "--force", str(tree))
    shutil.rmtree(scratch, ignore_errors=True)
    _git(top, "worktree", "prune")


def resolve(spec: str, root: Path, stack: ExitStack, builder=None, say=None, seen: dict | None = None) -> Side:
    """OLD or NEW as a :class:`Side`: a folder when ``spec`` names one, else a commit of the
    repository at ``root``, built by ``builder(tree, log)`` (:func:`build_tree` by default);
    ``seen`` holds the commits already checked out, by hash, so one named twice is built once."""
    builder = builder or build_tree
    say = say or (lambda text: print(f"casebook: {text}", file=sys.stderr))
    folder = Path(spec)
    if folder.is_dir():
        return _folder_side(spec, folder)
    top = _repository(root)
    sha = _commit(top, spec) if top else None
    if sha is None:
        where = f"a commit of the repository at {top}" if top else f"a commit ({root} is not in a git repository)"
        raise InputError([Problem(spec, "", f"neither a folder nor {where}",
                                  "give a built results folder (such as results/) or a commit, branch or tag")])
    seen = {} if seen is None else seen
    if sha not in seen:
        seen[sha] = _commit_side(spec, top, sha, stack, builder, say)
    return seen[sha]


# --- numbers, tables, figures --------------------------------------------------------------------


def read_numbers(results: Path) -> dict[str, object]:
    """Every number of a results folder: ``{key: value}``, the topics merged in name order."""
    merged: dict[str, object] = {}
    for path in sorted((results / "numbers").glob("*.json")):
        try:
            topic = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InputError([Problem(str(path), "", f"not a readable numbers file ({err})", _BUILD_FIX)]) from None
        if not isinstance(topic, dict):
            raise InputError([Problem(str(path), "", "not a numbers file (its JSON is not an object)", _BUILD_FIX)])
        for key, record in topic.items():
            merged.setdefault(key, record.get("value") if isinstance(record, dict) else record)
    return merged


def diff_numbers(old: dict, new: dict) -> list[Change]:
    """The numbers added, removed or changed.

    Examples
    --------
    >>> [(c.name, c.status, c.old, c.new) for c in diff_numbers({"a": "1", "b": "2"}, {"b": "3", "c": "4"})]
    [('a', 'removed', '1', None), ('b', 'changed', '2', '3'), ('c', 'added', None, '4')]
    """
    changes = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            changes.append(Change("number", key, "removed", old=old[key]))
        elif key not in old:
            changes.append(Change("number", key, "added", new=new[key]))
        elif old[key] != new[key]:
            changes.append(Change("number", key, "changed", old=old[key], new=new[key]))
    return changes


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_rows(path: Path) -> list[list[str]]:
    """A CSV or Parquet table as rows of text, its header first."""
    if path.suffix == ".parquet":
        import pandas as pd

        frame = pd.read_parquet(path)
        return [[str(c) for c in frame.columns], *([_cell(v, pd) for v in row] for row in frame.itertuples(index=False))]
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def _cell(value, pd) -> str:
    """A Parquet cell as the text a CSV would hold: a missing value is empty."""
    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in the cell
        missing = False
    return "" if missing else str(value)


def _rows_of(path: Path) -> list[list[str]]:
    try:
        return _read_rows(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as err:
        raise InputError([Problem(str(path), "", f"the table cannot be read ({type(err).__name__}: {err})",
                                  f"rebuild it: {_BUILD_FIX}")]) from None


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return names


def _key_width(old: list[list[str]], new: list[list[str]], old_head: list[str], new_head: list[str]) -> int:
    """How many leading columns key the rows: the fewest that are unique in both tables and match
    at least half the rows; 0 (rows by position) when none do."""
    for width in range(1, MAX_KEY_COLUMNS + 1):
        if old_head[:width] != new_head[:width] or width > len(old_head):
            return 0
        old_keys, new_keys = [tuple(r[:width]) for r in old], [tuple(r[:width]) for r in new]
        if len(set(old_keys)) == len(old_keys) and len(set(new_keys)) == len(new_keys):
            shared = len(set(old_keys) & set(new_keys))
            return width if 2 * shared >= min(len(old_keys), len(new_keys)) else 0
    return 0


def diff_rows(old_rows: list[list[str]], new_rows: list[list[str]], cap: int) -> dict:
    """The cells that changed between two tables (header first), by row key and column.

    Rows are keyed by their leading columns when those are unique (:func:`_key_width`), otherwise
    by position; at most ``cap`` cells, rows and columns are listed, the rest counted.

    Examples
    --------
    >>> old = [["site", "n"], ["S01", "3"], ["S02", "4"]]
    >>> new = [["site", "n"], ["S01", "3"], ["S02", "5"], ["S03", "1"]]
    >>> d = diff_rows(old, new, cap=10)
    >>> d["key"], d["cells"], d["rows_added"]
    (['site'], [{'row': 'S02', 'column': 'n', 'old': '4', 'new': '5'}], ['S03'])
    """
    old_head, new_head = (_unique_names(rows[0]) if rows else [] for rows in (old_rows, new_rows))
    old_body, new_body = old_rows[1:], new_rows[1:]
    width = _key_width(old_body, new_body, old_head, new_head)

    def keyed(body):
        if width:
            return {" · ".join(r[:width]): r for r in body}
        return {f"row {i}": r for i, r in enumerate(body, start=1)}

    old_by, new_by = keyed(old_body), keyed(new_body)
    shared_columns = [c for c in new_head if c in old_head]
    cells = []
    for row, new_row in new_by.items():
        old_row = old_by.get(row)
        if old_row is None:
            continue
        for column in shared_columns:
            before = old_row[old_head.index(column)] if old_head.index(column) < len(old_row) else ""
            after = new_row[new_head.index(column)] if new_head.index(column) < len(new_row) else ""
            if before != after:
                cells.append({"row": row, "column": column, "old": before, "new": after})
    added = [r for r in new_by if r not in old_by]
    removed = [r for r in old_by if r not in new_by]
    columns_added = [c for c in new_head if c not in old_head]
    columns_removed = [c for c in old_head if c not in new_head]
    return {"key": new_head[:width] if width else [], "rows": [len(old_body), len(new_body)],
            "cells": cells[:cap], "cells_total": len(cells), "rows_added": added[:cap], "rows_added_total": len(added),
            "rows_removed": removed[:cap], "rows_removed_total": len(removed),
            "columns_added": columns_added[:cap], "columns_removed": columns_removed[:cap]}


def diff_lines(old: str, new: str, cap: int) -> dict:
    """The lines of a text file that changed (for a Markdown table whose data file did not).

    Examples
    --------
    >>> diff_lines("a\\nb\\nc\\n", "a\\nB\\nc\\n", cap=5)
    {'lines': [{'old': 'b', 'new': 'B'}], 'lines_total': 1}
    """
    pairs = []
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = matcher.a[a0:a1], matcher.b[b0:b1]
        for i in range(max(len(before), len(after))):
            pairs.append({"old": before[i] if i < len(before) else None, "new": after[i] if i < len(after) else None})
    return {"lines": pairs[:cap], "lines_total": len(pairs)}


def _files(folder: Path, suffixes=None) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if p.is_file() and (suffixes is None or p.suffix in suffixes)}


def diff_tables(old_results: Path, new_results: Path, cap: int) -> list[Change]:
    """The tables (one per name, whatever files it has) added, removed or changed."""
    old_files, new_files = (_files(r / "tables", TABLE_SUFFIXES) for r in (old_results, new_results))
    names = sorted({Path(n).stem for n in old_files.keys() | new_files.keys()})
    changes = []
    for name in names:
        mine = [name + s for s in TABLE_SUFFIXES]
        old_here = [n for n in mine if n in old_files]
        new_here = [n for n in mine if n in new_files]
        if not old_here:
            changes.append(Change("table", name, "added", new=", ".join(new_here)))
            continue
        if not new_here:
            changes.append(Change("table", name, "removed", old=", ".join(old_here)))
            continue
        differ = [n for n in mine if (n in old_files) != (n in new_files)
                  or (n in old_files and _sha256(old_files[n]) != _sha256(new_files[n]))]
        if not differ:
            continue
        data = next((n for n in differ if n in old_files and n in new_files and not n.endswith(".md")), None)
        if data:
            details = diff_rows(_rows_of(old_files[data]), _rows_of(new_files[data]), cap)
        elif any(n.endswith(".md") and n in old_files and n in new_files for n in differ):
            md = name + ".md"
            details = diff_lines(old_files[md].read_text(encoding="utf-8"), new_files[md].read_text(encoding="utf-8"), cap)
        else:
            details = {}
        details["files"] = differ
        if data:
            details["compared"] = data
        changes.append(Change("table", name, "changed", old=", ".join(old_here), new=", ".join(new_here), details=details))
    return changes


def _pixels_differ(old: Path, new: Path) -> dict:
    """The share of pixels that differ, or the two sizes when they do; {} without Pillow."""
    try:
        import numpy as np
        from PIL import Image
    except ImportError:
        return {}
    try:
        with Image.open(old) as a, Image.open(new) as b:
            a_px, b_px = np.asarray(a.convert("RGBA")), np.asarray(b.convert("RGBA"))
    except (OSError, ValueError):
        return {}
    if a_px.shape != b_px.shape:
        return {"size": [[a_px.shape[1], a_px.shape[0]], [b_px.shape[1], b_px.shape[0]]]}
    return {"pixels_differ": float(np.any(a_px != b_px, axis=-1).mean())}


def diff_figures(old_results: Path, new_results: Path) -> list[Change]:
    """The figure files added, removed or changed (by SHA-256)."""
    old_files, new_files = (_files(r / "figures") for r in (old_results, new_results))
    changes = []
    for name in sorted(old_files.keys() | new_files.keys()):
        if name not in new_files:
            changes.append(Change("figure", name, "removed", old=_sha256(old_files[name])))
        elif name not in old_files:
            changes.append(Change("figure", name, "added", new=_sha256(new_files[name])))
        else:
            before, after = _sha256(old_files[name]), _sha256(new_files[name])
            if before != after:
                changes.append(Change("figure", name, "changed", old=before, new=after,
                                      details=_pixels_differ(old_files[name], new_files[name])))
    return changes


# --- where the book uses them --------------------------------------------------------------------


@dataclass
class Book:
    """The pages of a book's chapters folder and what each uses: ``uses[(kind, name)]`` is a list
    of ``(page, line)``; ``titles[page]`` its first ``#`` heading; ``order`` the table of contents."""

    uses: dict = field(default_factory=dict)
    titles: dict = field(default_factory=dict)
    order: list = field(default_factory=list)


def _toc_order(paper: Path) -> list[str]:
    """The page stems in the order of ``_toc.yml`` (root first); [] when it cannot be read."""
    try:
        import yaml

        toc = yaml.safe_load((paper / "_toc.yml").read_text(encoding="utf-8"))
    except Exception:  # no table of contents, or one that does not parse: pages in name order
        return []
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.append(Path(node[key]).stem)
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return list(dict.fromkeys(found))


def read_book(paper: Path | None, numbers: dict) -> Book:
    """Where each number, table and figure appears in ``paper/*.md``; a title's substitutions are
    filled from ``numbers``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "ch.md").write_text("# Chapter {{ n }}\\n\\nWe had {{ n }} cases.\\n"
    ...                                   "```{include} ../results/tables/counts.md\\n", encoding="utf-8")
    >>> book = read_book(folder, {"n": "7"})
    >>> book.titles, book.uses
    ({'ch': 'Chapter 7'}, {('number', 'n'): [('ch', 1), ('ch', 3)], ('table', 'counts'): [('ch', 4)]})
    """
    book = Book()
    if paper is None:
        return book
    stems = sorted(p.stem for p in paper.glob("*.md"))
    toc = [s for s in _toc_order(paper) if s in stems]
    book.order = toc + [s for s in stems if s not in toc]
    for stem in stems:
        lines = (paper / f"{stem}.md").read_text(encoding="utf-8", errors="replace").splitlines()
        heading = next((line[2:].strip() for line in lines if line.startswith("# ")), stem)
        book.titles[stem] = _USE.sub(lambda m: str(numbers.get(m.group(1), m.group(0))), heading)
        for number, line in enumerate(lines, start=1):
            for match in _USE.finditer(line):
                book.uses.setdefault(("number", match.group(1)), []).append((stem, number))
            for folder, name in _INCLUDE.findall(line):
                kind = "table" if folder == "tables" else "figure"
                book.uses.setdefault((kind, Path(name).stem), []).append((stem, number))
    for places in book.uses.values():
        places[:] = list(dict.fromkeys(places))
    return book


def place(changes: list[Change], new_book: Book, old_book: Book) -> None:
    """Give each change the pages that use it: NEW's book, else (a number or table gone) OLD's."""
    for change in changes:
        key = (change.kind, Path(change.name).stem if change.kind == "figure" else change.name)
        book, where = (new_book, "new") if key in new_book.uses else (old_book, "old")
        pages: dict[str, list[int]] = {}
        for page, line in book.uses.get(key, []):
            pages.setdefault(page, []).append(line)
        rank = {page: i for i, page in enumerate(book.order)}
        change.pages = [{"page": f"{page}.html", "stem": page, "title": book.titles.get(page, page), "lines": lines,
                         "book": where} for page, lines in sorted(pages.items(), key=lambda p: rank.get(p[0], len(rank)))]


# --- the report ----------------------------------------------------------------------------------


def compare(old: Side, new: Side, paper: Path | None = None, cap: int = 10, fallback: Path | None = None) -> dict:
    """Everything that differs between two built results folders, placed on the pages of the book
    in ``paper`` (by default NEW's, else ``fallback``, the repository's); a JSON-ready dict."""
    old_numbers, new_numbers = read_numbers(old.results), read_numbers(new.results)
    changes = (diff_numbers(old_numbers, new_numbers) + diff_tables(old.results, new.results, cap)
               + diff_figures(old.results, new.results))
    new_paper = paper or new.paper or fallback
    old_paper = paper or old.paper or new_paper
    if paper or not new.paper:
        paper_what = str(new_paper) if new_paper else None
    else:
        paper_what = new.paper_what or str(new.paper)
    new_book = read_book(new_paper, new_numbers)
    old_book = new_book if old_paper == new_paper else read_book(old_paper, old_numbers)
    place(changes, new_book, old_book)
    order = new_book.order + [p for p in old_book.order if p not in new_book.order]
    summary = {kind + "s": {s: sum(c.kind == kind and c.status == s for c in changes)
                            for s in ("added", "removed", "changed")} for kind in KINDS}
    pages = []
    for stem in order:
        here = []
        for index, change in enumerate(changes):
            for use in change.pages:
                if use["stem"] == stem:
                    here.append((use["lines"][0], KINDS.index(change.kind), change.name, index))
        if here:
            first = next(u for c in (changes[h[3]] for h in here) for u in c.pages if u["stem"] == stem)
            pages.append({"page": f"{stem}.html", "title": first["title"], "changes": [h[3] for h in sorted(here)]})
    unused = [i for i, c in enumerate(changes) if not c.pages]
    if unused:
        pages.append({"page": None, "title": "not used in the book", "changes": unused})
    return {"old": {"spec": old.spec, "what": old.what}, "new": {"spec": new.spec, "what": new.what},
            "paper": paper_what, "changed": bool(changes), "summary": summary,
            "changes": [vars(c) for c in changes], "pages": pages}


def _shown(value, limit: int = SHOWN_CHARS) -> str:
    """A value on one line, at most about ``limit`` characters.

    Examples
    --------
    >>> _shown("a\\nb"), _shown(None), _shown("x" * 10, limit=4)
    ('a b', '(none)', 'xxxx… (6 characters more)')
    """
    if value is None:
        return "(none)"
    text = " ".join(str(value).split("\n"))
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} characters more)"


def _pair(old, new, context: int = 24) -> tuple[str, str]:
    """Two long values cut to the part where they differ, with a little on each side.

    Examples
    --------
    >>> start, end = "a long start that both share, " * 4, ", and an end that both share too" * 4
    >>> _pair(start + "then A" + end, start + "then B" + end, context=6)
    ('… then A, and …', '… then B, and …')
    """
    a, b = ("(none)" if v is None else " ".join(str(v).split("\n")) for v in (old, new))
    if len(a) <= SHOWN_CHARS and len(b) <= SHOWN_CHARS:
        return a, b
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    cut = max(0, start - context)

    def piece(text):
        stop = len(text) - max(0, end - context)
        return ("…" if cut else "") + _shown(text[cut:stop]) + ("…" if stop < len(text) else "")

    return piece(a), piece(b)


def _pct(share: float) -> str:
    """A share of pixels in words: ``0.05%``; a share that rounds to zero still shows.

    Examples
    --------
    >>> _pct(0.5), _pct(0.00001), _pct(0.0)
    ('50.00%', '< 0.01%', '0%')
    """
    if share == 0:
        return "0%"
    return "< 0.01%" if share < 0.0001 else f"{100 * share:.2f}%"


def _change_lines(change: dict, stem: str | None) -> list[str]:
    """A change in words: its first line, then its details indented (no markup)."""
    lines_here = next((u["lines"] for u in change["pages"] if u["stem"] == stem), [])
    where = f" (line {', '.join(map(str, lines_here))})" if lines_here else ""
    if stem and any(u["stem"] == stem and u["book"] == "old" for u in change["pages"]):
        where += " (where OLD's book used it)"
    head = f"{change['kind']} {change['name']}{where}"
    status, details = change["status"], change["details"]
    if change["kind"] == "number":
        if status == "changed":
            before, after = _pair(change["old"], change["new"])
            return [f"{head}: {before} → {after}"]
        return [f"{head}: {status} ({_shown(change['old'] if status == 'removed' else change['new'])})"]
    if change["kind"] == "figure":
        if status != "changed":
            return [f"{head}: {status}"]
        if "size" in details:
            (w0, h0), (w1, h1) = details["size"]
            return [f"{head}: image changed (size {w0}×{h0} → {w1}×{h1})"]
        if "pixels_differ" in details:
            share = details["pixels_differ"]
            said = "the file changed but its pixels did not" if share == 0 else f"{_pct(share)} of pixels differ"
            return [f"{head}: image changed ({said})"]
        return [f"{head}: image changed"]
    if status != "changed":
        return [f"{head}: {status} ({change['old'] if status == 'removed' else change['new']})"]
    return [f"{head}: {_table_summary(details)}", *_table_details(details)]


def _table_summary(details: dict) -> str:
    parts = []
    if "cells_total" in details:
        key = f"rows keyed by {' · '.join(details['key'])}" if details["key"] else "rows by position"
        counts = [f"{details['cells_total']} cell(s) changed"]
        if details["rows_added_total"]:
            counts.append(f"{details['rows_added_total']} row(s) added")
        if details["rows_removed_total"]:
            counts.append(f"{details['rows_removed_total']} row(s) removed")
        if details["columns_added"] or details["columns_removed"]:
            counts.append(f"columns {len(details['columns_added'])} added, {len(details['columns_removed'])} removed")
        old_n, new_n = details["rows"]
        size = f"{old_n} rows" if old_n == new_n else f"{old_n} → {new_n} rows"
        parts.append(f"{', '.join(counts)} in {details['compared']} ({size}; {key})")
    elif "lines_total" in details:
        parts.append(f"{details['lines_total']} line(s) of {details['files'][0]} changed")
    others = [f for f in details.get("files", []) if f != details.get("compared")
              and not ("lines_total" in details and f == details["files"][0])]
    if others:
        parts.append(f"also changed: {', '.join(others)}")
    return "; ".join(parts) or "changed"


def _table_details(details: dict) -> list[str]:
    out = []
    for cell in details.get("cells", []):
        before, after = _pair(cell["old"], cell["new"])
        out.append(f"    row {cell['row']}, column {cell['column']}: {before} → {after}")
    for what in ("added", "removed"):
        rows = details.get(f"rows_{what}", [])
        if rows:
            out.append(f"    rows {what}: {', '.join(rows)}")
    for what in ("added", "removed"):
        if details.get(f"columns_{what}"):
            out.append(f"    columns {what}: {', '.join(details[f'columns_{what}'])}")
    for line in details.get("lines", []):
        out.append(f"    line: {_shown(line['old'])}")
        out.append(f"       → {_shown(line['new'])}")
    what = "cells" if "cells_total" in details else "lines"
    shown, total = len(details.get(what, [])), details.get(f"{what}_total", 0)
    if total > shown:
        out.append(f"    … and {total - shown} more changed {what[:-1]}(s) (--max-cells N lists more)")
    for what in ("added", "removed"):
        total_rows = details.get(f"rows_{what}_total", 0)
        if total_rows > len(details.get(f"rows_{what}", [])):
            out.append(f"    … and {total_rows - len(details[f'rows_{what}'])} more rows {what}")
    return out


def _summary_line(report: dict) -> str:
    parts = []
    for kind, counts in report["summary"].items():
        n = sum(counts.values())
        if n:
            said = ", ".join(f"{v} {s}" for s, v in counts.items() if v)
            parts.append(f"{kind} {n} ({said})")
    return "changed: " + "; ".join(parts) if parts else "no number, table or figure changed"


def _header(report: dict) -> list[str]:
    return [f"old: {report['old']['what']}", f"new: {report['new']['what']}",
            f"pages: {report['paper'] or 'no chapters found (give --paper DIR)'}", _summary_line(report)]


def render_text(report: dict) -> str:
    """The report as plain text, grouped by page in the order of the book."""
    out = ["casebook diff", *(f"  {line}" for line in _header(report))]
    for page in report["pages"]:
        stem = page["page"][:-5] if page["page"] else None
        out += ["", f"== {page['title']}" + (f" ({page['page']})" if page["page"] else "") + " =="]
        for index in page["changes"]:
            first, *rest = _change_lines(report["changes"][index], stem)
            out += [f"  {first}", *(f"  {line}" for line in rest)]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    r"""Text safe inside a Markdown list item or table cell.

    Examples
    --------
    >>> _md("inst*cap | x_1")
    'inst\\*cap \\| x\\_1'
    """
    return re.sub(r"([\\`*_\[\]|<>#])", r"\\\1", text)


def render_markdown(report: dict) -> str:
    """The report as Markdown: a section per page, a list item per change."""
    out = ["# casebook diff", "", *(f"- {_md(line)}" for line in _header(report))]
    for page in report["pages"]:
        stem = page["page"][:-5] if page["page"] else None
        out += ["", f"## {_md(page['title'])}" + (f" (`{page['page']}`)" if page["page"] else ""), ""]
        for index in page["changes"]:
            first, *rest = _change_lines(report["changes"][index], stem)
            out.append(f"- {_md(first)}")
            out += [f"  - {_md(line.strip())}" for line in rest]
    return "\n".join(out) + "\n"


def render_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def run_diff(root: Path, old: str, new: str, paper: str | None = None, fmt: str = "text", cap: int = 10,
             builder=None, say=None) -> tuple[str, int]:
    """``casebook diff``: the report in ``fmt`` and the exit status (0 same, 1 different)."""
    if cap < 1:
        raise InputError([Problem("--max-cells", "", f"{cap} is below 1", "give a whole number of 1 or more")])
    paper_dir = None
    if paper is not None:
        paper_dir = Path(paper)
        if not any(paper_dir.glob("*.md")):
            raise InputError([Problem(paper, "", "holds no chapters (*.md)", "give the book's folder, such as paper/")])
    with ExitStack() as stack:
        seen: dict[str, Side] = {}
        sides = [resolve(spec, root, stack, builder, say, seen) for spec in (old, new)]
        repository = root / "paper"
        report = compare(*sides, paper=paper_dir, cap=cap, fallback=repository if any(repository.glob("*.md")) else None)
    return RENDERERS[fmt](report), DIFFERENT if report["changed"] else SAME
