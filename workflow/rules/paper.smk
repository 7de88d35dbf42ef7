# Stage 6: the Jupyter Book. It reads only files the rules above wrote.


rule book:
    input:
        code=ANALYSIS_CODE,
        sources=book_sources(),
        numbers="results/numbers/numbers.json",
        figures=expand("results/figures/{name}.png", name=FIGURES),
        tables=expand("results/tables/{name}.md", name=TABLES),
        downloads=["results/reliability/disagreements.csv"],
    output:
        html="paper/_build/html/index.html",
    log:
        "logs/paper/book.log",
    benchmark:
        "benchmarks/paper/book.tsv"
    conda:
        "../envs/casebook.yaml"
    shell:
        "jupyter-book build paper --all --warningiserror --keep-going > {log} 2>&1"
