"""Figures drawn in one helper process beside the Snakemake process, so that drawing uses the
second core while the other jobs run (jobs in the Snakemake process share one interpreter lock,
and matplotlib draws without releasing it).

:class:`Drawer` starts ``python -m analysis.cli.drawing`` once per build, when the first figure is
asked for, and sends it one request per figure as a line of JSON (the figure's function, its
input files, parameters, wildcards and output); the helper imports matplotlib once, draws with
:func:`analysis.report.figure_jobs.draw` and answers with a line of JSON: done, or the failure in
words with its traceback, and what the figure logged. It stops when the build closes its input.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading


class DrawingFailed(Exception):
    """A figure failed in the helper process: ``text`` says why in words, ``details`` has the traceback."""

    def __init__(self, text: str, details: str = "", log: str = ""):
        super().__init__(text)
        self.text, self.details, self.log = text, details, log


def _plain(names) -> dict:
    """A Snakemake named list or params object as a plain mapping of its named entries."""
    out = {}
    for key, value in names.items():
        if isinstance(value, (list, tuple)) and not isinstance(value, str):
            out[key] = [v if isinstance(v, (dict, list, int, float, bool)) or v is None else str(v) for v in value]
        elif isinstance(value, (dict, int, float, bool)) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


class Drawer:
    """The helper process, started on first use and shared by every figure job of a build."""

    def __init__(self):
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen([sys.executable, "-m", "analysis.cli.drawing"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                             env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
        return self._process

    def draw(self, name: str, input, params, wildcards, output: str) -> str:
        """Draw one figure in the helper process; what it logged. Raises :class:`DrawingFailed`."""
        request = json.dumps({"name": name, "input": _plain(input), "params": _plain(params),
                              "wildcards": _plain(wildcards), "output": str(output)}, ensure_ascii=False)
        with self._lock:
            process = self._start()
            process.stdin.write(request + "\n")
            process.stdin.flush()
            reply = process.stdout.readline()
        if not reply:
            raise DrawingFailed("casebook: the process that draws the figures stopped; its messages are above")
        answer = json.loads(reply)
        if not answer["ok"]:
            raise DrawingFailed(answer["text"], answer["details"], answer["log"])
        return answer["log"]

    def close(self) -> None:
        """Stop the helper process (it ends when its input closes)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.stdin.close()
                self._process.wait(timeout=30)
            self._process = None


#: The helper of this build, stopped when the build's process exits.
DRAWER = Drawer()
atexit.register(DRAWER.close)


def _serve() -> None:
    """The helper's loop: one request per line on standard input, one answer per line on the
    standard output it was started with (anything else the code prints goes to standard error)."""
    import io
    import logging
    import traceback
    import warnings
    from types import SimpleNamespace

    from analysis.inputs.problems import InputError, failure_text, name_unnamed_write
    from analysis.report.figure_jobs import draw

    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    for line in sys.stdin:
        request = json.loads(line)
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.captureWarnings(True)
        try:
            with warnings.catch_warnings():
                draw(request["name"], SimpleNamespace(**request["input"]), SimpleNamespace(**request["params"]),
                     SimpleNamespace(**request["wildcards"]), request["output"])
            answer = {"ok": True, "log": buffer.getvalue()}
        except Exception as err:  # every failure goes back to the job that asked, in words
            name_unnamed_write(err, [request["output"]])
            details = "" if isinstance(err, InputError) else traceback.format_exc()
            answer = {"ok": False, "text": failure_text(err), "details": details, "log": buffer.getvalue()}
        finally:
            root.removeHandler(handler)
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
        answers.flush()


if __name__ == "__main__":
    _serve()
