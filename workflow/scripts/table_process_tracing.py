"""Rule table_process_tracing: the evidence items and the sensitivity of the posteriors (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import pt_items_table, pt_sensitivity_table, write_table


lang, out = snakemake.params.lang, snakemake.output
write_table(pt_items_table(pd.read_parquet(snakemake.input.evidence_items), lang), out.items_md, out.items_csv)
write_table(pt_sensitivity_table(pd.read_parquet(snakemake.input.sensitivity), lang), out.sensitivity_md, out.sensitivity_csv)
