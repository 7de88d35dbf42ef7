"""Sphinx extension: the numbers the pipeline wrote become MyST substitutions.

``casebook_numbers`` (in ``_config.yml``) names the JSON file the rule ``numbers``
writes. Each key becomes a substitution, so a chapter writes ``{{ n_documents }}``
and never types the number. The build stops when the file is missing, and (with
``--warningiserror``) when a chapter uses a key the file lacks. While the data are
synthetic the Sphinx tag ``synthetic`` is set, so passages that only make sense for
the synthetic corpus are written inside ``{only} synthetic`` blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.errors import ConfigError


def load_numbers(app, config) -> None:
    path = (Path(app.confdir) / config.casebook_numbers).resolve()
    if not path.is_file():
        raise ConfigError(f"casebook: {path} does not exist; build the book with `snakemake`, which writes it first.")
    numbers = json.loads(path.read_text(encoding="utf-8"))
    config.myst_substitutions = {**(config.myst_substitutions or {}), **numbers}
    # Passages about the synthetic corpus (its recovery check) sit in ```{only} synthetic``` blocks.
    if numbers.get("data_is_synthetic") in ("是", "yes"):
        app.tags.add("synthetic")
    elif "synthetic" in app.tags:
        app.tags.remove("synthetic")


def setup(app):
    app.add_config_value("casebook_numbers", "../results/numbers/numbers.json", "env")
    app.connect("config-inited", load_numbers, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
