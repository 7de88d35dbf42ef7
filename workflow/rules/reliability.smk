# Stage 3: intercoder reliability on the double-coded documents, and the disagreements to reconcile.


rule reliability:
    input:
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        per_code="results/reliability/per_code.parquet",
        overall="results/reliability/overall.json",
    params:
        coders=config["coders"]["independent"],
        reliability=config["reliability"],
        seed=config["seeds"]["bootstrap"],
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/reliability/reliability.log",
    script:
        "../scripts/reliability.py"


rule disagreements:
    input:
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        table="results/reliability/disagreements.csv",
    params:
        coders=config["coders"]["independent"],
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/reliability/disagreements.log",
    script:
        "../scripts/disagreements.py"
