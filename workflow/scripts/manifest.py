"""Rule manifest: size and SHA-256 of every raw input, for the reproducibility appendix: the case
files from the ingest shards' manifests, the configuration and the shared files read here."""
import pandas as pd

from analysis.inputs.io import file_manifest
from analysis.inputs.writers import write_csv

parts = [pd.read_csv(path, dtype={"path": str, "bytes": int, "sha256": str}) for path in snakemake.input.shards]
parts.append(file_manifest(list(snakemake.input.raw)))
manifest = pd.concat(parts, ignore_index=True).drop_duplicates("path").sort_values("path", ignore_index=True)
write_csv(manifest, snakemake.output.manifest)
