"""Rule mechanism_links: the links of the mechanism diagram, weighted by co-occurrence."""
import pandas as pd

from analysis.methods.mechanisms import mechanism_links


p = snakemake.params
links = mechanism_links(pd.read_parquet(snakemake.input.pairs), pd.read_parquet(snakemake.input.codes), p.conditions,
                        p.mechanisms, p.models["outcome_theme"], p.fdr, excluded=p.outcomes)
links.to_parquet(snakemake.output.links, index=False)
