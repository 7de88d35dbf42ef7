# Stage 4: mechanism analyses (this issue: the stations x propositions evidence matrix).


rule framework_matrix:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        matrix="results/mechanisms/framework_matrix.parquet",
    log:
        "logs/mechanisms/framework_matrix.log",
    params:
        code=code_for("framework_matrix"),
        coder=PRIMARY_CODER,
        propositions=config["propositions"],
        cases=CASES,
    run:
        run_rule_script("framework_matrix", input, output, params, wildcards, log)


rule evidence_matrices:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        by_actor="results/mechanisms/evidence_by_actor.parquet",
        by_station="results/mechanisms/evidence_by_station.parquet",
        pooled="results/mechanisms/evidence_pooled.parquet",
    log:
        "logs/mechanisms/evidence_matrices.log",
    params:
        code=code_for("evidence_matrices"),
        coder=PRIMARY_CODER,
        propositions=config["propositions"],
        mechanisms=config["mechanisms"],
        cases=CASES,
    priority: LONG_JOB
    run:
        run_rule_script("evidence_matrices", input, output, params, wildcards, log)


rule cooccurrence:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        documents="results/ingest/documents.parquet",
    output:
        pairs="results/mechanisms/cooccurrence.parquet",
    log:
        "logs/mechanisms/cooccurrence.log",
    params:
        code=code_for("cooccurrence"),
        coder=PRIMARY_CODER,
    priority: LONG_JOB
    run:
        run_rule_script("cooccurrence", input, output, params, wildcards, log)


rule models:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        documents="results/ingest/documents.parquet",
        participants="results/ingest/participants.parquet",
    output:
        outcomes="results/mechanisms/outcome_models.parquet",
        link="results/mechanisms/mechanism_link_model.parquet",
    log:
        "logs/mechanisms/models.log",
    params:
        code=code_for("models"),
        coder=PRIMARY_CODER,
        settings=config["models"],
    priority: LONG_JOB + 1  # the longest of them
    run:
        run_rule_script("models", input, output, params, wildcards, log)


rule qca:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        raw="results/mechanisms/qca_raw.parquet",
        calibrated="results/mechanisms/qca_calibrated.parquet",
        necessity="results/mechanisms/qca_necessity.parquet",
        truth_table="results/mechanisms/qca_truth_table.parquet",
        solutions="results/mechanisms/qca_solutions.json",
        robustness="results/mechanisms/qca_robustness.parquet",
    log:
        "logs/mechanisms/qca.log",
    params:
        code=code_for("qca"),
        coder=PRIMARY_CODER,
        settings=config["qca"],
        propositions=config["propositions"],
        contrary=config["models"]["outcome_contrary"],
    run:
        run_rule_script("qca", input, output, params, wildcards, log)


rule process_tracing:
    input:
        segments="results/ingest/segments.parquet",
        evidence=config["paths"]["process_tracing"],
        reliability="results/reliability/per_code.parquet",
    output:
        evidence_items="results/mechanisms/pt_items.parquet",
        summary="results/mechanisms/pt_summary.parquet",
        sensitivity="results/mechanisms/pt_sensitivity.parquet",
        influence="results/mechanisms/pt_influence.parquet",
    log:
        "logs/mechanisms/process_tracing.log",
    params:
        code=code_for("process_tracing"),
        coder=PRIMARY_CODER,
        settings=config["process_tracing"],
    run:
        run_rule_script("process_tracing", input, output, params, wildcards, log)


rule mechanism_links:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
    output:
        links="results/mechanisms/mechanism_links.parquet",
        csv="results/mechanisms/mechanism_links.csv",
    log:
        "logs/mechanisms/mechanism_links.log",
    params:
        code=code_for("mechanism_links"),
        coder=PRIMARY_CODER,
        lang=LANG,
        propositions=config["propositions"],
        mechanisms=list(config["mechanisms"]),
        models=config["models"],
        fdr=config["cooccurrence"]["fdr"],
    run:
        run_rule_script("mechanism_links", input, output, params, wildcards, log)


rule reliability_sensitivity:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        per_code="results/reliability/per_code.parquet",
    output:
        claims="results/mechanisms/reliability_sensitivity.parquet",
        qca="results/mechanisms/reliability_sensitivity_qca.json",
    log:
        "logs/mechanisms/reliability_sensitivity.log",
    params:
        code=code_for("reliability_sensitivity"),
        coder=PRIMARY_CODER,
        propositions=config["propositions"],
        mechanisms=config["mechanisms"],
        contrary=config["models"]["outcome_contrary"],
        settings=config["qca"],
        cases=CASES,
    run:
        run_rule_script("reliability_sensitivity", input, output, params, wildcards, log)
