"""What the book's provenance appendices show, computed by rules so that the book only reads files.

* :func:`segment_lists`: for each number that counts coded segments, the segments it counts
  (pseudonymous ids, station, actor type, the masked quote), so that a reader can check a count;
* :func:`output_digests`: the SHA-256 of every table and figure the book shows;
* :func:`build_facts`: the repository's commit, the seeds and the versions of the system packages
  the figures and the PDF depend on (fonts, TeX, Chromium), each said in words when absent;
* :func:`rule_records`: every rule of the workflow, where it is defined, what it reads and writes
  (the book links a caption's rule name to its entry).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# The workflow imports this module when it is parsed (for the keys, the commit, the packages and the
# rules): pandas and the methods are imported by the functions that need them, not here.

#: The evidence roles whose segments a proposition's numbers count (``p1_support`` ...).
ROLES = ("support", "contrary", "outcome")
#: The two theme counts of the coding chapter, by the end of the ranking they come from.
THEME_KEYS = {"top_theme_segments": 0, "bottom_theme_segments": -1}
#: The other counts of coded text the book prints: the primary coder's segments (the corpus), the
#: spans with a speaker that the tests by actor type take, and the resilience spans of the
#: mechanism-link model.
CORPUS_KEYS = ("n_segments", "actor_n_spans", "link_n")
#: The columns of a segment list (CSV), in order.
LIST_COLUMNS = ["segment_id", "station", "document_id", "participant_id", "actor_type", "code_id", "code", "quote"]
#: The system packages the reproducibility appendix reports (Debian names): the CJK and Latin fonts
#: the figures and the PDF are set in, TeX for the PDF, and the browser of the book's browser check.
SYSTEM_PACKAGES = ["fonts-noto-cjk", "fonts-freefont-otf", "fontconfig", "texlive-xetex", "texlive-lang-chinese",
                   "latexmk", "chromium"]
#: What the appendix prints for a package dpkg does not know.
NOT_INSTALLED = "未安装"


def segment_list_keys(propositions: dict) -> list[str]:
    """The keys of the numbers that count coded segments and get a list of them.

    >>> segment_list_keys({"P1": {}, "P2": {}})[:4]
    ['p1_support', 'p1_contrary', 'p1_outcome', 'p2_support']
    """
    return [f"{p.lower()}_{role}" for p in propositions for role in ROLES] + list(THEME_KEYS) + list(CORPUS_KEYS)


def segment_lists(segments: pd.DataFrame, codes: pd.DataFrame, frequencies: pd.DataFrame, propositions: dict,
                  lang: str, documents: pd.DataFrame | None = None, models: dict | None = None) -> dict[str, pd.DataFrame]:
    """The segments each key of :func:`segment_list_keys` counts.

    Parameters
    ----------
    segments : DataFrame
        The primary coder's segments (``segment_id, case_id, document_id, participant_id, actor_type,
        code_id, theme, text``).
    codes : DataFrame
        The codebook (``code_id, parent``).
    frequencies : DataFrame
        Code frequencies (``code_id, depth, n_segments``), to rank the themes as the coding chapter does.
    propositions : dict
        The configured propositions (``condition``, ``outcome``, ``contrary``).
    documents, models : DataFrame and dict, optional
        The documents (``document_id, kind``) and the configuration's ``models`` section, for the
        spans of the mechanism-link model; without them there is no ``link_n`` list.

    Returns
    -------
    dict
        ``{key: DataFrame}`` with :data:`LIST_COLUMNS`, by segment id. A proposition's lists are
        the coded spans of its supporting, contrary and outcome codes, one row per span (its first
        segment id and every code of that role it carries), as
        :func:`analysis.methods.mechanisms.framework_matrix` counts them; a theme's, the segments
        coded at it or beneath it, one row per segment, as the coding chapter counts them.

    Examples
    --------
    >>> import pandas as pd
    >>> codes = pd.DataFrame({"code_id": ["i", "i.a", "i.o", "b", "b.x"], "parent": [None, "i", "i", None, "b"]})
    >>> seg = pd.DataFrame({"segment_id": ["1", "2", "3"], "case_id": "S1", "document_id": "D1",
    ...                     "start": [0, 5, 10], "end": [4, 9, 14],
    ...                     "participant_id": "S1-P1", "actor_type": "resident", "code_id": ["i.a", "i.o", "b.x"],
    ...                     "theme": ["i", "i", "b"], "text": ["甲", "乙", "丙"]})
    >>> freq = pd.DataFrame({"code_id": ["i", "b"], "depth": 0, "n_segments": [2, 1]})
    >>> lists = segment_lists(seg, codes, freq, {"P1": {"condition": "i", "outcome": "i.o", "contrary": ["b.x"]}}, "zh")
    >>> {key: frame["segment_id"].tolist() for key, frame in lists.items()}
    {'p1_support': ['1'], 'p1_contrary': ['3'], 'p1_outcome': ['2'], 'top_theme_segments': ['1', '2'], 'bottom_theme_segments': ['3'], 'n_segments': ['1', '2', '3'], 'actor_n_spans': ['1', '2', '3']}
    >>> lists["p1_support"].iloc[0]["actor_type"]
    '居民'
    """
    from analysis.methods.mechanisms import evidence_roles
    tagged = segments.merge(evidence_roles(codes, propositions), on="code_id")
    out = {}
    for prop in propositions:
        for role in ROLES:
            # the spans of this role, each once under its first segment id (as evidence_spans keeps
            # them), with the codes of this role it carries
            mine = tagged[(tagged["proposition"] == prop) & (tagged["role"] == role)]
            out[f"{prop.lower()}_{role}"] = _span_listing(mine, mine, lang)
    themes = frequencies[frequencies["depth"] == 0].sort_values(["n_segments", "code_id"], ascending=[False, True])
    for key, end in THEME_KEYS.items():
        out[key] = _listing(segments[segments["theme"] == themes.iloc[end]["code_id"]], lang)
    out["n_segments"] = _listing(segments, lang)
    from analysis.methods.coding import ACTOR_TYPES
    out["actor_n_spans"] = _span_listing(segments[segments["actor_type"].isin(ACTOR_TYPES)], segments, lang)
    if documents is not None and models is not None:
        from analysis.methods.models import resilience_spans
        about = resilience_spans(segments, documents, None, models["outcome_theme"], models["outcome_contrary"],
                                 models["mechanism_theme"])
        out["link_n"] = _span_listing(about, segments, lang)
    # each code by its name beside its id (a span's several codes joined as their ids are)
    from analysis.methods.codebook import code_labels
    names = code_labels(codes, lang) if "label_zh" in codes else {}
    for frame in out.values():
        frame["code"] = ["、".join(names.get(c, c) for c in str(ids).split("、")) for ids in frame["code_id"]]
    return out


def _span_listing(chosen: pd.DataFrame, segments: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The spans (``document_id, start, end``) of ``chosen`` as a list: one row per span, under its
    first segment id among ``segments``, with every code ``segments`` gives the span."""
    import pandas as pd

    from analysis.methods.mechanisms import SPAN

    wanted = chosen[SPAN].drop_duplicates()
    rows = segments.merge(wanted, on=SPAN).sort_values(["segment_id", "code_id"])
    held = rows.groupby(SPAN)["code_id"].agg(lambda c: "、".join(sorted(set(c))))
    first = rows.drop_duplicates(SPAN).copy()
    first["code_id"] = held.reindex(pd.MultiIndex.from_frame(first[SPAN])).to_numpy()
    return _listing(first, lang)


def _listing(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Segments as a list for readers: one row per segment id, the actor type in words."""
    import pandas as pd

    from analysis.report.labels import ACTOR_LABELS
    rows = rows.drop_duplicates("segment_id").sort_values("segment_id")
    labels = ACTOR_LABELS[lang]
    return pd.DataFrame({
        "segment_id": rows["segment_id"].to_numpy(), "station": rows["case_id"].to_numpy(),
        "document_id": rows["document_id"].to_numpy(),
        "participant_id": rows["participant_id"].fillna("").to_numpy(),
        "actor_type": [labels.get(a, a) for a in rows["actor_type"].fillna("none")],
        "code_id": rows["code_id"].to_numpy(), "code": "", "quote": rows["text"].to_numpy(),
    }, columns=LIST_COLUMNS)


def check_lists(lists: dict[str, pd.DataFrame], numbers: dict[str, dict]) -> None:
    """Stop when a list does not hold as many segments as the number it documents says.

    >>> import pandas as pd
    >>> check_lists({"k": pd.DataFrame({"segment_id": ["a", "b"]})}, {"k": {"value": "2", "rule": "r"}})
    >>> check_lists({"k": pd.DataFrame({"segment_id": ["a"]})}, {"k": {"value": "1,002", "rule": "r"}})
    Traceback (most recent call last):
    ...
    ValueError: the segment list of 'k' holds 1 segments, but rule r counts 1,002: ...
    """
    for key, frame in lists.items():
        if key not in numbers:
            raise ValueError(f"no rule computes the number '{key}' whose segments are listed; "
                             "analysis/report/audit.py segment_list_keys names keys the numbers no longer have")
        record = numbers[key]
        if not _is_count(record["value"]):  # not computed ("—"): the list must be empty too
            if len(frame):
                raise ValueError(f"the segment list of '{key}' holds {len(frame)} segments, but rule {record['rule']} "
                                 f"computed no count ({record['value']}): empty the list with uncounted_lists")
            continue
        if len(frame) != int(str(record["value"]).replace(",", "")):
            raise ValueError(f"the segment list of '{key}' holds {len(frame)} segments, but rule {record['rule']} "
                             f"counts {record['value']}: the list and the count no longer select the same segments")


def _is_count(value) -> bool:
    return str(value).replace(",", "").isdigit()


def uncounted_lists(lists: dict[str, pd.DataFrame], numbers: dict[str, dict]) -> dict[str, pd.DataFrame]:
    """The lists, with those whose number was not computed (a model that could not be estimated
    prints "—") emptied: no list may document a count the book does not print.

    >>> import pandas as pd
    >>> out = uncounted_lists({"a": pd.DataFrame({"segment_id": ["x"]}), "b": pd.DataFrame({"segment_id": ["y"]})},
    ...                       {"a": {"value": "1"}, "b": {"value": "—"}})
    >>> len(out["a"]), len(out["b"])
    (1, 0)
    """
    return {key: frame if key not in numbers or _is_count(numbers[key]["value"]) else frame.iloc[0:0]
            for key, frame in lists.items()}


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def output_digests(paths: list[str]) -> pd.DataFrame:
    """One row per file: ``path, kind`` (table or figure), ``bytes, sha256``, by path.

    The same files give the same table whatever order they come in or when they were written.

    >>> import tempfile
    >>> import pandas as pd
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "b.md").write_text("x", encoding="utf-8"), (folder / "a.png").write_bytes(b"")
    (1, 0)
    >>> output_digests([str(folder / "b.md"), str(folder / "a.png")])[["kind", "bytes"]].values.tolist()
    [['figure', 0], ['table', 1]]
    """
    import pandas as pd

    rows = [{"path": p, "kind": "figure" if p.endswith(".png") else "table", "bytes": Path(p).stat().st_size,
             "sha256": sha256_file(Path(p))} for p in sorted(set(paths))]
    return pd.DataFrame(rows, columns=["path", "kind", "bytes", "sha256"])


def digest_of_digests(table: pd.DataFrame) -> str:
    """One digest for all the files: the SHA-256 of their ``sha256sum`` lines (digest, two spaces, path), in path order."""
    lines = "".join(f"{row.sha256}  {row.path}\n" for row in table.itertuples())
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def package_versions(packages: list[str], query=None) -> dict[str, str]:
    """Each Debian package's installed version, :data:`NOT_INSTALLED` when it is not installed, and
    a note when the system has no ``dpkg-query`` to ask.

    >>> package_versions(["a", "b"], query=lambda name: "1.0" if name == "a" else None)
    {'a': '1.0', 'b': '未安装'}
    """
    if query is None:
        if shutil.which("dpkg-query") is None:
            return {name: "无法查询（系统没有 dpkg-query）" for name in packages}
        query = _dpkg_version
    return {name: query(name) or NOT_INSTALLED for name in packages}


def _dpkg_version(name: str) -> str | None:
    run = subprocess.run(["dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", name],
                         capture_output=True, text=True, check=False)
    status, _, version = run.stdout.partition(" ")
    return version.strip() or None if run.returncode == 0 and status == "installed" else None


def repository_commit(root: Path | str = ".") -> dict:
    """The commit the working tree is at, and whether tracked files differ from it.

    ``{"commit": None, ...}`` with the reason in words when ``root`` is not the top of a git
    checkout (a copy, an archive) or git is not installed.
    """
    root = Path(root).resolve()
    if shutil.which("git") is None:
        return {"commit": None, "dirty": False, "note": "系统没有 git，无法记录提交"}

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root:
        return {"commit": None, "dirty": False, "note": "本书不是从 git 仓库的检出构建的（例如一份复制或解压的目录），没有可记录的提交"}
    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return {"commit": None, "dirty": False, "note": "仓库还没有提交"}
    changed = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": head.stdout.strip(), "dirty": bool(changed.stdout.strip()),
            "note": "构建时工作区有未提交的改动：书中的源代码是构建时的文件，不完全等同于该提交" if changed.stdout.strip() else ""}


def build_facts(commit: dict, seeds: dict, packages: dict[str, str]) -> dict:
    """What the reproducibility appendix reports about the build, as one record."""
    return {"commit": commit, "seeds": dict(seeds), "packages": dict(packages)}


def rule_records(rules, registry_entries: dict[str, int], linemaps: dict | None = None) -> list[dict]:
    """Every rule of the workflow, by name: where it is defined, its inputs and outputs as declared.

    Parameters
    ----------
    rules : iterable
        Snakemake's rules (``workflow.rules``): each with ``name``, ``snakefile``, ``lineno``, ``input``
        and ``output``.
    registry_entries : dict
        For the rules made from the registry (``workflow/report.yaml``): ``{rule: line}``, the line of
        the entry each is made from.
    linemaps : dict, optional
        Snakemake's ``workflow.linemaps``: for each rules file, the line of the Python it compiles the
        file to, mapped to the line of the file (a rule's ``lineno`` counts the compiled lines).

    Returns
    -------
    list of dict
        ``name, file, line, inputs, outputs`` (and ``registry_line`` for registry rules); an input a
        function gives per job is recorded by the function's name.
    """
    out = []
    for rule in sorted(rules, key=lambda r: r.name):
        line = (linemaps or {}).get(rule.snakefile, {}).get(rule.lineno, rule.lineno)
        record = {"name": rule.name, "file": _project_path(rule.snakefile), "line": int(line),
                  "inputs": _files(rule.input), "outputs": _files(rule.output)}
        if rule.name in registry_entries:
            record["registry_line"] = registry_entries[rule.name]
        out.append(record)
    return out


def _project_path(path) -> str:
    """A path relative to the project folder (Snakemake records the rule files' absolute paths)."""
    path = Path(str(path))
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _files(files) -> list[str]:
    """A rule's declared files as text: a pattern as written, a function by its name, and a file
    named by its absolute path (``workflow.source_path``) relative to the project, so that the index
    is the same in every folder the study is built in.

    >>> import os
    >>> _files(["results/{name}.csv", os.path.join(os.getcwd(), "config.yaml"), len])
    ['results/{name}.csv', 'config.yaml', '<len>']
    """
    out = []
    for item in files:
        if callable(item):
            out.append(f"<{getattr(item, '__name__', 'function')}>")
        elif Path(str(item)).is_absolute():
            out.append(_project_path(item))
        else:
            out.append(str(item))
    return out


def registry_lines(text: str) -> dict[str, int]:
    """The line of each entry of ``workflow/report.yaml``, by section and name: ``{("figures", "saturation"): 71}``.

    >>> registry_lines("figures:\\n  a:\\n    x: 1\\ntables:\\n  a:\\n")
    {('figures', 'a'): 2, ('tables', 'a'): 5}
    """
    out, section = {}, None
    for number, line in enumerate(text.splitlines(), start=1):
        if line and not line.startswith((" ", "#")) and line.rstrip().endswith(":"):
            section = line.rstrip()[:-1]
        elif section and line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":"):
            out[(section, line.strip()[:-1])] = number
    return out


def commit_now(wildcards=None) -> dict:
    """The project's commit when Snakemake builds the DAG (rule build_facts' params: a new commit reruns it)."""
    return repository_commit(".")


def packages_now(wildcards=None) -> dict[str, str]:
    """The system packages' versions when Snakemake builds the DAG (an upgrade reruns build_facts)."""
    return package_versions(SYSTEM_PACKAGES)


class RuleIndex:
    """Rule rule_index's params: every rule as Snakemake parsed it, read when the DAG is built (when
    every rules file has been read), with the registry entry each generated rule is made from."""

    def __init__(self, workflow, registry, registry_file: str):
        self.workflow, self.registry, self.registry_file = workflow, registry, registry_file

    def __call__(self, wildcards=None) -> list[dict]:
        lines = registry_lines(Path(self.registry_file).read_text(encoding="utf-8"))
        entries = self.registry.figures + self.registry.tables + self.registry.numbers
        made = {e.rule: lines[(e.kind, e.name)] for e in entries if e.generated}
        return rule_records(self.workflow.rules, made, self.workflow.linemaps)

