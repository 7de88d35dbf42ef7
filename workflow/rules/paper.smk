# Stage 6: the reproducibility appendix's inputs, and the Jupyter Book (HTML; PDF on request).
# The book reads only files the rules above wrote.


rule rulegraph:
    input:
        snakefile="Snakefile",
        rules=sorted(str(p) for p in Path("workflow/rules").glob("*.smk")),
    output:
        dot="results/provenance/rulegraph.dot",
    log:
        "logs/paper/rulegraph.log",
    params:
        code=code_for("rulegraph"),
        configfile=CONFIG_NAME,
        case=CASES[0],
    run:
        run_rule_script("rulegraph", input, output, params, wildcards, log)


rule table_versions:
    input:
        lock="uv.lock",
    output:
        markdown="results/tables/software_versions.md",
        csv="results/tables/software_versions.csv",
        all_versions="results/provenance/locked_packages.csv",
    log:
        "logs/paper/table_versions.log",
    params:
        code=code_for("table_versions"),
        lang=LANG,
        packages=KEY_PACKAGES,
    run:
        run_rule_script("table_versions", input, output, params, wildcards, log)


rule table_checksums:
    input:
        manifest="results/ingest/manifest.csv",
    output:
        markdown="results/tables/raw_checksums.md",
        csv="results/tables/raw_checksums.csv",
    log:
        "logs/paper/table_checksums.log",
    params:
        code=code_for("table_checksums"),
        lang=LANG,
        n_stations=len(CASES),
        detail=config["report"]["station_detail"],
        cases=config["paths"]["cases"],
    run:
        run_rule_script("table_checksums", input, output, params, wildcards, log)


rule book:
    input:
        sources=book_sources(),
        numbers=expand("results/numbers/{topic}.json", topic=NUMBER_TOPICS),
        figures=expand("results/figures/{name}.png", name=FIGURES),
        tables=expand("results/tables/{name}.md", name=TABLES),
        downloads=[
            "results/reliability/disagreements.csv",
            "results/provenance/locked_packages.csv",
            "results/tables/raw_checksums.csv",
        ],
    output:
        html="paper/_build/html/index.html",
    log:
        "logs/paper/book.log",
    params:
        # Built from nothing every time, so a rebuild gives the same bytes as a first build: Sphinx
        # adds ?v= checksums to links only when an earlier build left its files, and .buildinfo
        # and the doctrees (read by nothing else: the PDF builds its own) record absolute paths.
        stale="paper/_build/html paper/_build/.doctrees",
    conda:
        "../envs/casebook.yaml"
    shell:
        "rm -rf {params.stale} && jupyter-book build paper --all --warningiserror --keep-going > {log} 2>&1"
        " && rm -rf paper/_build/html/.buildinfo paper/_build/.doctrees"


rule pdf:
    # The target of `bash workflow/run.sh pdf`: the PDF, and the leak gate over it.
    input:
        pdf="paper/_build/latex/book.pdf",
        gate="results/leak_gate/pdf.json",


rule latex_pdf:
    input:
        # after the HTML build, so that the two never build at once in paper/_build
        html="paper/_build/html/index.html",
        sources=book_sources(),
        numbers=expand("results/numbers/{topic}.json", topic=NUMBER_TOPICS),
        figures=expand("results/figures/{name}.png", name=FIGURES),
        tables=expand("results/tables/{name}.md", name=TABLES),
    output:
        pdf="paper/_build/latex/book.pdf",
    log:
        "logs/paper/pdf.log",
    params:
        # a fixed PDF creation date (2022-07-01, the study's issue), so the same inputs give the same PDF
        epoch=1656633600,
    conda:
        "../envs/casebook.yaml"
    shell:
        "SOURCE_DATE_EPOCH={params.epoch} FORCE_SOURCE_DATE=1 "
        "jupyter-book build paper --builder pdflatex --warningiserror --keep-going > {log} 2>&1"
