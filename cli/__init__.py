"""The `revrisk` command line (typer): one module per command group, `main.py` assembles them.

The top of the layering with `benchmarks`: may import every layer below (ui, evals, agent,
tools, services, analytics, data, domain). Output goes through `cli.common` so user text never
passes through rich markup unescaped.
"""
