"""Rule manifest: size and SHA-256 of every raw input, for the reproducibility appendix."""
from analysis.inputs.io import file_manifest
from analysis.inputs.writers import write_csv

write_csv(file_manifest(list(snakemake.input.raw)), snakemake.output.manifest)
