"""Where results come from: the code a workflow script runs, and the software it runs on.

:func:`imported_modules` finds the analysis modules a script imports (followed transitively) and
:func:`code_fingerprint` digests them, so each Snakemake rule reruns when a module it uses
changes, and no other rule does.
:func:`locked_versions` reads the pinned versions from ``uv.lock`` for the
book's reproducibility appendix.
"""

from __future__ import annotations

import ast
import functools
import tomllib
from pathlib import Path

#: The package whose modules are followed; anything else is a third-party import.
PACKAGE = "analysis"


@functools.lru_cache(maxsize=None)
def _module_file(name: str, root: Path) -> Path | None:
    """The file of a dotted module name inside the package, or None if it is not one of ours."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=None)
def _imports(path: Path) -> frozenset[str]:
    """Dotted names a Python file imports (``from analysis import x`` yields ``analysis.x``).

    Kept for the life of the process: the workflow asks about every script when it is parsed,
    and the scripts share most of their modules.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(names)


def imported_modules(script: Path, root: Path) -> list[str]:
    """Every module of the analysis package that ``script`` imports, directly or indirectly.

    Paths are relative to ``root`` and sorted; each package's ``__init__.py`` on
    the way is included, since importing a submodule runs it.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "analysis").mkdir()
    >>> _ = (root / "analysis" / "__init__.py").write_text("")
    >>> _ = (root / "analysis" / "a.py").write_text("from analysis.b import f\\nimport numpy")
    >>> _ = (root / "analysis" / "b.py").write_text("def f(): pass")
    >>> _ = (root / "analysis" / "c.py").write_text("")
    >>> _ = (root / "run.py").write_text("from analysis import a")
    >>> imported_modules(root / "run.py", root)
    ['analysis/__init__.py', 'analysis/a.py', 'analysis/b.py']
    """
    seen: set[Path] = set()
    todo = [script]
    while todo:
        current = todo.pop()
        for name in _imports(current):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # the package __init__ files on the way
                found = _module_file(".".join(parts[:depth]), root)
                if found is not None and found not in seen:
                    seen.add(found)
                    todo.append(found)
    return sorted(str(p.relative_to(root)) for p in seen)


def code_fingerprint(path: Path | str, root: Path | str = ".") -> str:
    """A digest of a file of code and of every analysis module it imports (their paths and contents).

    A rule passes it as a parameter, so Snakemake's params trigger reruns the rule when, and only
    when, the code it runs changes (a file touched but unchanged reruns nothing), without listing
    dozens of module files as inputs of every job.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "analysis").mkdir()
    >>> _ = (root / "analysis" / "__init__.py").write_text("")
    >>> _ = (root / "run.py").write_text("import analysis")
    >>> before = code_fingerprint(root / "run.py", root)
    >>> _ = (root / "analysis" / "__init__.py").write_text("X = 1")
    >>> code_fingerprint(root / "run.py", root) != before
    True
    """
    import hashlib

    root = Path(root)
    path = Path(path)
    digest = hashlib.sha256()
    for name in [str(path.relative_to(root) if path.is_absolute() else path), *imported_modules(root / path, root)]:
        stat = (root / name).stat()
        digest.update(name.encode("utf-8") + b"\0" + _file_digest(root / name, stat.st_mtime_ns, stat.st_size) + b"\0")
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=None)
def _file_digest(path: Path, mtime_ns: int, size: int) -> bytes:
    """A file's SHA-256, read once per process for as long as it is unchanged (the rules share most
    of their modules)."""
    import hashlib

    return hashlib.sha256(path.read_bytes()).digest()


def locked_versions(lock_file: Path, names: list[str] | None = None) -> list[dict]:
    """Name, version and source registry of each package pinned in ``uv.lock``.

    ``names`` limits the list (in the given order) to the packages the reader
    most needs; otherwise every locked package is returned, sorted by name.
    """
    lock = tomllib.loads(Path(lock_file).read_text(encoding="utf-8"))
    packages = {p["name"]: p for p in lock.get("package", [])}
    wanted = names if names is not None else sorted(packages)
    rows = []
    for name in wanted:
        package = packages.get(name)
        if package is None:
            continue
        source = package.get("source", {})
        where = "PyPI" if "registry" in source else ("this repository" if "editable" in source or "virtual" in source else "")
        rows.append({"package": name, "version": package.get("version", ""), "source": where})
    return rows


def parse_rulegraph(dot: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Nodes (id -> rule name) and edges (source id, target id) of ``snakemake --rulegraph`` output.

    Examples
    --------
    >>> dot = 'digraph { 0[label = "all", color = "0 0 0"]; 1[label = "ingest"]; 1 -> 0 }'
    >>> parse_rulegraph(dot)
    ({'0': 'all', '1': 'ingest'}, [('1', '0')])
    """
    import re

    nodes = dict(re.findall(r'(\d+)\s*\[\s*label\s*=\s*"([^"]+)"', dot))
    edges = re.findall(r"(\d+)\s*->\s*(\d+)", dot)
    return nodes, edges


def canonical_rulegraph(dot: str) -> str:
    r"""``snakemake --rulegraph`` output in one fixed order: nodes numbered by rule name, edges sorted.

    Snakemake numbers the rules in the order it meets them, which follows Python's string
    hashing and so changes from run to run; the graph does not.

    Examples
    --------
    >>> dot = 'digraph {\n\t0[label = "b", color = "x"];\n\t1[label = "a"];\n\t1 -> 0\n}'
    >>> canonical_rulegraph(dot).splitlines()
    ['digraph {', '\t0[label = "a"];', '\t1[label = "b", color = "x"];', '\t0 -> 1', '}']
    """
    import re

    node = re.compile(r'^\s*(\d+)(\[\s*label\s*=\s*"([^"]+)".*)$')
    edge = re.compile(r"^\s*(\d+)\s*->\s*(\d+)\s*$")
    head, nodes, edges, tail = [], {}, [], []
    for line in dot.splitlines():
        if (m := node.match(line)):
            nodes[m.group(1)] = (m.group(3), m.group(2))
        elif (m := edge.match(line)):
            edges.append((m.group(1), m.group(2)))
        elif not nodes:
            head.append(line)
        else:
            tail.append(line)
    order = sorted(nodes, key=lambda i: (nodes[i][0], int(i)))
    number = {old: new for new, old in enumerate(order)}
    lines = head + [f"\t{number[i]}{nodes[i][1]}" for i in order]
    lines += [f"\t{a} -> {b}" for a, b in sorted({(number[a], number[b]) for a, b in edges})]
    return "\n".join(lines + tail) + "\n"


def rule_stages(rule_files: list[str]) -> dict[str, str]:
    """Each rule's stage: the name of the ``.smk`` file (or Snakefile) that defines it."""
    import re

    stages = {}
    for path in rule_files:
        for name in re.findall(r"(?m)^rule (\w+):", Path(path).read_text(encoding="utf-8")):
            stages[name] = Path(path).stem
    return stages
