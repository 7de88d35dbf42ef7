"""Rule table_versions: the versions of the key packages as pinned in uv.lock (and every locked package as CSV)."""
import platform
from pathlib import Path

import pandas as pd

from analysis.inputs.provenance import locked_versions
from analysis.report.tables import write_csv, write_table

zh = snakemake.params.lang == "zh"
lock = Path(snakemake.input.lock)
write_csv(pd.DataFrame(locked_versions(lock)), snakemake.output.all_versions)
python = {"package": "python", "version": platform.python_version(), "source": "解释器" if zh else "interpreter"}
versions = pd.DataFrame([python, *locked_versions(lock, snakemake.params.packages)])
if zh:
    versions = versions.rename(columns={"package": "软件包", "version": "版本", "source": "来源"})
write_table(versions, snakemake.output.markdown, snakemake.output.csv)
