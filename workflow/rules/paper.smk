# Stage 6: the reproducibility appendix's inputs, and the Jupyter Book (HTML; PDF on request).
# The book reads only files the rules above wrote.
from analysis.report.audit import RuleIndex, commit_now, packages_now, segment_list_keys
from analysis.report.registry import REGISTRY_FILE


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


# The book's provenance: the segments behind each count, the digests of what the book shows, the
# build's commit, seeds and system packages, every rule's definition and files, and the Snakemake report.
SEGMENT_KEYS = segment_list_keys(config["propositions"])
PROVENANCE = {
    "segments": "results/provenance/segment_lists.json",
    "digests": "results/provenance/output_digests.json",
    "build": "results/provenance/build.json",
    "rules": "results/provenance/rules.json",
    "report": "paper/_build/report.html",
}


rule segment_lists:
    input:
        segments="results/ingest/segments.parquet",
        codes="results/ingest/codes.parquet",
        frequencies="results/coding/code_frequencies.parquet",
        documents="results/ingest/documents.parquet",
        numbers=["results/numbers/mechanisms.json", "results/numbers/coding.json", "results/numbers/corpus.json"],
    output:
        index=PROVENANCE["segments"],
        **{key: f"results/provenance/segments/{key}.csv" for key in SEGMENT_KEYS},
    log:
        "logs/paper/segment_lists.log",
    params:
        code=code_for("segment_lists"),
        coder=PRIMARY_CODER,
        propositions=config["propositions"],
        models=config["models"],
        lang=LANG,
    run:
        run_rule_script("segment_lists", input, output, params, wildcards, log)


rule output_digests:
    # Reads what the book shows and nothing the book makes: the book depends on it, never the reverse.
    input:
        tables=expand("results/tables/{name}.{ext}", name=TABLES, ext=("md", "csv")),
        figures=expand("results/figures/{name}.png", name=FIGURES),
    output:
        summary=PROVENANCE["digests"],
        csv="results/provenance/output_digests.csv",
    log:
        "logs/paper/output_digests.log",
    params:
        code=code_for("output_digests"),
    run:
        run_rule_script("output_digests", input, output, params, wildcards, log)


rule build_facts:
    output:
        facts=PROVENANCE["build"],
    log:
        "logs/paper/build_facts.log",
    params:
        code=code_for("build_facts"),
        commit=commit_now,
        packages=packages_now,
        seeds=config["seeds"],
    run:
        run_rule_script("build_facts", input, output, params, wildcards, log)


rule rule_index:
    input:
        snakefile="Snakefile",
        rules=sorted(str(p) for p in Path("workflow/rules").glob("*.smk")),
        registry=REGISTRY_FILE,
    output:
        index=PROVENANCE["rules"],
    log:
        "logs/paper/rule_index.log",
    params:
        code=code_for("rule_index"),
        rules=RuleIndex(workflow, REGISTRY, REGISTRY_FILE),
    run:
        run_rule_script("rule_index", input, output, params, wildcards, log)


rule snakemake_report:
    # Beside the book, not in it: the report records run times, so it differs from build to build,
    # and the book (and results/) must not. The book links it as ../report.html.
    input:
        figures=expand("results/figures/{name}.png", name=FIGURES),
    output:
        report=PROVENANCE["report"],
    log:
        "logs/paper/snakemake_report.log",
    params:
        code=code_for("snakemake_report"),
        configfile=CONFIG_NAME,
    run:
        run_rule_script("snakemake_report", input, output, params, wildcards, log)


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
            "results/provenance/output_digests.csv",
            "results/mechanisms/mechanism_links.csv",
        ],
        provenance=list(PROVENANCE.values()),
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
        provenance=[path for name, path in PROVENANCE.items() if name != "report"],
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
