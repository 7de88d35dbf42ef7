"""Rule reliability_sensitivity: the evidence matrix and the QCA again, without the codes whose
intercoder reliability is below the tentative threshold (flag "unreliable"), beside the results with them.

The QCA is run without those codes twice: with the configured anchors, and with anchors moved to the
same quantiles of the new scores (leaving out supporting codes lowers every support share, so fixed
anchors would move stations across the crossover for the change of scale alone). For each set it also
records which of the codes left out enter it and what leaving them out does to its scores.
"""
import json

import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.codebook import themes_of
from analysis.methods.evidence import claims, without_codes
from analysis.methods.mechanisms import evidence_roles
from analysis.methods.qca import anchors_at_same_quantiles, calibrate_all, intermediate_solution, station_scores


def number(v):
    return None if v is None or pd.isna(v) else round(float(v), 6)


p = snakemake.params
s = p.settings
segments = read_segments(snakemake.input.segments, p.coder)
codes = pd.read_parquet(snakemake.input.codes)
per_code = pd.read_parquet(snakemake.input.per_code)
dropped = sorted(per_code.loc[per_code["flag"] == "unreliable", "code_id"])
without_codes(segments, claims(codes, p.propositions, p.mechanisms), dropped, p.cases).to_parquet(
    snakemake.output.claims, index=False)

conditions, outcome = dict(s["conditions"]), s["outcome"]
options = {"incl_cut": s["incl_cut"], "n_cut": s["n_cut"], "dir_exp": s["dir_exp"], "pri_cut": s["pri_cut"]}
kept = segments[~segments["code_id"].isin(dropped)]
before = station_scores(segments, codes, p.propositions, conditions, outcome, p.contrary)
after = station_scores(kept, codes, p.propositions, conditions, outcome, p.contrary)
moved = anchors_at_same_quantiles(before, after, s["anchors"])

# which of the codes left out enter each set, and what leaving them out does to its scores
roles = evidence_roles(codes, {prop: p.propositions[prop] for prop in conditions.values()})
entering = {name: sorted(set(roles.loc[(roles["proposition"] == prop) & roles["role"].isin(["support", "contrary"])
                                       & roles["code_id"].isin(dropped), "code_id"]))
            for name, prop in conditions.items()}
entering[outcome] = sorted(c for c, theme in zip(dropped, themes_of(pd.Series(dropped, dtype=object)))
                          if theme == outcome or c in p.contrary)
cal_before, _ = calibrate_all(before, s["anchors"])
cal_after, _ = calibrate_all(after, s["anchors"])
sets = []
for name in [*conditions, outcome]:
    a = cal_before.set_index("case")[name]
    b = cal_after.set_index("case")[name].reindex(a.index)
    sets.append({"set": name, "dropped": entering[name], "mean_before": number(before[name].mean()),
                 "mean_after": number(after[name].mean()), "n_stations": int(b.notna().sum()),
                 "n_crossing": int(((a > 0.5) != (b > 0.5))[b.notna()].sum())})

variants = {}
for key, raw, anchors in (("all_codes", before, s["anchors"]), ("without", after, s["anchors"]),
                          ("requantiled", after, moved)):
    result = intermediate_solution(raw, anchors, list(conditions), outcome, **options) if len(raw) >= s["min_cases"] else None
    variants[key] = None if result is None else {**result, "incl": number(result["incl"]), "cov": number(result["cov"])}
unused = sorted(set(dropped) - {c for codes_ in entering.values() for c in codes_})
with open(snakemake.output.qca, "w", encoding="utf-8") as out:
    json.dump({"dropped": dropped, "outside_the_sets": unused, "min_cases": s["min_cases"], "sets": sets,
               "anchors_requantiled": moved, **variants}, out, ensure_ascii=False, indent=1)
