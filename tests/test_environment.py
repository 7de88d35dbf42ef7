"""The declared environment: the conda file's pins are uv.lock's."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_conda_requirements_match_the_lock():
    run = subprocess.run(["uv", "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
                          "--format", "requirements-txt", "--no-header"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    pinned = [line for line in (ROOT / "workflow/envs/requirements.txt").read_text().splitlines()
              if line and not line.startswith("#") and not line.startswith("    #")]
    exported = [line for line in run.stdout.splitlines() if line and not line.lstrip().startswith("#")]
    assert pinned == exported, "run: uv export --frozen --no-dev --no-hashes --no-emit-project --format requirements-txt -o workflow/envs/requirements.txt"
