# Stage 4: mechanism analyses (this issue: the stations x propositions evidence matrix).


rule framework_matrix:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        matrix="results/mechanisms/framework_matrix.parquet",
    log:
        "logs/mechanisms/framework_matrix.log",
    conda:
        "../envs/casebook.yaml"
    params:
        coder=PRIMARY_CODER,
        propositions=config["propositions"],
        cases=CASES,
    script:
        "../scripts/framework_matrix.py"
