"""The registry of every figure, table and topic of numbers the book shows (``workflow/report.yaml``).

``workflow/rules/report.smk`` makes one rule per entry from it, in a loop; the workflow's lists of
figures and tables, the Snakemake report's captions and the tests read it through this module,
so a figure or table is declared in one place. Importing it loads no data library (the workflow
reads it when it is parsed).

An entry (see the comments in ``workflow/report.yaml``) names its input files, the settings it
takes from the configuration, fixed parameters, optionally one wildcard with its values (``each``)
and, for a table entry, the tables it makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.inputs.yaml_bounded import load_yaml_text

#: Where the registry is, relative to the project.
REGISTRY_FILE = "workflow/report.yaml"
#: For each kind: the prefix of its rules' and functions' names, and the module holding the functions.
KINDS = {"figures": ("fig", "analysis/report/figure_jobs.py"), "tables": ("table", "analysis/report/table_jobs.py"),
         "numbers": ("numbers", "analysis/report/number_jobs.py")}


def setting(config: dict, path: str):
    """The configuration's value at a dotted path.

    >>> setting({"coding": {"fdr": 0.05}}, "coding.fdr")
    0.05
    """
    value = config
    for key in path.split("."):
        value = value[key]
    return value


@dataclass
class Entry:
    """One figure, table or topic of numbers of the registry, with the configuration it is made for."""

    kind: str
    name: str
    spec: dict
    config: dict

    @property
    def function(self) -> str:
        """The name of its function (and of its rule): ``fig_<name>``, ``table_<name>`` or ``numbers_<topic>``."""
        return f"{KINDS[self.kind][0]}_{self.spec.get('function', self.name)}"

    rule = function

    @property
    def job_name(self) -> str:
        """The name of its log file: the rule's, and its wildcard (``fig_evidence_{claim}``)."""
        wildcard = self.each[0]
        return f"{self.rule}_{{{wildcard}}}" if wildcard else self.rule

    @property
    def module(self) -> str:
        return KINDS[self.kind][1]

    @property
    def generated(self) -> bool:
        """Whether report.smk makes its rule (a few tables have a rule of their own)."""
        return "rule" not in self.spec

    @property
    def each(self) -> tuple[str | None, list]:
        """Its wildcard and the wildcard's values ("propositions": the configured ones, lower-cased)."""
        if "each" not in self.spec:
            return None, [None]
        ((wildcard, values),) = self.spec["each"].items()
        return wildcard, self._propositions() if values == "propositions" else list(values)

    def _propositions(self) -> list[str]:
        """The configured propositions' ids as file names use them (``p1``)."""
        return [p.lower() for p in self.config["propositions"]]

    def stems(self) -> list[str]:
        """Its output names, wildcard unfilled ("{proposition}" expanded: one table per proposition)."""
        if self.kind != "tables":
            return [self.name]
        out = []
        for table in self.spec.get("tables", [self.name]):
            if "{proposition}" in table:
                out += [table.format(proposition=p) for p in self._propositions()]
            else:
                out.append(table)
        return out

    def outputs(self) -> list[str]:
        """Every output name, its wildcard filled with each of its values."""
        wildcard, values = self.each
        return [stem.replace(f"{{{wildcard}}}", v) if wildcard else stem for stem in self.stems() for v in values]

    def pattern(self, stem: str) -> str:
        """An output name with its wildcard limited to the entry's values (for the rule's output)."""
        wildcard, values = self.each
        return stem.replace(f"{{{wildcard}}}", f"{{{wildcard},{'|'.join(values)}}}") if wildcard else stem

    def inputs(self, root: Path = Path(".")) -> dict:
        """Its input files: literal paths, ``@<setting>`` for a path the configuration names, globs."""

        def files(value: str) -> list[str]:
            if value.startswith("@"):
                return [setting(self.config, value[1:])]
            return sorted(str(p) for p in Path(root).glob(value)) if "*" in value else [value]

        out = {}
        for key, value in self.spec.get("inputs", {}).items():
            found = [f for v in (value if isinstance(value, list) else [value]) for f in files(v)]
            out[key] = found if isinstance(value, list) else found[0]
        return out

    def params(self) -> dict:
        """Its fixed parameters and the configuration's values it takes."""
        taken = {key: setting(self.config, path) for key, path in self.spec.get("settings", {}).items()}
        return {**self.spec.get("params", {}), **taken}

    def caption(self):
        """The Snakemake report's caption (a figure's): the registry's text and what made it; a
        function of the wildcards when the text names one."""
        made = f" Made by rule ``{self.rule}`` (function ``{self.function}`` in ``{self.module}``)."
        text = self.spec["caption"]
        if self.params().get("synthetic"):  # drawn from the corpus while it is the synthetic one
            text = SYNTHETIC_CAPTION + text
        if "{" not in text:
            return text + made
        return lambda wildcards: text.format(**wildcards) + made


#: What a caption of a figure drawn from the synthetic corpus opens with (the image carries the same mark).
SYNTHETIC_CAPTION = "**Synthetic illustrative data (合成示例数据), not the study's findings.** "


class Registry:
    """Every entry of ``workflow/report.yaml``, for one configuration."""

    def __init__(self, root: Path | str, config: dict):
        text = (Path(root) / REGISTRY_FILE).read_text(encoding="utf-8")
        data = load_yaml_text(text)  # the project's own file, but read as carefully as any other
        self.figures = [Entry("figures", name, spec, config) for name, spec in data["figures"].items()]
        self.tables = [Entry("tables", name, spec, config) for name, spec in data["tables"].items()]
        self.numbers = [Entry("numbers", name, spec, config) for name, spec in data["numbers"].items()]

    def figure_names(self) -> list[str]:
        """Every figure: ``results/figures/<name>.png``."""
        return [name for entry in self.figures for name in entry.outputs()]

    def number_topics(self) -> list[str]:
        """Every topic of numbers: ``results/numbers/<topic>.json``."""
        return [entry.name for entry in self.numbers]

    def table_names(self) -> list[str]:
        """Every table: ``results/tables/<name>.md`` (and ``.csv``)."""
        return [name for entry in self.tables for name in entry.outputs()]


def slug(name: str) -> str:
    """A name usable as an output's keyword.

    >>> slug("code_by_{category}")
    'code_by_category'
    """
    return name.replace("{", "").replace("}", "")
