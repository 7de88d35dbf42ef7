"""Rule table_disagreements: where the coders differed, per code (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import disagreement_table, write_table


table = disagreement_table(pd.read_csv(snakemake.input.table, keep_default_na=False, dtype={"other_codes_there": str}),
                           pd.read_parquet(snakemake.input.codes), snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
