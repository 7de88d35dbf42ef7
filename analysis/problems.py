"""Problems found in the input, reported the way a person can act on them.

Every check in :mod:`analysis.validate` returns a list of :class:`Problem`; nothing
raises on the first error, so ``casebook validate`` can print every problem at once.
:class:`InputError` carries a list of problems out of a function that cannot go on.
"""

from __future__ import annotations

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
        place = f"{self.file}, {self.where}" if self.where else self.file
        return f"{place}: {self.what}\n    fix: {self.fix}"


class InputError(Exception):
    """Raised with every problem found when input cannot be used."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(render_problems(self.problems))


def render_problems(problems: list[Problem]) -> str:
    """Format problems as the text the command line and the workflow print.

    Examples
    --------
    >>> print(render_problems([Problem("a.csv", "line 2", "x is empty", "fill it in")]))
    casebook: 1 problem in the input; nothing was written.
    a.csv, line 2: x is empty
        fix: fill it in
    """
    n = len(problems)
    head = f"casebook: {n} problem{'s' if n != 1 else ''} in the input; nothing was written."
    return "\n".join([head, *(p.render() for p in problems)])
