"""Rule rule_index: every rule of the workflow with where it is defined and what it reads and writes
(collected from Snakemake's rules when the DAG is built: the rule's params), for the book's source appendix."""
from analysis.inputs.writers import write_json

write_json(snakemake.output.index, {"rules": snakemake.params.rules})
