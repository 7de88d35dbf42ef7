"""Rule fig_qca_xy: XY plot of the (first) intermediate solution against the outcome."""
import json

import numpy as np
import pandas as pd

from analysis.methods.qca import parse_term, term_membership
from analysis.report.figures import qca_xy, use_cjk_font


use_cjk_font()
with open(snakemake.input.solutions, encoding="utf-8") as src:
    result = json.load(src)
data = pd.read_parquet(snakemake.input.calibrated)
conditions, outcome = result["conditions"], result["outcome"]
models = result["solutions"]["intermediate"]
lang = snakemake.params.lang
words = {"zh": {"x": "中间解的隶属度", "y": f"结果（{outcome}）的隶属度", "incl": "一致性", "cov": "覆盖度",
                "none": f"站点数 {result['status']['n_cases']} 少于 {result['status']['min_cases']}，未做 QCA"},
         "en": {"x": "membership in the intermediate solution", "y": f"membership in the outcome ({outcome})",
                "incl": "consistency", "cov": "coverage",
                "none": f"{result['status']['n_cases']} stations, fewer than {result['status']['min_cases']}: no QCA"}}[lang]
if models:
    terms = [parse_term(t["term"], conditions) for t in models[0]["terms"]]
    solution = np.max([term_membership(data, conditions, t) for t in terms], axis=0)
    fig = qca_xy(solution, data[outcome].to_numpy(), list(data["case"]), models[0], words)
else:
    fig = qca_xy(np.array([]), np.array([]), [], None, words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
