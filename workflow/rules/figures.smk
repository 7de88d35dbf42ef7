# Stage 5: figures, tables and the numbers the book prints. One rule and one script per figure.


rule fig_theme_frequencies:
    input:
        frequencies="results/coding/code_frequencies.parquet",
    output:
        figure=report(
            "results/figures/theme_frequencies.png",
            caption="../report/theme_frequencies.rst",
            category="Coding",
        ),
    log:
        "logs/figures/fig_theme_frequencies.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    script:
        "../scripts/fig_theme_frequencies.py"


rule fig_framework_matrix:
    input:
        matrix="results/mechanisms/framework_matrix.parquet",
    output:
        figure=report(
            "results/figures/framework_matrix.png",
            caption="../report/framework_matrix.rst",
            category="Mechanisms",
        ),
    log:
        "logs/figures/fig_framework_matrix.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    script:
        "../scripts/fig_framework_matrix.py"


rule fig_code_by_actor:
    input:
        cells="results/coding/code_by_actor_cells.parquet",
        tests="results/coding/code_by_actor_tests.parquet",
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/code_by_actor.png",
            caption="../report/code_by_actor.rst",
            category="Coding",
        ),
    params:
        lang=LANG,
        fdr=config["coding"]["fdr"],
        dpi=config.get("figures", {}).get("dpi", 150),
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/figures/fig_code_by_actor.log",
    script:
        "../scripts/fig_code_by_actor.py"


rule fig_alpha_forest:
    input:
        per_code="results/reliability/per_code.parquet",
        overall="results/reliability/overall.json",
        codes="results/ingest/codes.parquet",
    output:
        figure=report(
            "results/figures/alpha_forest.png",
            caption="../report/alpha_forest.rst",
            category="Reliability",
        ),
    params:
        lang=LANG,
        thresholds=config["reliability"]["thresholds"],
        dpi=config.get("figures", {}).get("dpi", 150),
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/figures/fig_alpha_forest.log",
    script:
        "../scripts/fig_alpha_forest.py"


rule fig_saturation:
    input:
        curve="results/coding/saturation_curve.parquet",
        runs="results/coding/saturation_runs.parquet",
        summary="results/coding/saturation.parquet",
    output:
        figure=report(
            "results/figures/saturation.png",
            caption="../report/saturation.rst",
            category="Coding",
        ),
    params:
        lang=LANG,
        dpi=config.get("figures", {}).get("dpi", 150),
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/figures/fig_saturation.log",
    script:
        "../scripts/fig_saturation.py"


rule table_code_frequencies:
    input:
        frequencies="results/coding/code_frequencies.parquet",
    output:
        markdown="results/tables/code_frequencies.md",
        csv="results/tables/code_frequencies.csv",
    log:
        "logs/tables/table_code_frequencies.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
    script:
        "../scripts/table_code_frequencies.py"


rule table_reliability:
    input:
        per_code="results/reliability/per_code.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/reliability.md",
        csv="results/tables/reliability.csv",
    log:
        "logs/tables/table_reliability.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
    script:
        "../scripts/table_reliability.py"


rule table_framework_matrix:
    input:
        matrix="results/mechanisms/framework_matrix.parquet",
    output:
        markdown="results/tables/framework_matrix.md",
        csv="results/tables/framework_matrix.csv",
    log:
        "logs/tables/table_framework_matrix.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
        propositions=config["propositions"],
    script:
        "../scripts/table_framework_matrix.py"


rule table_codebook:
    input:
        codes="results/ingest/codes.parquet",
        codebook=config["paths"]["codebook"],
    output:
        markdown="results/tables/codebook.md",
        csv="results/tables/codebook.csv",
    log:
        "logs/tables/table_codebook.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
    script:
        "../scripts/table_codebook.py"


rule table_context:
    input:
        context="results/ingest/context.parquet",
    output:
        markdown="results/tables/context_facts.md",
        csv="results/tables/context_facts.csv",
    log:
        "logs/tables/table_context.log",
    conda:
        "../envs/casebook.yaml"
    params:
        lang=LANG,
    script:
        "../scripts/table_context.py"


rule table_code_by_actor:
    input:
        cells="results/coding/code_by_actor_cells.parquet",
        tests="results/coding/code_by_actor_tests.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/code_by_actor.md",
        csv="results/tables/code_by_actor.csv",
    params:
        lang=LANG,
        categories="actor",
        fdr=config["coding"]["fdr"],
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/tables/table_code_by_actor.log",
    script:
        "../scripts/table_code_by_category.py"


rule table_code_by_phase:
    input:
        cells="results/coding/code_by_phase_cells.parquet",
        tests="results/coding/code_by_phase_tests.parquet",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/code_by_phase.md",
        csv="results/tables/code_by_phase.csv",
    params:
        lang=LANG,
        categories="phase",
        fdr=config["coding"]["fdr"],
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/tables/table_code_by_phase.log",
    script:
        "../scripts/table_code_by_category.py"


rule table_station_themes:
    input:
        by_station="results/coding/code_frequencies_by_station.parquet",
    output:
        markdown="results/tables/station_themes.md",
        csv="results/tables/station_themes.csv",
    params:
        lang=LANG,
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/tables/table_station_themes.log",
    script:
        "../scripts/table_station_themes.py"


rule table_saturation:
    input:
        summary="results/coding/saturation.parquet",
    output:
        markdown="results/tables/saturation.md",
        csv="results/tables/saturation.csv",
    params:
        lang=LANG,
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/tables/table_saturation.log",
    script:
        "../scripts/table_saturation.py"


rule table_disagreements:
    input:
        table="results/reliability/disagreements.csv",
        codes="results/ingest/codes.parquet",
    output:
        markdown="results/tables/disagreements.md",
        csv="results/tables/disagreements.csv",
    params:
        lang=LANG,
    conda:
        "../envs/casebook.yaml"
    log:
        "logs/tables/table_disagreements.log",
    script:
        "../scripts/table_disagreements.py"


rule numbers:
    input:
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
    output:
        numbers="results/numbers/numbers.json",
    log:
        "logs/numbers/numbers.log",
    conda:
        "../envs/casebook.yaml"
    params:
        coder=PRIMARY_CODER,
        lang=LANG,
        study=config["study"],
        fdr=config["coding"]["fdr"],
        thresholds=config["reliability"]["thresholds"],
        coding=config["coding"],
        reliability=config["reliability"],
    script:
        "../scripts/numbers.py"
