# Stage 5: the figures and tables the book shows, one rule each, made in a loop from the registry
# (workflow/report.yaml, read in common.smk), and the numbers the book prints. Each figure and table
# keeps its own job, output and log. To add one, see workflow/README.md.


for _entry in REGISTRY.figures:

    rule:
        name:
            _entry.rule
        input:
            code=registry_code(_entry),
            **_entry.inputs(),
        output:
            figure=report(
                f"results/figures/{_entry.pattern(_entry.name)}.png",
                caption="../report/caption.rst",
                category=_entry.spec["category"],
                subcategory=f"{{{_entry.each[0]}}}" if _entry.each[0] else None,
            ),
        log:
            f"logs/figures/{_entry.job_name}.log",
        benchmark:
            f"benchmarks/figures/{_entry.job_name}.tsv"
        params:
            function=_entry.function,
            lang=LANG,
            dpi=config["figures"]["dpi"],
            caption=_entry.caption(),
            **_entry.params(),
        run:
            run_registered("figure", params.function, input, output, params, wildcards, log)


for _entry in [e for e in REGISTRY.tables if e.generated]:

    rule:
        name:
            _entry.rule
        input:
            code=registry_code(_entry),
            validated=VALIDATED if _entry.reads_raw_data else [],
            **_entry.inputs(),
        output:
            **{
                f"{slug(stem)}_{ext}": f"results/tables/{_entry.pattern(stem)}.{ext}"
                for stem in _entry.stems()
                for ext in ("md", "csv")
            },
        log:
            f"logs/tables/{_entry.job_name}.log",
        benchmark:
            f"benchmarks/tables/{_entry.job_name}.tsv"
        params:
            function=_entry.function,
            lang=LANG,
            **_entry.params(),
        run:
            run_registered("table", params.function, input, output, params, wildcards, log)


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

