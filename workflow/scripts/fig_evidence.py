"""Rule fig_evidence: one proposition's supporting and contrary evidence by station and by actor type."""
import pandas as pd

from analysis.report.figures import evidence_profile, use_cjk_font
from analysis.report.tables import ACTOR_LABELS


use_cjk_font()
claim, lang = snakemake.wildcards.claim.upper(), snakemake.params.lang
by_station = pd.read_parquet(snakemake.input.by_station).query("claim == @claim").set_index("case_id")
by_actor = pd.read_parquet(snakemake.input.by_actor).query("claim == @claim").set_index("actor_type")
words = {"zh": {"by_station": "按站点", "by_actor": "按发言主体", "support": "支持", "contrary": "反证",
                "xlabel": "编码片段数（左：反证，右：支持）"},
         "en": {"by_station": "By station", "by_actor": "By actor type", "support": "supporting",
                "contrary": "contrary", "xlabel": "Coded segments (left: contrary, right: supporting)"}}[lang]
fig = evidence_profile(by_station.sort_index(), by_actor, ACTOR_LABELS[lang], words)
fig.savefig(snakemake.output.figure, dpi=snakemake.params.dpi, metadata={"Software": None})
