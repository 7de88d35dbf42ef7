"""Problems found in the input, reported the way a person can act on them.

Every check in :mod:`analysis.inputs.validate` returns a list of :class:`Problem`; nothing
raises on the first error, so ``casebook validate`` can print every problem at once.
:class:`InputError` carries a list of problems out of a function that cannot go on.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input.

    Attributes
    ----------
    file : str
        Path of the offending file, relative to the project root where possible.
    where : str
        Line, row or key inside the file (``"line 5"``, ``"key cases[2]"``), or ``""``.
    what : str
        What is wrong, in one sentence.
    fix : str
        How to fix it, in one sentence.

    Examples
    --------
    >>> print(Problem("data/codebook.yaml", "line 3", "the YAML does not parse", "close the quote").render())
    data/codebook.yaml, line 3: the YAML does not parse
        fix: close the quote
    """

    file: str
    where: str
    what: str
    fix: str

    def render(self) -> str:
        place = f"{_clip(self.file, 300)}, {_clip(self.where, 200)}" if self.where else _clip(self.file, 300)
        return f"{place}: {_clip(self.what, 600)}\n    fix: {_clip(self.fix, 600)}"

    def masked(self, names) -> Problem:
        """The problem with every name form in it masked (``names``: an
        :class:`analysis.inputs.deid.NameMatcher`, or ``None`` for no names known)."""
        if not names:
            return self
        return Problem(names.masked(self.file), names.masked(self.where), names.masked(self.what), names.masked(self.fix))


def _clip(text: str, limit: int) -> str:
    """A part of a message at most ``limit`` characters long: a message quoting a whole cell or
    header must not flood the console.

    Examples
    --------
    >>> _clip("x" * 10, 20), _clip("x" * 30, 20)
    ('xxxxxxxxxx', 'xxxxxxxxxxxxxxxxxxxx… (10 characters more)')
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} characters more)"


class InputError(Exception):
    """Raised with every problem found when input cannot be used."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(render_problems(self.problems))


#: At most this many problems of one file are printed; the rest are counted.
MAX_PER_FILE = 50
#: How a problem saying that a check gave up on a file begins; it is printed whatever the cap.
STOPPED = "checking stopped"


def capped(problems: list[Problem], per_file: int = MAX_PER_FILE) -> list[Problem]:
    """The problems to print: the first ``per_file`` of each file, then one line counting the rest.

    Examples
    --------
    >>> shown = capped([Problem("a.csv", f"line {i}", "bad", "fix") for i in range(2, 9)], per_file=3)
    >>> [p.where for p in shown], shown[-1].what
    (['line 2', 'line 3', 'line 4', ''], '4 more problems in this file are not shown')
    """
    seen: dict[str, int] = {}
    out: list[Problem] = []
    for problem in problems:
        seen[problem.file] = seen.get(problem.file, 0) + 1
        if seen[problem.file] <= per_file or problem.what.startswith(STOPPED):
            out.append(problem)  # that checking stopped is always said
            if seen[problem.file] > per_file:
                seen[problem.file] -= 1
    for file, count in seen.items():
        if count > per_file:
            out.append(Problem(file, "", f"{count - per_file:,} more problem{'s' if count - per_file > 1 else ''} in this "
                               f"file {'are' if count - per_file > 1 else 'is'} not shown",
                               "correct the problems shown (many may share one cause), then run again"))
    return out


def render_problems(problems: list[Problem]) -> str:
    """Format problems as the text the command line and the workflow print (at most
    :data:`MAX_PER_FILE` per file, the rest counted).

    Examples
    --------
    >>> print(render_problems([Problem("a.csv", "line 2", "x is empty", "fill it in")]))
    casebook: 1 problem in the input; nothing was written.
    a.csv, line 2: x is empty
        fix: fill it in
    """
    n = len(problems)
    head = f"casebook: {n:,} problem{'s' if n != 1 else ''} in the input; nothing was written."
    return "\n".join([head, *(p.render() for p in capped(problems))])


def failure_text(err: BaseException) -> str:
    """What a failed job says first, in words, without a traceback.

    Examples
    --------
    >>> print(failure_text(OSError(errno.ENOSPC, "No space left on device", "results/x.parquet")))
    casebook: the disk is full: results/x.parquet could not be written (No space left on device); free some space (`df -h .` shows how much is left) and run the build again
    >>> print(failure_text(ValueError("bad")))
    casebook: the job stopped on an error it did not expect (ValueError: bad); its log has the traceback, which is worth reporting
    """
    if isinstance(err, InputError):
        return render_problems(err.problems)
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (f"casebook: the disk is full: {err.filename or 'a file'} could not be written ({err.strerror}); "
                "free some space (`df -h .` shows how much is left) and run the build again")
    if isinstance(err, PermissionError):
        return (f"casebook: {err.filename or 'a file'} could not be opened (permission denied); give your user "
                "read and write permission in the project folder and run the build again")
    if isinstance(err, OSError):
        return f"casebook: {err.filename or 'a file'} could not be read or written ({err.strerror or err}); check the disk and run again"
    if isinstance(err, MemoryError):
        return "casebook: the job ran out of memory; close other programs or run it on a larger machine"
    return (f"casebook: the job stopped on an error it did not expect ({type(err).__name__}: {err}); "
            "its log has the traceback, which is worth reporting")


def name_unnamed_write(err: BaseException, files) -> None:
    """A write that failed on a full disk inside a library often names no file: name ``files`` (the
    job's outputs), so that :func:`failure_text` can say which could not be written."""
    if isinstance(err, OSError) and not err.filename and files and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        shown = [str(f) for f in files]
        err.filename = " or ".join(shown[:3]) + (" (or another output)" if len(shown) > 3 else "")
