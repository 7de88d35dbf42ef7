# Stage 2: coding summaries of the primary (reconciled) coding, and thematic saturation.


rule code_frequencies:
    input:
        code=code_for("code_frequencies"),
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        documents="results/ingest/documents.parquet",
        participants="results/ingest/participants.parquet",
    output:
        pooled="results/coding/code_frequencies.parquet",
        by_station="results/coding/code_frequencies_by_station.parquet",
    log:
        "logs/coding/code_frequencies.log",
    benchmark:
        "benchmarks/coding/code_frequencies.tsv"
    params:
        coder=PRIMARY_CODER,
    run:
        in_process("code_frequencies", input, output, params, wildcards, log)


rule code_by_actor:
    input:
        code=code_for("code_by_category"),
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        cells="results/coding/code_by_actor_cells.parquet",
        tests="results/coding/code_by_actor_tests.parquet",
    log:
        "logs/coding/code_by_actor.log",
    benchmark:
        "benchmarks/coding/code_by_actor.tsv"
    params:
        by="actor",
        coder=PRIMARY_CODER,
        coding=config["coding"],
        seed=config["seeds"]["permutation"],
    run:
        in_process("code_by_category", input, output, params, wildcards, log)


rule code_by_phase:
    input:
        code=code_for("code_by_category"),
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        cells="results/coding/code_by_phase_cells.parquet",
        tests="results/coding/code_by_phase_tests.parquet",
    log:
        "logs/coding/code_by_phase.log",
    benchmark:
        "benchmarks/coding/code_by_phase.tsv"
    params:
        by="phase",
        coder=PRIMARY_CODER,
        coding=config["coding"],
        seed=config["seeds"]["permutation"],
    run:
        in_process("code_by_category", input, output, params, wildcards, log)


rule saturation:
    input:
        code=code_for("saturation"),
        segments="results/ingest/segments.parquet",
        documents="results/ingest/documents.parquet",
        codes="results/ingest/codes.parquet",
    output:
        curve="results/coding/saturation_curve.parquet",
        runs="results/coding/saturation_runs.parquet",
        summary="results/coding/saturation.parquet",
    log:
        "logs/coding/saturation.log",
    benchmark:
        "benchmarks/coding/saturation.tsv"
    params:
        coder=PRIMARY_CODER,
        saturation=config["saturation"],
    run:
        in_process("saturation", input, output, params, wildcards, log)
