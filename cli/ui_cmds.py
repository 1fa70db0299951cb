"""`revrisk serve`: the chat UI (Chainlit) over the warehouse (registered by cli.main)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DbOption, ResultsOption, default_db, fail, results_catalog


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `revrisk` app."""

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Interface (default: REVRISK_HOST).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default: REVRISK_PORT).")] = None,
        db: DbOption = None,
        results: ResultsOption = None,
    ) -> None:
        """Start the chat on http://HOST:PORT (offline planner unless a model is configured).

        `--results OUT` serves the results of `revrisk run` (Parquet folders read through
        OUT/results.duckdb) instead of a warehouse file."""
        from agent.llm import describe_model, resolve_model
        from settings import get_settings
        from tools.context import Context
        from ui.auth import login_enabled
        from ui.server import server_command, server_env

        settings = get_settings()
        db_path = Path(results_catalog(results) if results else (db or default_db())).resolve()
        if not db_path.exists():
            raise fail(f"no warehouse at {db_path}: run `revrisk demo` first (or pass --db).")
        if login_enabled(settings) and settings.chainlit_auth_secret is None:
            raise fail(
                "REVRISK_USERS needs CHAINLIT_AUTH_SECRET (make one: chainlit create-secret)."
            )
        host = host or settings.host
        port = port or settings.port
        context = Context(db_path=str(db_path))
        typer.echo(
            f"RevRisk Copilot on http://{host}:{port} · warehouse {db_path} · "
            f"model {describe_model(context, settings)}",
            err=True,
        )
        if resolve_model(context, settings) == "offline":
            typer.echo(
                "Offline planner answering (set OPENAI_API_KEY or OPENAI_BASE_URL for a "
                "language model).",
                err=True,
            )
        command = server_command(host, port)
        # exec: Chainlit replaces this process, so Ctrl-C and SIGTERM reach the server itself
        os.execve(command[0], command, server_env(os.environ, db_path=db_path))
