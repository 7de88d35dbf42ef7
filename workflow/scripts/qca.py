"""Rule qca: calibrate the stations, test necessity, build the truth table and minimize it."""
import json

import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.qca import anchor_robustness, calibrate_all, necessity_table, report, solve, station_scores


s = snakemake.params.settings
conditions, outcome = list(s["conditions"]), s["outcome"]
segments = read_segments(snakemake.input.segments, snakemake.params.coder)
raw = station_scores(segments, pd.read_parquet(snakemake.input.codes), snakemake.params.propositions, s["conditions"], outcome,
                     snakemake.params.contrary)
calibrated, notes = calibrate_all(raw, s["anchors"])
raw.to_parquet(snakemake.output.raw, index=False)
calibrated.to_parquet(snakemake.output.calibrated, index=False)
status = {"computed": len(calibrated) >= s["min_cases"], "n_cases": len(calibrated), "min_cases": s["min_cases"],
          "adjusted": notes}
if status["computed"]:
    options = {"incl_cut": s["incl_cut"], "n_cut": s["n_cut"], "dir_exp": s["dir_exp"], "pri_cut": s["pri_cut"]}
    result = solve(calibrated, conditions, outcome, **options)
    anchor_robustness(raw, s["anchors"], conditions, outcome, s["robustness_shift"], **options).to_parquet(
        snakemake.output.robustness, index=False)
    tables = report(result)
    necessity_table(calibrated, conditions, outcome).to_parquet(snakemake.output.necessity, index=False)
    result["truth_table"].to_parquet(snakemake.output.truth_table, index=False)
else:
    tables = {"truth_table": [], "solutions": {"conservative": [], "parsimonious": [], "intermediate": []}}
    pd.DataFrame(columns=["condition", "incl", "cov", "ron"]).to_parquet(snakemake.output.necessity, index=False)
    pd.DataFrame(columns=["row", "n", "incl", "pri", "out", "cases"]).to_parquet(snakemake.output.truth_table, index=False)
    pd.DataFrame(columns=["variant", "n_cases", "models", "incl", "cov", "same_as_configured"]).to_parquet(
        snakemake.output.robustness, index=False)
with open(snakemake.output.solutions, "w", encoding="utf-8") as out:
    json.dump({"status": status, "conditions": conditions, "outcome": outcome, **tables}, out, ensure_ascii=False, indent=1)
