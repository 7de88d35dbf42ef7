"""Rule numbers: every number the book prints, as one JSON table of text values."""
import json
from pathlib import Path

import pandas as pd

from analysis.casework.synthetic.generator import load_design
from analysis.inputs.provenance import locked_versions, parse_rulegraph
from analysis.methods.saturation import describe
from analysis.report import numbers as bn


t = {name: pd.read_parquet(path) for name, path in snakemake.input.items() if str(path).endswith(".parquet")}
with open(snakemake.input.overall, encoding="utf-8") as src:
    overall = json.load(src)
disagreements = pd.read_csv(snakemake.input.disagreements, keep_default_na=False)
p = snakemake.params
pooled = t["saturation"].query("scope == 'pooled'").iloc[0].to_dict()
numbers = bn.corpus_numbers(t["stations"], t["participants"], t["documents"], t["segments"], t["codes"], p.coder)
numbers |= bn.reliability_numbers(overall, t["per_code"], t["codes"], len(t["documents"]), p.thresholds, p.lang)
numbers |= bn.disagreement_numbers(disagreements)
numbers |= bn.cross_tab_numbers(t["actor_tests"], "actor", p.fdr) | bn.cross_tab_numbers(t["phase_tests"], "phase", p.fdr)
numbers |= bn.saturation_numbers(t["saturation"], describe(pooled, p.lang))
numbers |= bn.frequency_numbers(t["frequencies"], p.lang) | bn.framework_numbers(t["matrix"])
numbers |= bn.context_numbers(t["context"]) | bn.data_notice(p.study["synthetic_data"])
numbers |= bn.method_numbers(p.coding, p.reliability)
with open(snakemake.input.qca, encoding="utf-8") as src:
    qca = json.load(src)
design_files = list(snakemake.input.design)  # the planted structure, only while the data are synthetic
design = load_design(Path(design_files[0])) if design_files else None
labels = dict(zip(t["codes"]["code_id"], t["codes"][f"label_{p.lang}"]))
numbers |= bn.qca_numbers(qca, t["necessity"], p.lang, p.qca["necessity_incl"]) | bn.model_numbers(t["link"], t["outcome_models"])
numbers |= bn.cooccurrence_numbers(t["pairs"], p.cooccurrence["fdr"], labels) | bn.tracing_numbers(t["pt_summary"])
numbers |= bn.recovery_numbers(qca, t["link"], design, p.lang)
rules, _ = parse_rulegraph(Path(snakemake.input.rulegraph).read_text(encoding="utf-8"))
numbers |= bn.provenance_numbers(pd.read_csv(snakemake.input.manifest), locked_versions(Path(snakemake.input.lock)), rules)
with open(snakemake.output.numbers, "w", encoding="utf-8") as out:
    json.dump(numbers, out, ensure_ascii=False, indent=1, sort_keys=True)
