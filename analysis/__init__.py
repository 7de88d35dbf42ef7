"""casebook: the analysis code of the He Project compendium, in layers.

Each layer imports only the layers above it in this list:

- :mod:`analysis.methods`: pure statistics on frames and plain objects (reliability,
  coding summaries, co-occurrence, evidence, models, QCA, process tracing, saturation);
  no labels, no files.
- :mod:`analysis.inputs`: every read and write of a file (:mod:`~analysis.inputs.io`,
  :mod:`~analysis.inputs.writers`), the schemas and the checks of the raw inputs, the
  de-identified corpus, de-identification and provenance.
- :mod:`analysis.report`: what the book shows: every zh/en wording
  (:mod:`~analysis.report.labels`), figures, tables, the numbers it prints and the leak gate,
  each exposing a registry from name to function.
- :mod:`analysis.exchange`: REFI-QDA projects and codebooks, and spreadsheet exports of QDA
  programs, in and out.
- :mod:`analysis.casework`: new case folders and the synthetic illustrative corpus.
- :mod:`analysis.cli`: the ``casebook`` command line and what the workflow says about its jobs.
"""

__version__ = "0.1.0"
