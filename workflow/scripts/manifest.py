"""Rule manifest: size and SHA-256 of every raw input, for the reproducibility appendix."""
from analysis.inputs.io import file_manifest
from analysis.inputs.writers import log_to, write_csv

log_to(snakemake.log[0])
write_csv(file_manifest(list(snakemake.input.raw)), snakemake.output.manifest)
