"""Sphinx extension: the numbers the pipeline wrote become MyST substitutions.

``casebook_numbers`` (in ``_config.yml``) names the folder the ``numbers_<topic>`` rules write
to, one ``<topic>.json`` per topic, each number with the rule and function that computed it. The
topics are merged; each key becomes a substitution, so a chapter writes ``{{ n_documents }}``
and never types the number. The build stops when the folder holds no topic, when two topics
define the same key, and (with ``--warningiserror``) when a chapter uses a key no topic defines.
While the data are synthetic the Sphinx tag ``synthetic`` is set, so passages that only make
sense for the synthetic corpus are written inside ``{only} synthetic`` blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.errors import ConfigError


def read_numbers(folder: Path) -> dict[str, dict]:
    """Every topic's numbers in ``folder``, merged: ``{key: {"value", "rule", "function"}}``."""
    topics = sorted(Path(folder).glob("*.json"))
    if not topics:
        raise ConfigError(f"casebook: {folder} holds no numbers; build the book with `snakemake`, which writes them first.")
    merged: dict[str, dict] = {}
    for path in topics:
        for key, record in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ConfigError(f"casebook: the number '{key}' is computed twice, by rules {merged[key]['rule']} and "
                                  f"{record['rule']} ({path.name}); give one of them another name.")
            merged[key] = record
    return merged


def load_numbers(app, config) -> None:
    numbers = {key: record["value"] for key, record in read_numbers(Path(app.confdir) / config.casebook_numbers).items()}
    config.myst_substitutions = {**(config.myst_substitutions or {}), **numbers}
    # Passages about the synthetic corpus (its recovery check) sit in ```{only} synthetic``` blocks.
    if numbers.get("data_is_synthetic") in ("是", "yes"):
        app.tags.add("synthetic")
    elif "synthetic" in app.tags:
        app.tags.remove("synthetic")


def setup(app):
    app.add_config_value("casebook_numbers", "../results/numbers", "env")
    app.connect("config-inited", load_numbers, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
