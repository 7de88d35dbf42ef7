"""Rule segment_lists: for each number that counts coded segments, the segments it counts, as a CSV
(pseudonymous ids and masked quotes, as in the corpus), checked against the number the book prints."""
import pandas as pd

from analysis.inputs.corpus import read_documents, read_segments
from analysis.inputs.io import read_json
from analysis.inputs.writers import write_csv, write_json
from analysis.report.audit import check_lists, segment_lists, uncounted_lists

segments = read_segments(snakemake.input.segments, snakemake.params.coder, text=True)
lists = segment_lists(segments, pd.read_parquet(snakemake.input.codes), pd.read_parquet(snakemake.input.frequencies),
                      snakemake.params.propositions, snakemake.params.lang, read_documents(snakemake.input.documents),
                      snakemake.params.models)
numbers = {key: record for path in snakemake.input.numbers for key, record in read_json(path).items()}
lists = uncounted_lists(lists, numbers)
check_lists(lists, numbers)
for key, frame in lists.items():
    write_csv(frame, snakemake.output[key])
write_json(snakemake.output.index, {key: {"file": f"segments/{key}.csv", "n": len(frame)} for key, frame in lists.items()})
