"""Rule table_checksums: the size and SHA-256 of every raw input, from the manifest."""
import pandas as pd

from analysis.io import log_to, write_table

log_to(snakemake.log[0])
manifest = pd.read_csv(snakemake.input.manifest)
if snakemake.params.lang == "zh":
    manifest = manifest.rename(columns={"path": "文件", "bytes": "字节", "sha256": "SHA-256"})
write_table(manifest, snakemake.output.markdown, snakemake.output.csv)
