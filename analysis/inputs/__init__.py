"""Inputs: every read and write of a file, the schemas and checks of the raw data, the corpus."""
