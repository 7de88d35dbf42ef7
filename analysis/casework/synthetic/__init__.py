"""The generator of the SYNTHETIC illustrative corpus shipped in ``data/cases``."""
