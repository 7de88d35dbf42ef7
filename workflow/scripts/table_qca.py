"""Rule table_qca: calibration, necessity, truth table and solutions (Markdown and CSV)."""
import json

import pandas as pd

from analysis.report.tables import (
    qca_calibration_table,
    qca_necessity_table,
    qca_solution_table,
    qca_truth_table,
    write_table,
)


lang, out = snakemake.params.lang, snakemake.output
with open(snakemake.input.solutions, encoding="utf-8") as src:
    result = json.load(src)
write_table(qca_calibration_table(pd.read_parquet(snakemake.input.raw), pd.read_parquet(snakemake.input.calibrated), lang),
            out.calibration_md, out.calibration_csv)
write_table(qca_necessity_table(pd.read_parquet(snakemake.input.necessity), lang), out.necessity_md, out.necessity_csv)
write_table(qca_truth_table(pd.read_parquet(snakemake.input.truth_table), result["conditions"], lang),
            out.truth_table_md, out.truth_table_csv)
write_table(qca_solution_table(result["solutions"], lang), out.solutions_md, out.solutions_csv)
