# Stage 5: the figures and tables the book shows, one rule each, made in a loop from the registry
# (workflow/report.yaml, read in common.smk), and the numbers the book prints, by topic. Each figure and table
# keeps its own job, output and log. To add one, see workflow/README.md.
# Each is a local rule: on a cluster (profiles/slurm) it runs beside Snakemake, in a thread of its
# process, not as a cluster job. They read small summaries and take a few seconds at most, where a
# cluster job costs a Snakemake start on the node and a turn in the queue.


for _entry in REGISTRY.figures:

    rule:
        name:
            _entry.rule
        input:
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
        localrule: True
        params:
            code=code_of(_entry.module),
            function=_entry.function,
            lang=LANG,
            dpi=config["figures"]["dpi"],
            words=_entry.spec["words"],
            caption=_entry.caption(),
            **_entry.params(),
        run:
            run_registered("figure", params.function, input, output, params, wildcards, log)


for _entry in [e for e in REGISTRY.tables if e.generated]:

    rule:
        name:
            _entry.rule
        input:
            **_entry.inputs(),
        output:
            **{
                f"{slug(stem)}_{ext}": f"results/tables/{_entry.pattern(stem)}.{ext}"
                for stem in _entry.stems()
                for ext in ("md", "csv")
            },
        log:
            f"logs/tables/{_entry.job_name}.log",
        localrule: True
        params:
            code=code_of(_entry.module),
            function=_entry.function,
            lang=LANG,
            **_entry.params(),
        run:
            run_registered("table", params.function, input, output, params, wildcards, log)


for _entry in REGISTRY.numbers:

    rule:
        name:
            _entry.rule
        input:
            **_entry.inputs(),
        output:
            numbers=f"results/numbers/{_entry.name}.json",
        log:
            f"logs/numbers/{_entry.job_name}.log",
        localrule: True
        params:
            code=code_of(_entry.module),
            function=_entry.function,
            lang=LANG,
            **_entry.params(),
        run:
            run_registered("numbers", params.function, input, output, params, wildcards, log)
