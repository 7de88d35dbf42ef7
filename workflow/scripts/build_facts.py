"""Rule build_facts: the commit, the seeds and the system packages' versions, for the reproducibility appendix.

The commit and the versions are read when Snakemake builds the DAG (the rule's params), so that a new
commit or an upgraded package reruns this rule and the book."""
from analysis.inputs.writers import write_json
from analysis.report.audit import build_facts

write_json(snakemake.output.facts, build_facts(snakemake.params.commit, snakemake.params.seeds, snakemake.params.packages))
