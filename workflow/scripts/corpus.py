"""Rule corpus: every shard's documents, segments, stations and participants pooled into the corpus tables."""
import logging

import pandas as pd

from analysis.inputs.corpus import pool_documents, pool_segments, pool_shard_people

documents = pool_documents([pd.read_parquet(p) for p in snakemake.input.documents])
stations, people = pool_shard_people([pd.read_parquet(p) for p in snakemake.input.stations],
                                     [pd.read_parquet(p) for p in snakemake.input.participants])
segments = pool_segments([pd.read_parquet(p) for p in snakemake.input.segments], documents, people,
                         pd.read_parquet(snakemake.input.codes))
documents.to_parquet(snakemake.output.documents, index=False)
segments.to_parquet(snakemake.output.segments, index=False)
stations.to_parquet(snakemake.output.stations, index=False)
people.to_parquet(snakemake.output.participants, index=False)
logging.info("pooled %d documents and %d segments of %d cases from %d shards", len(documents), len(segments),
             documents["case_id"].nunique(), len(snakemake.input.documents))
