"""The folder of the book's own style sheets (``static/``), shared by the extensions that add one."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"


def add_static(app, config) -> None:
    """On ``config-inited``: put :data:`STATIC` on ``html_static_path`` once, whichever extension asks first."""
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path = [*config.html_static_path, str(STATIC)]
