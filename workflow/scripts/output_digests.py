"""Rule output_digests: the SHA-256 of every table and figure the book shows (a CSV, and a summary for the book)."""
from analysis.inputs.writers import write_csv, write_json
from analysis.report.audit import digest_of_digests, output_digests

table = output_digests([*snakemake.input.tables, *snakemake.input.figures])
write_csv(table, snakemake.output.csv)
write_json(snakemake.output.summary, {"n_tables": int((table["kind"] == "table").sum()),
                                      "n_figures": int((table["kind"] == "figure").sum()),
                                      "bytes": int(table["bytes"].sum()), "digest": digest_of_digests(table),
                                      "csv": "output_digests.csv"})
