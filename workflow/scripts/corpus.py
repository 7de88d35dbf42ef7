"""Rule corpus: every shard's documents and segments pooled into the corpus tables."""
import logging

import pandas as pd

from analysis.inputs.corpus import pool_documents, pool_segments

documents = pool_documents([pd.read_parquet(p) for p in snakemake.input.documents])
segments = pool_segments([pd.read_parquet(p) for p in snakemake.input.segments], documents,
                         pd.read_parquet(snakemake.input.participants), pd.read_parquet(snakemake.input.codes))
documents.to_parquet(snakemake.output.documents, index=False)
segments.to_parquet(snakemake.output.segments, index=False)
logging.info("pooled %d documents and %d segments of %d cases from %d shards", len(documents), len(segments),
             documents["case_id"].nunique(), len(snakemake.input.documents))
