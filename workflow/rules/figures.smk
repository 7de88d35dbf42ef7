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
    script:
        "../scripts/numbers.py"
