# Stage 1: the raw case data are validated and become the de-identified corpus tables. One ingest
# job per case checks that case (tables, transcripts, codes, names) before it writes anything, so a
# change in one case's files re-checks and re-ingests that case only; validate_project checks what
# the cases share, and the pooled corpus, which every analysis reads, waits for it. A problem stops
# the build there, before any analysis, with the file, the line and the fix (common.smk's onerror).


rule validate_project:
    input:
        cases=expand("results/validation/cases/{case}.json", case=CASES),  # written by ingest_case
        raw=shared_files(),
        config="config.yaml",
        given_config=str(CONFIG_NAME),
        names=NAME_SOURCES,
        schemas=schema_files(),
    output:
        report="results/validation/project.json",
    log:
        "logs/validation/validate_project.log",
    params:
        code=code_for("validate_project"),
        configfile=lambda wildcards, input: input.given_config,
    run:
        in_process("validate_project", input, output, params, wildcards, log)


rule ingest_codebook:
    input:
        codebook=config["paths"]["codebook"],
        schemas=schema_files(),
    output:
        codes="results/ingest/codes.parquet",
    log:
        "logs/ingest/ingest_codebook.log",
    params:
        code=code_for("ingest_codebook"),
    run:
        in_process("ingest_codebook", input, output, params, wildcards, log)


rule ingest_context:
    input:
        context=config["paths"]["context"],
        schemas=schema_files(),
    output:
        context="results/ingest/context.parquet",
    log:
        "logs/ingest/ingest_context.log",
    params:
        code=code_for("ingest_context"),
    run:
        in_process("ingest_context", input, output, params, wildcards, log)


rule ingest_people:
    input:
        stations=[case_file(case, "station") for case in CASES],
        people=[case_file(case, "participants") for case in CASES],
        names=NAME_SOURCES,
        schemas=schema_files(),
    output:
        stations="results/ingest/stations.parquet",
        participants="results/ingest/participants.parquet",
    log:
        "logs/ingest/ingest_people.log",
    params:
        code=code_for("ingest_people"),
        coders=config["coders"]["known"],
        deid=config["deid"],
    run:
        in_process("ingest_people", input, output, params, wildcards, log)


rule ingest_case:
    input:
        codebook=config["paths"]["codebook"],
        files=case_inputs,
        names=NAME_SOURCES,
        schemas=schema_files(),
    output:
        documents="results/ingest/cases/{case}/documents.parquet",
        segments="results/ingest/cases/{case}/segments.parquet",
        ids="results/validation/cases/{case}.json",
    log:
        "logs/ingest/ingest_case_{case}.log",
    params:
        code=code_for("ingest_case"),
    run:
        in_process("ingest_case", input, output, params, wildcards, log)


rule corpus:
    input:
        documents=expand("results/ingest/cases/{case}/documents.parquet", case=CASES),
        segments=expand("results/ingest/cases/{case}/segments.parquet", case=CASES),
        participants="results/ingest/participants.parquet",
        codes="results/ingest/codes.parquet",
        validated=VALIDATED,
    output:
        documents="results/ingest/documents.parquet",
        segments="results/ingest/segments.parquet",
    log:
        "logs/ingest/corpus.log",
    params:
        code=code_for("corpus"),
    run:
        in_process("corpus", input, output, params, wildcards, log)


rule manifest:
    input:
        raw=raw_files(),
    output:
        manifest="results/ingest/manifest.csv",
    log:
        "logs/ingest/manifest.log",
    params:
        code=code_for("manifest"),
    run:
        in_process("manifest", input, output, params, wildcards, log)
