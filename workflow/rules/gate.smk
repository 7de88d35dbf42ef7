# Stage 7: the leak gate. Nothing the build made (results, the book, the logs) may hold a form of
# a confidential name; a form found stops the build with the file, the place and the participant id.


rule leak_gate:
    input:
        book="paper/_build/html/index.html",
        snakemake_report=PROVENANCE["report"],
        names=NAMES_INDEX,
    output:
        report="results/leak_gate/book.json",
    log:
        "logs/gate/leak_gate.log",
    params:
        code=code_for("leak_gate"),
        folders={"results": "results", "book": "paper/_build/html", "report": PROVENANCE["report"], "logs": "logs"},
        deid=config["deid"],
    run:
        run_rule_script("leak_gate", input, output, params, wildcards, log)


rule leak_gate_pdf:
    input:
        pdf="paper/_build/latex/book.pdf",
        names=NAMES_INDEX,
    output:
        report="results/leak_gate/pdf.json",
    log:
        "logs/gate/leak_gate_pdf.log",
    params:
        code=code_for("leak_gate"),
        folders={"latex": "paper/_build/latex"},
        deid=config["deid"],
    run:
        run_rule_script("leak_gate", input, output, params, wildcards, log)
