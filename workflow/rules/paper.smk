# Stage 6: the Jupyter Book. It reads only files the rules above wrote.


rule book:
    input:
        sources=book_sources(),
        numbers="results/numbers/numbers.json",
        figures=[
            "results/figures/theme_frequencies.png",
            "results/figures/framework_matrix.png",
        ],
        tables=[
            "results/tables/code_frequencies.md",
            "results/tables/reliability.md",
            "results/tables/framework_matrix.md",
            "results/tables/codebook.md",
            "results/tables/context_facts.md",
        ],
    output:
        html="paper/_build/html/index.html",
    log:
        "logs/paper/book.log",
    conda:
        "../envs/casebook.yaml"
    shell:
        "jupyter-book build paper --all --warningiserror --keep-going > {log} 2>&1"
