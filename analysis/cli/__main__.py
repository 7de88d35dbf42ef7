"""``python -m analysis.cli``: the ``casebook`` command."""
import sys

from analysis.cli import main

sys.exit(main())
