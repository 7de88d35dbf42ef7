"""The ``casebook`` command line (:mod:`analysis.cli.commands`) and the workflow's job reports
(:mod:`analysis.cli.jobs`).

Importing this package loads nothing heavy: :func:`main` imports the commands when called.
"""


def main(argv: list[str] | None = None) -> int:
    """Run ``casebook`` with ``argv`` (the process's arguments when None); the exit status."""
    from analysis.cli.commands import main as run

    return run(argv)
