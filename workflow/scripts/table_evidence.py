"""Rule table_evidence: evidence matrices for the book, one per proposition, the mechanisms, and by station."""
import pandas as pd

from analysis.report.tables import ACTOR_LABELS, evidence_station_table, evidence_table, write_table


lang, p = snakemake.params.lang, snakemake.params
codes = pd.read_parquet(snakemake.input.codes)
label = dict(zip(codes["code_id"], codes[f"label_{lang}"]))
by_actor = pd.read_parquet(snakemake.input.by_actor)
for prop in p.propositions:
    write_table(evidence_table(by_actor, prop, "actor_type", ACTOR_LABELS[lang], lang),
                snakemake.output[f"{prop.lower()}_md"], snakemake.output[f"{prop.lower()}_csv"])
pooled = pd.read_parquet(snakemake.input.pooled)
mech = pooled[pooled["kind"] == "mechanism"].assign(scope=lambda f: f["claim"])
write_table(evidence_table(mech.assign(claim="m"), "m", "scope", label, lang), snakemake.output.mech_md, snakemake.output.mech_csv)
claims = {c: c for c in p.propositions} | {m: label[m] for m in p.mechanisms}
write_table(evidence_station_table(pd.read_parquet(snakemake.input.by_station), claims, lang),
            snakemake.output.station_md, snakemake.output.station_csv)
