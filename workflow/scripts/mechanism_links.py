"""Rule mechanism_links: the links of the mechanism diagram, each tested by passage-level co-occurrence."""
import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.methods.mechanisms import mechanism_links


p = snakemake.params
links = mechanism_links(read_segments(snakemake.input.segments, p.coder), pd.read_parquet(snakemake.input.codes),
                        p.conditions, p.mechanisms, p.models["outcome_theme"], p.fdr, excluded=p.outcomes)
links.to_parquet(snakemake.output.links, index=False)
