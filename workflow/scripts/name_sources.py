"""Rule name_sources: the index of every file that may hold confidential names (path, size and
SHA-256; never a name), which the jobs that mask names or look for them take as their input."""
from analysis.inputs.io import file_manifest
from analysis.inputs.writers import write_json

sources = file_manifest(list(snakemake.input.names))
write_json(snakemake.output.index, {"sources": sources.to_dict(orient="records")})
