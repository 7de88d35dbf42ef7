"""Rule table_saturation: saturation pooled and per station (Markdown and CSV)."""
import pandas as pd

from analysis.methods.saturation import describe
from analysis.report.tables import saturation_table, write_table


summary = pd.read_parquet(snakemake.input.summary)
lang = snakemake.params.lang
sentences = [describe(row, lang) for row in summary.to_dict("records")]
write_table(saturation_table(summary, sentences, lang), snakemake.output.markdown, snakemake.output.csv)
