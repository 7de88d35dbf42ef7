"""Rule table_station_themes: coded segments per theme in each station (Markdown and CSV)."""
import pandas as pd

from analysis.report.tables import station_theme_table, write_table


table = station_theme_table(pd.read_parquet(snakemake.input.by_station), snakemake.params.lang)
write_table(table, snakemake.output.markdown, snakemake.output.csv)
