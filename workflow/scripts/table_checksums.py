"""Rule table_checksums: the size and SHA-256 of every raw input, from the manifest."""
from pathlib import Path

import pandas as pd

from analysis.inputs.writers import write_csv
from analysis.report.tables import to_markdown

manifest = pd.read_csv(snakemake.input.manifest)
write_csv(manifest, snakemake.output.csv)  # the full SHA-256 of every file, for checking
# The book's table shows the first 16 hex digits (64 bits), which fit a printed page.
shown = manifest.assign(sha256=manifest["sha256"].str[:16])
if snakemake.params.lang == "zh":
    shown = shown.rename(columns={"path": "文件", "bytes": "字节", "sha256": "SHA-256（前 16 位）"})
else:
    shown = shown.rename(columns={"sha256": "sha256 (first 16 hex digits)"})
Path(snakemake.output.markdown).write_text(to_markdown(shown) + "\n", encoding="utf-8")
