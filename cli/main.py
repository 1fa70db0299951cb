"""`revrisk` command line: one typer app; each area registers its commands from its module.

Heavy libraries (scikit-learn, LangChain, Chainlit) are imported inside commands, so
`revrisk --help` and `revrisk info` stay fast.
"""

from __future__ import annotations

import typer

from cli import (
    agent_cmds,
    data_cmds,
    eval_cmds,
    import_cmds,
    leakage_cmds,
    partition_cmds,
    trend_cmds,
    ui_cmds,
)

app = typer.Typer(
    name="revrisk",
    help="RevRisk Copilot: revenue leakage, reconciliation, trends and segments for finance teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (
    data_cmds,
    import_cmds,
    partition_cmds,
    leakage_cmds,
    trend_cmds,
    agent_cmds,
    eval_cmds,
    ui_cmds,
):
    module.register(app)


def main() -> None:
    """Console-script entry point. An update holding the warehouse, or caches never built,
    end the command with their own plain message (no traceback, no path): exit code 75
    (EX_TEMPFAIL, "try again") and 1; a warehouse missing at the path given, exit code 2 (a
    missing input)."""
    import duckdb

    from data.warehouse import (
        BUSY_MESSAGE,
        CachesNotBuiltError,
        WarehouseBusyError,
        WarehouseMissingError,
        is_lock_conflict,
    )

    try:
        app()
    except WarehouseBusyError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise SystemExit(75) from None
    except duckdb.Error as error:
        if not is_lock_conflict(error):  # DuckDB's raw lock error names the file and a PID
            raise
        typer.echo(f"error: {BUSY_MESSAGE}", err=True)
        raise SystemExit(75) from None
    except CachesNotBuiltError as error:
        typer.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    except WarehouseMissingError as error:  # a missing input, wherever a command met it
        typer.echo(f"error: {error}", err=True)
        raise SystemExit(2) from None
