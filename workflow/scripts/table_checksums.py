"""Rule table_checksums: the size and SHA-256 of every raw input, from the manifest.

The CSV always lists every file. The book's table lists every file while the study has at most
``report.station_detail`` stations; a larger study's table lists the shared files one by one and the
stations' files by kind (station.yaml, participants.csv, segments.csv, transcripts): how many, their
bytes, and the SHA-256 of their ``sha256sum`` lines, so that it fits a page at any size.
"""
from pathlib import Path

import pandas as pd

from analysis.inputs.writers import write_csv
from analysis.report.numbers import input_digest
from analysis.report.tables import lists_each_station, to_markdown

manifest = pd.read_csv(snakemake.input.manifest)
write_csv(manifest, snakemake.output.csv)  # the full SHA-256 of every file, for checking
zh = snakemake.params.lang == "zh"
if lists_each_station(snakemake.params.n_stations, snakemake.params.detail):
    # The book's table shows the first 16 hex digits (64 bits), which fit a printed page.
    shown = manifest.assign(sha256=manifest["sha256"].str[:16], bytes=manifest["bytes"].map(lambda n: f"{n:,}"))
    if zh:
        shown = shown.rename(columns={"path": "文件", "bytes": "字节", "sha256": "SHA-256（前 16 位）"})
    else:
        shown = shown.rename(columns={"sha256": "sha256 (first 16 hex digits)"})
else:
    cases = Path(snakemake.params.cases).as_posix().rstrip("/") + "/"

    def kind(path: str) -> str:
        if not path.startswith(cases):
            return path
        rest = path[len(cases):].split("/", 1)[-1]
        return cases + "*/" + ("transcripts/*.md" if rest.startswith("transcripts/") else rest)

    def digest(group: pd.DataFrame) -> str:
        return group["sha256"].iloc[0][:16] if len(group) == 1 else input_digest(group)[:16]

    groups = manifest.assign(kind=manifest["path"].map(kind)).groupby("kind", sort=False)
    shown = pd.DataFrame([{"kind": name, "files": len(group), "bytes": int(group["bytes"].sum()), "sha256": digest(group)}
                          for name, group in groups])
    headers = ({"kind": "文件（* 为各站点）", "files": "文件数", "bytes": "字节", "sha256": "SHA-256（前 16 位；多个文件时为其校验行的摘要）"}
               if zh else {"kind": "file (* = every station)", "files": "files", "bytes": "bytes",
                           "sha256": "sha256 (first 16 hex digits; of the files' sha256sum lines when several)"})
    shown = shown.rename(columns=headers)
Path(snakemake.output.markdown).write_text(to_markdown(shown) + "\n", encoding="utf-8")
