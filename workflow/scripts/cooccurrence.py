"""Rule cooccurrence: c-coefficients of every pair of leaf codes, per span and per document, with tests."""
import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.methods.cooccurrence import document_cooccurrence, segment_cooccurrence


segments = read_segments(snakemake.input.segments, snakemake.params.coder)
codes = pd.read_parquet(snakemake.input.codes)
leaves = codes.loc[codes["is_leaf"], "code_id"].tolist()
documents = read_documents(snakemake.input.documents)
pairs = pd.concat([segment_cooccurrence(segments, leaves),
                   document_cooccurrence(segments, leaves, documents["document_id"].tolist(),
                                         documents["case_id"].tolist())], ignore_index=True)
pairs.to_parquet(snakemake.output.pairs, index=False)
