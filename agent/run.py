"""Run turns of the agent from Python: the API behind `revrisk ask`, `revrisk chat`, evals and
benchmarks.

    with Agent.open(db_path="var/revrisk.duckdb") as agent:
        first = agent.ask("Why is ACC000042 flagged?", thread_id="t1")
        second = agent.ask("show its revenue trend", thread_id="t1")

Threads are checkpointed in SQLite under the var directory (agent/memory.py), so a thread id
can be continued by a later process.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, HumanMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.graph.state import CompiledStateGraph

from agent.graph import build_graph
from agent.llm import describe_model
from agent.memory import open_checkpointer
from agent.offline import ACTIONS_KEY, parse_content
from agent.turns import tool_calls, tool_results
from tools.context import Context


@dataclass(frozen=True)
class TurnResult:
    """One answered question; `as_json()` is what `revrisk ask --json` prints."""

    answer: str
    tool_calls: list[dict[str, Any]]
    tool_results: list[dict[str, Any]]
    model: str
    faithful: bool | None
    ms: float
    thread_id: str
    fallback: bool = False
    actions: list[dict[str, str]] = field(default_factory=list)
    """Clickable readings a clarification offers ({"label", "message"}; agent.offline.model
    ACTIONS_KEY): the UI shows each as a button that sends its message."""

    def as_json(self) -> dict[str, Any]:
        """The documented JSON keys: answer, tool_calls, tool_results, model, faithful, ms."""
        data = asdict(self)
        return {
            key: data[key]
            for key in ("answer", "tool_calls", "tool_results", "model", "faithful", "ms")
        }


class Agent:
    """A compiled graph with a checkpointer and a default context."""

    def __init__(self, graph: CompiledStateGraph[Any, Any, Any, Any], context: Context) -> None:
        self.graph = graph
        self.context = context

    @classmethod
    @contextmanager
    def open(
        cls,
        *,
        db_path: Path | str | None = None,
        checkpoint: Path | str | None = None,
        model: str | None = None,
        context: Context | None = None,
        tools: Sequence[BaseTool] | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> Iterator[Agent]:
        """An agent over `db_path` with threads stored in `checkpoint` (defaults: Settings).

        `context` sets every per-run knob; `db_path` and `model` override its fields.
        `tools` and `chat_model` replace the defaults (tests, benchmarks).
        """
        context = context or Context()
        if db_path is not None:
            context = replace(context, db_path=str(db_path))
        if model is not None:
            context = replace(context, model=model)
        with open_checkpointer(checkpoint) as saver:
            compiled = build_graph(tools, chat_model).compile(checkpointer=saver)
            yield cls(compiled, context)

    def _config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    def _inputs(self, question: str) -> dict[str, Any]:
        return {"messages": [HumanMessage(question, id=str(uuid.uuid4()))]}

    def result(self, thread_id: str, ms: float) -> TurnResult:
        """The latest turn of `thread_id` as a `TurnResult`."""
        values = self.graph.get_state(self._config(thread_id)).values
        messages = values.get("messages", [])
        return TurnResult(
            answer=messages[-1].text if messages else "",
            tool_calls=tool_calls(messages),
            tool_results=[
                {"name": n, "content": parse_content(c)} for n, c in tool_results(messages)
            ],
            model=describe_model(self.context),
            faithful=values.get("faithful"),
            ms=round(ms, 1),
            thread_id=thread_id,
            fallback=bool(values.get("fallback")),
            actions=list(messages[-1].additional_kwargs.get(ACTIONS_KEY, [])) if messages else [],
        )

    def ask(self, question: str, thread_id: str | None = None) -> TurnResult:
        """Answer `question` in `thread_id` (a new thread when None)."""
        thread_id = thread_id or uuid.uuid4().hex
        started = time.perf_counter()
        self.graph.invoke(self._inputs(question), self._config(thread_id), context=self.context)
        return self.result(thread_id, (time.perf_counter() - started) * 1000)

    def stream(self, question: str, thread_id: str) -> Iterator[str]:
        """Answer tokens as the model writes them; then read `result(thread_id, ...)`.

        The guard may still replace a streamed answer; compare with `result().answer`.
        """
        events = self.graph.stream(
            self._inputs(question),
            self._config(thread_id),
            context=self.context,
            stream_mode="messages",
        )
        for chunk, metadata in cast(Iterator[tuple[Any, dict[str, Any]]], events):
            from_model = metadata.get("langgraph_node") == "call_model"
            if from_model and isinstance(chunk, AIMessageChunk) and chunk.text:
                yield chunk.text
