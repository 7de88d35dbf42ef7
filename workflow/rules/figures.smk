# Stage 5: figures, tables and the numbers the book prints. One rule and one script per figure.


rule fig_theme_frequencies:
    input:
        code=code_for("fig_theme_frequencies"),
        frequencies="results/coding/code_frequencies.parquet",
    output:
        figure=report(
            "results/figures/theme_frequencies.png",
            caption="../report/theme_frequencies.rst",
            category="Coding",
        ),
    log:
        "logs/figures/fig_theme_frequencies.log",
    benchmark:
        "benchmarks/figures/fig_theme_frequencies.tsv"
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_theme_frequencies", input, output, params, wildcards, log)


rule fig_framework_matrix:
    input:
        code=code_for("fig_framework_matrix"),
        matrix="results/mechanisms/framework_matrix.parquet",
    output:
        figure=report(
            "results/figures/framework_matrix.png",
            caption="../report/framework_matrix.rst",
            category="Mechanisms",
        ),
    log:
        "logs/figures/fig_framework_matrix.log",
    benchmark:
        "benchmarks/figures/fig_framework_matrix.tsv"
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_framework_matrix", input, output, params, wildcards, log)


rule fig_code_by_actor:
    input:
        code=code_for("fig_code_by_actor"),
        cells="results/coding/code_by_actor_cells.parquet",
        tests="results/coding/code_by_actor_tests.parquet",
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/code_by_actor.png",
            caption="../report/code_by_actor.rst",
            category="Coding",
        ),
    log:
        "logs/figures/fig_code_by_actor.log",
    benchmark:
        "benchmarks/figures/fig_code_by_actor.tsv"
    params:
        lang=LANG,
        fdr=config["coding"]["fdr"],
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_code_by_actor", input, output, params, wildcards, log)


rule fig_alpha_forest:
    input:
        code=code_for("fig_alpha_forest"),
        per_code="results/reliability/per_code.parquet",
        overall="results/reliability/overall.json",
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/alpha_forest.png",
            caption="../report/alpha_forest.rst",
            category="Reliability",
        ),
    log:
        "logs/figures/fig_alpha_forest.log",
    benchmark:
        "benchmarks/figures/fig_alpha_forest.tsv"
    params:
        lang=LANG,
        thresholds=config["reliability"]["thresholds"],
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_alpha_forest", input, output, params, wildcards, log)


rule fig_saturation:
    input:
        code=code_for("fig_saturation"),
        curve="results/coding/saturation_curve.parquet",
        runs="results/coding/saturation_runs.parquet",
        summary="results/coding/saturation.parquet",
    output:
        figure=report(
            "results/figures/saturation.png",
            caption="../report/saturation.rst",
            category="Coding",
        ),
    log:
        "logs/figures/fig_saturation.log",
    benchmark:
        "benchmarks/figures/fig_saturation.tsv"
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_saturation", input, output, params, wildcards, log)


rule table_code_frequencies:
    input:
        code=code_for("table_code_frequencies"),
        frequencies="results/coding/code_frequencies.parquet",
    output:
        markdown="results/tables/code_frequencies.md",
        csv="results/tables/code_frequencies.csv",
    log:
        "logs/tables/table_code_frequencies.log",
    benchmark:
        "benchmarks/tables/table_code_frequencies.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_code_frequencies", input, output, params, wildcards, log)


rule table_reliability:
    input:
        code=code_for("table_reliability"),
        per_code="results/reliability/per_code.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/reliability.md",
        csv="results/tables/reliability.csv",
    log:
        "logs/tables/table_reliability.log",
    benchmark:
        "benchmarks/tables/table_reliability.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_reliability", input, output, params, wildcards, log)


rule table_framework_matrix:
    input:
        code=code_for("table_framework_matrix"),
        matrix="results/mechanisms/framework_matrix.parquet",
    output:
        markdown="results/tables/framework_matrix.md",
        csv="results/tables/framework_matrix.csv",
    log:
        "logs/tables/table_framework_matrix.log",
    benchmark:
        "benchmarks/tables/table_framework_matrix.tsv"
    params:
        lang=LANG,
        propositions=config["propositions"],
    run:
        in_process("table_framework_matrix", input, output, params, wildcards, log)


rule table_codebook:
    input:
        code=code_for("table_codebook"),
        codes="results/ingest/codes.parquet",
        codebook=config["paths"]["codebook"],
    output:
        markdown="results/tables/codebook.md",
        csv="results/tables/codebook.csv",
    log:
        "logs/tables/table_codebook.log",
    benchmark:
        "benchmarks/tables/table_codebook.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_codebook", input, output, params, wildcards, log)


rule table_context:
    input:
        code=code_for("table_context"),
        context="results/ingest/context.parquet",
    output:
        markdown="results/tables/context_facts.md",
        csv="results/tables/context_facts.csv",
    log:
        "logs/tables/table_context.log",
    benchmark:
        "benchmarks/tables/table_context.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_context", input, output, params, wildcards, log)


rule table_code_by_actor:
    input:
        code=code_for("table_code_by_category"),
        cells="results/coding/code_by_actor_cells.parquet",
        tests="results/coding/code_by_actor_tests.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/code_by_actor.md",
        csv="results/tables/code_by_actor.csv",
    log:
        "logs/tables/table_code_by_actor.log",
    benchmark:
        "benchmarks/tables/table_code_by_actor.tsv"
    params:
        lang=LANG,
        categories="actor",
        fdr=config["coding"]["fdr"],
    run:
        in_process("table_code_by_category", input, output, params, wildcards, log)


rule table_code_by_phase:
    input:
        code=code_for("table_code_by_category"),
        cells="results/coding/code_by_phase_cells.parquet",
        tests="results/coding/code_by_phase_tests.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/code_by_phase.md",
        csv="results/tables/code_by_phase.csv",
    log:
        "logs/tables/table_code_by_phase.log",
    benchmark:
        "benchmarks/tables/table_code_by_phase.tsv"
    params:
        lang=LANG,
        categories="phase",
        fdr=config["coding"]["fdr"],
    run:
        in_process("table_code_by_category", input, output, params, wildcards, log)


rule table_station_themes:
    input:
        code=code_for("table_station_themes"),
        by_station="results/coding/code_frequencies_by_station.parquet",
    output:
        markdown="results/tables/station_themes.md",
        csv="results/tables/station_themes.csv",
    log:
        "logs/tables/table_station_themes.log",
    benchmark:
        "benchmarks/tables/table_station_themes.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_station_themes", input, output, params, wildcards, log)


rule table_saturation:
    input:
        code=code_for("table_saturation"),
        summary="results/coding/saturation.parquet",
    output:
        markdown="results/tables/saturation.md",
        csv="results/tables/saturation.csv",
    log:
        "logs/tables/table_saturation.log",
    benchmark:
        "benchmarks/tables/table_saturation.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_saturation", input, output, params, wildcards, log)


rule table_disagreements:
    input:
        code=code_for("table_disagreements"),
        table="results/reliability/disagreements.csv",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/disagreements.md",
        csv="results/tables/disagreements.csv",
    log:
        "logs/tables/table_disagreements.log",
    benchmark:
        "benchmarks/tables/table_disagreements.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_disagreements", input, output, params, wildcards, log)


rule numbers:
    input:
        code=code_for("numbers"),
        stations="results/ingest/stations.parquet",
        participants="results/ingest/participants.parquet",
        documents="results/ingest/documents.parquet",
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        context="results/ingest/context.parquet",
        frequencies="results/coding/code_frequencies.parquet",
        per_code="results/reliability/per_code.parquet",
        overall="results/reliability/overall.json",
        disagreements="results/reliability/disagreements.csv",
        actor_tests="results/coding/code_by_actor_tests.parquet",
        phase_tests="results/coding/code_by_phase_tests.parquet",
        saturation="results/coding/saturation.parquet",
        matrix="results/mechanisms/framework_matrix.parquet",
        qca="results/mechanisms/qca_solutions.json",
        necessity="results/mechanisms/qca_necessity.parquet",
        pt_summary="results/mechanisms/pt_summary.parquet",
        link="results/mechanisms/mechanism_link_model.parquet",
        outcome_models="results/mechanisms/outcome_models.parquet",
        pairs="results/mechanisms/cooccurrence.parquet",
        design=synthetic_design(),
        manifest="results/ingest/manifest.csv",
        lock="uv.lock",
        rulegraph="results/provenance/rulegraph.dot",
    output:
        numbers="results/numbers/numbers.json",
    log:
        "logs/numbers/numbers.log",
    benchmark:
        "benchmarks/numbers/numbers.tsv"
    params:
        coder=PRIMARY_CODER,
        lang=LANG,
        study=config["study"],
        fdr=config["coding"]["fdr"],
        thresholds=config["reliability"]["thresholds"],
        coding=config["coding"],
        reliability=config["reliability"],
        cooccurrence=config["cooccurrence"],
        qca=config["qca"],
    run:
        in_process("numbers", input, output, params, wildcards, log)


rule fig_cooccurrence_network:
    input:
        code=code_for("fig_cooccurrence_network"),
        pairs="results/mechanisms/cooccurrence.parquet",
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/cooccurrence_network.png",
            caption="../report/cooccurrence_network.rst",
            category="Mechanisms",
        ),
    log:
        "logs/figures/fig_cooccurrence_network.log",
    benchmark:
        "benchmarks/figures/fig_cooccurrence_network.tsv"
    params:
        lang=LANG,
        left_themes=["phase", "mech"],
        models=config["models"],
        fdr=config["cooccurrence"]["fdr"],
        top=config["cooccurrence"]["network_links"],
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_cooccurrence_network", input, output, params, wildcards, log)


rule fig_qca_xy:
    input:
        code=code_for("fig_qca_xy"),
        solutions="results/mechanisms/qca_solutions.json",
        calibrated="results/mechanisms/qca_calibrated.parquet",
    output:
        figure=report(
            "results/figures/qca_xy.png",
            caption="../report/qca_xy.rst",
            category="Cross-case",
        ),
    log:
        "logs/figures/fig_qca_xy.log",
    benchmark:
        "benchmarks/figures/fig_qca_xy.tsv"
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_qca_xy", input, output, params, wildcards, log)


rule fig_pt_logodds:
    input:
        code=code_for("fig_pt_logodds"),
        evidence_items="results/mechanisms/pt_items.parquet",
    output:
        figure=report(
            "results/figures/pt_logodds.png",
            caption="../report/pt_logodds.rst",
            category="Cross-case",
        ),
    log:
        "logs/figures/fig_pt_logodds.log",
    benchmark:
        "benchmarks/figures/fig_pt_logodds.tsv"
    params:
        lang=LANG,
        priors=config["process_tracing"]["priors"],
        labels={h: p["label"][LANG] for h, p in config["propositions"].items()},
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_pt_logodds", input, output, params, wildcards, log)


rule fig_mechanism_diagram:
    input:
        code=code_for("fig_mechanism_diagram"),
        links="results/mechanisms/mechanism_links.parquet",
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/mechanism_diagram.png",
            caption="../report/mechanism_diagram.rst",
            category="Mechanisms",
        ),
    log:
        "logs/figures/fig_mechanism_diagram.log",
    benchmark:
        "benchmarks/figures/fig_mechanism_diagram.tsv"
    params:
        lang=LANG,
        conditions=[p["condition"] for p in config["propositions"].values()],
        mechanisms=list(config["mechanisms"]),
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_mechanism_diagram", input, output, params, wildcards, log)


rule table_evidence:
    input:
        code=code_for("table_evidence"),
        by_actor="results/mechanisms/evidence_by_actor.parquet",
        by_station="results/mechanisms/evidence_by_station.parquet",
        pooled="results/mechanisms/evidence_pooled.parquet",
        codes="results/ingest/codes.parquet",
    output:
        **{
            f"{p.lower()}_{ext}": f"results/tables/evidence_{p.lower()}.{ext}"
            for p in config["propositions"]
            for ext in ("md", "csv")
        },
        mech_md="results/tables/evidence_mechanisms.md",
        mech_csv="results/tables/evidence_mechanisms.csv",
        station_md="results/tables/evidence_by_station.md",
        station_csv="results/tables/evidence_by_station.csv",
    log:
        "logs/tables/table_evidence.log",
    benchmark:
        "benchmarks/tables/table_evidence.tsv"
    params:
        lang=LANG,
        propositions=list(config["propositions"]),
        mechanisms=list(config["mechanisms"]),
    run:
        in_process("table_evidence", input, output, params, wildcards, log)


rule table_cooccurrence:
    input:
        code=code_for("table_cooccurrence"),
        pairs="results/mechanisms/cooccurrence.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/cooccurrence.md",
        csv="results/tables/cooccurrence.csv",
    log:
        "logs/tables/table_cooccurrence.log",
    benchmark:
        "benchmarks/tables/table_cooccurrence.tsv"
    params:
        lang=LANG,
        top=15,
    run:
        in_process("table_cooccurrence", input, output, params, wildcards, log)


rule table_models:
    input:
        code=code_for("table_models"),
        outcomes="results/mechanisms/outcome_models.parquet",
        link="results/mechanisms/mechanism_link_model.parquet",
        codes="results/ingest/codes.parquet",
    output:
        outcomes_md="results/tables/outcome_models.md",
        outcomes_csv="results/tables/outcome_models.csv",
        link_md="results/tables/mechanism_link_model.md",
        link_csv="results/tables/mechanism_link_model.csv",
    log:
        "logs/tables/table_models.log",
    benchmark:
        "benchmarks/tables/table_models.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_models", input, output, params, wildcards, log)


rule table_qca:
    input:
        code=code_for("table_qca"),
        raw="results/mechanisms/qca_raw.parquet",
        calibrated="results/mechanisms/qca_calibrated.parquet",
        necessity="results/mechanisms/qca_necessity.parquet",
        truth_table="results/mechanisms/qca_truth_table.parquet",
        solutions="results/mechanisms/qca_solutions.json",
    output:
        calibration_md="results/tables/qca_calibration.md",
        calibration_csv="results/tables/qca_calibration.csv",
        necessity_md="results/tables/qca_necessity.md",
        necessity_csv="results/tables/qca_necessity.csv",
        truth_table_md="results/tables/qca_truth_table.md",
        truth_table_csv="results/tables/qca_truth_table.csv",
        solutions_md="results/tables/qca_solutions.md",
        solutions_csv="results/tables/qca_solutions.csv",
    log:
        "logs/tables/table_qca.log",
    benchmark:
        "benchmarks/tables/table_qca.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_qca", input, output, params, wildcards, log)


rule table_process_tracing:
    input:
        code=code_for("table_process_tracing"),
        evidence_items="results/mechanisms/pt_items.parquet",
        sensitivity="results/mechanisms/pt_sensitivity.parquet",
    output:
        items_md="results/tables/pt_items.md",
        items_csv="results/tables/pt_items.csv",
        sensitivity_md="results/tables/pt_sensitivity.md",
        sensitivity_csv="results/tables/pt_sensitivity.csv",
    log:
        "logs/tables/table_process_tracing.log",
    benchmark:
        "benchmarks/tables/table_process_tracing.tsv"
    params:
        lang=LANG,
    run:
        in_process("table_process_tracing", input, output, params, wildcards, log)


rule fig_analytic_framework:
    input:
        code=code_for("fig_analytic_framework"),
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/analytic_framework.png",
            caption="../report/analytic_framework.rst",
            category="Framework",
        ),
    log:
        "logs/figures/fig_analytic_framework.log",
    benchmark:
        "benchmarks/figures/fig_analytic_framework.tsv"
    params:
        lang=LANG,
        framework={
            "propositions": config["propositions"],
            "mechanisms": list(config["mechanisms"]),
            "resilience": config["models"]["outcome_theme"],
        },
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_analytic_framework", input, output, params, wildcards, log)


rule fig_evidence:
    input:
        code=code_for("fig_evidence"),
        by_actor="results/mechanisms/evidence_by_actor.parquet",
        by_station="results/mechanisms/evidence_by_station.parquet",
    output:
        figure=report(
            "results/figures/evidence_{claim}.png",
            caption="../report/evidence.rst",
            category="Propositions",
            subcategory="{claim}",
        ),
    log:
        "logs/figures/fig_evidence_{claim}.log",
    benchmark:
        "benchmarks/figures/fig_evidence_{claim}.tsv"
    wildcard_constraints:
        claim="p[0-9]+",
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    run:
        in_process("fig_evidence", input, output, params, wildcards, log)
