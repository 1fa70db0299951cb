"""`revrisk ask` and `revrisk chat`: the agent in a terminal (registered by cli.main)."""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import DbOption, ResultsOption, existing_warehouse, results_catalog

if TYPE_CHECKING:
    from rich.console import Console

    from agent.run import Agent, TurnResult

ThreadOption = Annotated[
    str | None, typer.Option("--thread", help="Conversation id; reuse it to ask follow-ups.")
]
_EXIT_WORDS = {"exit", "quit", ":q", "bye"}


def _footer(console: Console, result: TurnResult) -> None:
    calls = ", ".join(
        f"{c['name']}({', '.join(f'{k}={v!r}' for k, v in c['args'].items())})"
        for c in result.tool_calls
    )
    guard = (
        "faithful"
        if result.faithful
        else "not checked"
        if result.faithful is None
        else "unfaithful"
    )
    if result.fallback:
        guard += ", template answer"
    console.print(
        f"[dim]{calls or 'no tools'} · {result.model} · {guard} · {result.ms:.0f} ms[/dim]"
    )


def _banner(console: Console, agent: Agent) -> None:
    from agent.llm import describe_model

    model = describe_model(agent.context)
    console.print(
        f"[bold]RevRisk Copilot[/bold] [dim]({model}; warehouse {agent.context.db_path})[/dim]"
    )
    if model == "offline-planner":
        console.print(
            "[yellow]Offline planner active:[/yellow] answers come from deterministic tool "
            "choice and templates. Set OPENAI_API_KEY or OPENAI_BASE_URL for a language model."
        )
    console.print("[dim]Type 'exit' to leave.[/dim]")


def _chat_turn(console: Console, agent: Agent, question: str, thread: str) -> None:
    from rich.markdown import Markdown

    streamed = []
    started = time.perf_counter()
    for token in agent.stream(question, thread):
        streamed.append(token)
        console.out(token, end="", highlight=False)
    console.print()
    result = agent.result(thread, (time.perf_counter() - started) * 1000)
    if "".join(streamed).strip() != result.answer.strip():
        console.print("[yellow]Revised by the numeric-faithfulness guard:[/yellow]")
        console.print(Markdown(result.answer))
    _footer(console, result)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the `revrisk` app."""

    @app.command()
    def ask(
        question: Annotated[str, typer.Argument(help="The question, in plain words.")],
        thread: ThreadOption = None,
        db: DbOption = None,
        results: ResultsOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    ) -> None:
        """Answer one question with the agent (offline planner unless a model is configured)."""
        from rich.console import Console
        from rich.markdown import Markdown

        from agent.run import Agent

        if results is not None:
            db = results_catalog(results)
        elif db is not None:  # a mistyped --db: "No warehouse at …", exit 2, nothing created
            existing_warehouse(db)
        if thread is None:
            thread = uuid.uuid4().hex
            print(f"thread: {thread}", file=sys.stderr)
        with Agent.open(db_path=db) as agent:
            result = agent.ask(question, thread)
        if as_json:
            typer.echo(json.dumps(result.as_json(), ensure_ascii=False, default=str))
            return
        console = Console()
        console.print(Markdown(result.answer))
        _footer(console, result)

    @app.command()
    def chat(
        thread: ThreadOption = None, db: DbOption = None, results: ResultsOption = None
    ) -> None:
        """Talk to the agent in the terminal; the thread is kept across restarts."""
        from rich.console import Console

        from agent.run import Agent

        if results is not None:
            db = results_catalog(results)
        elif db is not None:
            existing_warehouse(db)
        console = Console()
        thread = thread or uuid.uuid4().hex
        with Agent.open(db_path=db) as agent:
            _banner(console, agent)
            console.print(f"[dim]thread {thread}[/dim]")
            while True:
                try:
                    question = console.input("[bold cyan]you>[/bold cyan] ").strip()
                except (EOFError, KeyboardInterrupt):
                    console.print()
                    break
                if question.lower() in _EXIT_WORDS:
                    break
                if question:
                    _chat_turn(console, agent, question, thread)
