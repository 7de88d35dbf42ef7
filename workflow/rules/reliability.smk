# Stage 3: intercoder reliability on the double-coded documents.


rule reliability:
    input:
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        per_code="results/reliability/per_code.parquet",
        overall="results/reliability/overall.json",
    log:
        "logs/reliability/reliability.log",
    conda:
        "../envs/casebook.yaml"
    params:
        coders=config["coders"]["known"],
    script:
        "../scripts/reliability.py"
