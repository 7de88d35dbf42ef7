"""Rule manifest: size and SHA-256 of every raw input, for the reproducibility appendix."""
from analysis.io import file_manifest, log_to

log_to(snakemake.log[0])
file_manifest(list(snakemake.input.raw)).to_csv(snakemake.output.manifest, index=False)
