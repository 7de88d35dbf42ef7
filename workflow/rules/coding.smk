# Stage 2: coding summaries of the primary (reconciled) coding.


rule code_frequencies:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        documents="results/ingest/documents.parquet",
        participants="results/ingest/participants.parquet",
    output:
        frequencies="results/coding/code_frequencies.parquet",
    log:
        "logs/coding/code_frequencies.log",
    conda:
        "../envs/casebook.yaml"
    params:
        coder=PRIMARY_CODER,
    script:
        "../scripts/code_frequencies.py"
