"""casebook: pure analysis functions for the He Project compendium.

Every public function takes frames or plain Python objects and returns frames
or plain objects; none opens a file path except the thin readers in
:mod:`analysis.io`, which the workflow scripts and the command line call.
"""

__version__ = "0.1.0"
