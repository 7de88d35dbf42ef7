"""Rule numbers: every number the book prints, as one JSON table of text values."""
import json

import pandas as pd

from analysis import book_numbers as bn
from analysis.io import log_to

log_to(snakemake.log[0])

t = {name: pd.read_parquet(path) for name, path in snakemake.input.items() if path.endswith(".parquet")}
with open(snakemake.input.overall, encoding="utf-8") as src:
    overall = json.load(src)
lang, study = snakemake.params.lang, snakemake.params.study
numbers = bn.corpus_numbers(t["stations"], t["participants"], t["documents"], t["segments"], t["codes"], snakemake.params.coder)
numbers |= bn.reliability_numbers(overall, t["per_code"], t["codes"], len(t["documents"]), lang)
numbers |= bn.frequency_numbers(t["frequencies"], lang) | bn.framework_numbers(t["matrix"]) | bn.context_numbers(t["context"])
numbers |= bn.data_notice(study["synthetic_data"])
with open(snakemake.output.numbers, "w", encoding="utf-8") as out:
    json.dump(numbers, out, ensure_ascii=False, indent=1, sort_keys=True)
