"""Rule table_checksums: the size and SHA-256 of every raw input, from the manifest.

The CSV always lists every file. The book's table lists the shared files (configuration, codebook,
context facts, evidence file) one by one, and the stations' files one row per station folder while
the study has at most ``report.station_detail`` stations, else one row per kind of station file
(station.yaml, participants.csv, segments.csv, transcripts): how many files, their bytes, and the
SHA-256 of their ``sha256sum`` lines, so that it fits a page at any size.
"""
from pathlib import Path

import pandas as pd

from analysis.inputs.writers import write_csv
from analysis.report.numbers import input_digest
from analysis.report.tables import lists_each_station, to_markdown

manifest = pd.read_csv(snakemake.input.manifest)
write_csv(manifest, snakemake.output.csv)  # the full SHA-256 of every file, for checking
zh = snakemake.params.lang == "zh"
each_station = lists_each_station(snakemake.params.n_stations, snakemake.params.detail)
cases = Path(snakemake.params.cases).as_posix().rstrip("/") + "/"


def group_of(path: str) -> str:
    """The row a file belongs to: itself (a shared file), its station's folder, or its kind."""
    if not path.startswith(cases):
        return path
    station, _, rest = path[len(cases):].partition("/")
    if each_station:
        return f"{cases}{station}/"
    return cases + "*/" + ("transcripts/*.md" if rest.startswith("transcripts/") else rest)


def digest(group: pd.DataFrame) -> str:
    # the first 16 hex digits (64 bits), which fit a printed page
    return group["sha256"].iloc[0][:16] if len(group) == 1 else input_digest(group)[:16]


groups = manifest.assign(group=manifest["path"].map(group_of)).groupby("group", sort=False)
shown = pd.DataFrame([{"group": name, "files": f"{len(group):,}", "bytes": f"{int(group['bytes'].sum()):,}",
                       "sha256": digest(group)} for name, group in groups])
where = ("文件或站点文件夹" if each_station else "文件（* 为各站点）") if zh else (
    "file or station folder" if each_station else "file (* = every station)")
headers = ({"group": where, "files": "文件数", "bytes": "字节", "sha256": "SHA-256（前 16 位；多个文件时为其校验行的摘要）"}
           if zh else {"group": where, "files": "files", "bytes": "bytes",
                       "sha256": "sha256 (first 16 hex digits; of the files' sha256sum lines when several)"})
Path(snakemake.output.markdown).write_text(to_markdown(shown.rename(columns=headers)) + "\n", encoding="utf-8")
