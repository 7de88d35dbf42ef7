"""Rule mechanism_links: the links of the mechanism diagram, each tested by passage-level co-occurrence;
the Parquet file for the figure and the numbers, a CSV with the codes' labels for the book's readers."""
import pandas as pd

from analysis.inputs.corpus import read_segments
from analysis.inputs.writers import write_csv
from analysis.methods.codebook import code_labels
from analysis.methods.mechanisms import mechanism_links
from analysis.report.tables import with_labels


p = snakemake.params
codes = pd.read_parquet(snakemake.input.codes)
links = mechanism_links(read_segments(snakemake.input.segments, p.coder), codes, p.propositions, p.mechanisms,
                        p.models["outcome_theme"], p.fdr)
links.to_parquet(snakemake.output.links, index=False)
write_csv(with_labels(links, code_labels(codes, p.lang), ("source", "target")), snakemake.output.csv)
