# Stage 1: the validated raw case data become the de-identified corpus tables.


rule ingest:
    input:
        code=ANALYSIS_CODE,
        codebook=config["paths"]["codebook"],
        context=config["paths"]["context"],
        cases=case_files(),
        schemas=schema_files(),
    output:
        stations="results/ingest/stations.parquet",
        participants="results/ingest/participants.parquet",
        documents="results/ingest/documents.parquet",
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        context="results/ingest/context.parquet",
        manifest="results/ingest/manifest.csv",
    log:
        "logs/ingest/ingest.log",
    benchmark:
        "benchmarks/ingest/ingest.tsv"
    conda:
        "../envs/casebook.yaml"
    params:
        cases=CASES,
        paths=config["paths"],
        coders=config["coders"],
    script:
        "../scripts/ingest.py"
