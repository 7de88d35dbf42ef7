# Stage 1: the raw case data are validated and become the de-identified corpus tables. The stations
# are ingested in shards (common.smk's SHARDS: a fixed number, each station in the one a hash of its
# id gives), one job per shard: it checks its stations (tables, transcripts, codes, names) before it
# writes anything (their documents, segments, stations and participants, a Parquet file each), so a
# change in one station's files re-checks and re-ingests that shard only;
# validate_project checks what the cases share, and the pooled corpus, which every analysis reads,
# waits for it. A problem stops the build there, before any analysis, with the file, the line and the
# fix (common.smk's onerror).
#
# Every participants.csv may hold names that any transcript could mention, so what masks names or
# looks for them depends on all of them: through one index of those files (rule name_sources, their
# paths and checksums, never a name), not through each file, which keeps a province's DAG to one
# entry per raw file (Snakemake checks every declared input of every job on each run).


# A local rule on a cluster (it only reads and hashes the files, in a second for a province): in any
# group it would tie the shards' group to the one that waits for them.
rule name_sources:
    localrule: True
    input:
        names=NAME_SOURCES,
    output:
        index=NAMES_INDEX,
    log:
        "logs/ingest/name_sources.log",
    params:
        code=code_for("name_sources"),
    run:
        run_rule_script("name_sources", input, output, params, wildcards, log)


rule validate_project:
    input:
        shards=expand("results/validation/shards/{shard}.json", shard=SHARDS),  # written by ingest_shard
        raw=shared_files(),
        config="config.yaml",
        given_config=str(CONFIG_NAME),
        names=NAMES_INDEX,
        schemas=schema_files(),
    output:
        report="results/validation/project.json",
    log:
        "logs/validation/validate_project.log",
    params:
        code=code_for("validate_project"),
        configfile=lambda wildcards, input: input.given_config,
    run:
        run_rule_script("validate_project", input, output, params, wildcards, log)


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
        run_rule_script("ingest_codebook", input, output, params, wildcards, log)


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
        run_rule_script("ingest_context", input, output, params, wildcards, log)


rule ingest_shard:
    input:
        codebook=config["paths"]["codebook"],
        files=shard_inputs,
        names=NAMES_INDEX,
        schemas=schema_files(),
    output:
        documents="results/ingest/shards/{shard}/documents.parquet",
        segments="results/ingest/shards/{shard}/segments.parquet",
        stations="results/ingest/shards/{shard}/stations.parquet",
        participants="results/ingest/shards/{shard}/participants.parquet",
        ids="results/validation/shards/{shard}.json",
        manifest="results/ingest/shards/{shard}/manifest.csv",
    wildcard_constraints:
        shard=r"\d+",
    log:
        "logs/ingest/ingest_shard_{shard}.log",
    params:
        code=code_for("ingest_shard"),
        cases=lambda wildcards: SHARDS[wildcards.shard],
    run:
        run_rule_script("ingest_shard", input, output, params, wildcards, log)


rule corpus:
    input:
        documents=expand("results/ingest/shards/{shard}/documents.parquet", shard=SHARDS),
        segments=expand("results/ingest/shards/{shard}/segments.parquet", shard=SHARDS),
        stations=expand("results/ingest/shards/{shard}/stations.parquet", shard=SHARDS),
        participants=expand("results/ingest/shards/{shard}/participants.parquet", shard=SHARDS),
        codes="results/ingest/codes.parquet",
        validated=VALIDATED,
    output:
        documents="results/ingest/documents.parquet",
        segments="results/ingest/segments.parquet",
        stations="results/ingest/stations.parquet",
        participants="results/ingest/participants.parquet",
    log:
        "logs/ingest/corpus.log",
    params:
        code=code_for("corpus"),
    run:
        run_rule_script("corpus", input, output, params, wildcards, log)


# The checksums of the case files come from the shards (each hashes the files it ingests, so this
# job declares one input per shard, not every raw file); this rule adds the configuration and the shared files.
rule manifest:
    input:
        shards=expand("results/ingest/shards/{shard}/manifest.csv", shard=SHARDS),
        raw=unsharded_files(),
    output:
        manifest="results/ingest/manifest.csv",
    log:
        "logs/ingest/manifest.log",
    params:
        code=code_for("manifest"),
    run:
        run_rule_script("manifest", input, output, params, wildcards, log)
