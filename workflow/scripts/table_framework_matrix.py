"""Rule table_framework_matrix: stations x propositions evidence table (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import framework_table, write_table


table = framework_table(pd.read_parquet(snakemake.input.matrix), snakemake.params.propositions, snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
