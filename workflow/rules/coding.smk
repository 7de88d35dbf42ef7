# Stage 2: coding summaries of the primary (reconciled) coding, and thematic saturation.


rule code_frequencies:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        documents="results/ingest/documents.parquet",
        participants="results/ingest/participants.parquet",
    output:
        pooled="results/coding/code_frequencies.parquet",
        by_station="results/coding/code_frequencies_by_station.parquet",
    log:
        "logs/coding/code_frequencies.log",
    params:
        code=code_for("code_frequencies"),
        coder=PRIMARY_CODER,
    priority: LONG_JOB
    run:
        run_rule_script("code_frequencies", input, output, params, wildcards, log)


rule code_by_category:
    # Is each code's use independent of the span's actor type (code_by_actor) or phase (code_by_phase)?
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        cells="results/coding/code_by_{category}_cells.parquet",
        tests="results/coding/code_by_{category}_tests.parquet",
    log:
        "logs/coding/code_by_{category}.log",
    wildcard_constraints:
        category="actor|phase",
    params:
        code=code_for("code_by_category"),
        coder=PRIMARY_CODER,
        coding=config["coding"],
        seed=config["seeds"]["permutation"],
    priority: LONG_JOB
    run:
        run_rule_script("code_by_category", input, output, params, wildcards, log)


rule saturation:
    input:
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        curve="results/coding/saturation_curve.parquet",
        runs="results/coding/saturation_runs.parquet",
        summary="results/coding/saturation.parquet",
    log:
        "logs/coding/saturation.log",
    params:
        code=code_for("saturation"),
        coder=PRIMARY_CODER,
        saturation=config["saturation"],
        seed=config["seeds"]["orders"],
    run:
        run_rule_script("saturation", input, output, params, wildcards, log)
