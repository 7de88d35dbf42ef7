"""Rule reliability_sensitivity: the evidence matrix and the QCA again, without the codes whose
intercoder reliability is below the tentative threshold (flag "unreliable"), beside the results with them."""
import json

import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.evidence import claims, without_codes
from analysis.methods.qca import intermediate_solution, station_scores


p = snakemake.params
s = p.settings
segments = read_segments(snakemake.input.segments, p.coder)
codes = pd.read_parquet(snakemake.input.codes)
per_code = pd.read_parquet(snakemake.input.per_code)
dropped = sorted(per_code.loc[per_code["flag"] == "unreliable", "code_id"])
without_codes(segments, claims(codes, p.propositions, p.mechanisms), dropped, p.cases).to_parquet(
    snakemake.output.claims, index=False)
options = {"incl_cut": s["incl_cut"], "n_cut": s["n_cut"], "dir_exp": s["dir_exp"], "pri_cut": s["pri_cut"]}
solutions = {}
for name, seg in (("all_codes", segments), ("without", segments[~segments["code_id"].isin(dropped)])):
    raw = station_scores(seg, codes, p.propositions, s["conditions"], s["outcome"], p.contrary)
    solutions[name] = (intermediate_solution(raw, s["anchors"], list(s["conditions"]), s["outcome"], **options)
                       if len(raw) >= s["min_cases"] else None)
with open(snakemake.output.qca, "w", encoding="utf-8") as out:
    json.dump({"dropped": dropped, "min_cases": s["min_cases"],
               **{k: (None if v is None else {**v, "incl": None if pd.isna(v["incl"]) else round(float(v["incl"]), 6),
                                              "cov": None if pd.isna(v["cov"]) else round(float(v["cov"]), 6)})
                  for k, v in solutions.items()}}, out, ensure_ascii=False, indent=1)
