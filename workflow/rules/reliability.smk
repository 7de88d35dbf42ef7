# Stage 3: intercoder reliability on the double-coded documents, and the disagreements to reconcile.


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
    params:
        code=code_for("reliability"),
        coders=config["coders"]["independent"],
        reliability=config["reliability"],
        seed=config["seeds"]["bootstrap"],
    priority: LONG_JOB
    run:
        run_rule_script("reliability", input, output, params, wildcards, log)


rule reliability_coverage:
    # Does the bootstrap interval of alpha hold its level at this study's size? Percentile and BCa.
    input:
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        coverage="results/reliability/coverage.json",
    log:
        "logs/reliability/reliability_coverage.log",
    params:
        code=code_for("reliability_coverage"),
        coders=config["coders"]["independent"],
        reliability=config["reliability"],
        seed=config["seeds"]["coverage"],
    priority: LONG_JOB + 2  # the longest analysis at a province's size (21 s at 1,940 stations): it starts first
    run:
        run_rule_script("reliability_coverage", input, output, params, wildcards, log)


rule disagreements:
    input:
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        table="results/reliability/disagreements.csv",
    log:
        "logs/reliability/disagreements.log",
    params:
        code=code_for("disagreements"),
        coders=config["coders"]["independent"],
    priority: LONG_JOB
    run:
        run_rule_script("disagreements", input, output, params, wildcards, log)
