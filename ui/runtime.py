"""The agent as the chat server runs it: one compiled graph, one async checkpointer, and a turn
as a stream of plain events the Chainlit layer renders.

`ChatRuntime.stream()` drives `graph.astream(..., stream_mode=["messages", "updates",
"custom"])` and turns LangGraph's three channels into `TurnEvent`s:

- `messages` → `Token` (answer text from the `call_model` node, as the model writes it);
- `updates` → `ToolStarted` (a tool call the model made), `ToolFinished` (its ToolMessage
  with content and artifact), `Revised` (the faithfulness guard withdrew the streamed answer);
- `custom` → `Progress` (a tool reporting `{"progress": {"done", "total", "label"}}` through
  LangGraph's stream writer, e.g. while scoring a large upload);

and ends with `Final`, the answer as checkpointed (which is what a revised answer became).
Nothing here imports Chainlit, so the mapping is unit-tested without a server.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import StreamMode

from agent.turns import DATA_NOTE_NAME
from tools.context import Context


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class ToolStarted:
    call_id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class ToolFinished:
    call_id: str
    name: str
    content: str
    artifact: Any
    is_error: bool = False


@dataclass(frozen=True)
class Progress:
    label: str
    done: float
    total: float | None = None


@dataclass(frozen=True)
class Revised:
    """The streamed answer was withdrawn; a new one follows (or `Final` replaces it)."""


@dataclass(frozen=True)
class Final:
    answer: str
    faithful: bool | None = None
    fallback: bool = False
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


TurnEvent = Token | ToolStarted | ToolFinished | Progress | Revised | Final


def events_from_update(update: Mapping[str, Any]) -> list[TurnEvent]:
    """`ToolStarted` / `ToolFinished` / `Revised` events in one `updates` chunk."""
    found: list[TurnEvent] = []
    for node, change in update.items():
        messages = (change or {}).get("messages") or [] if isinstance(change, Mapping) else []
        for message in messages:
            if node == "call_model" and isinstance(message, AIMessage):
                found.extend(
                    ToolStarted(c.get("id") or uuid.uuid4().hex, c["name"], dict(c["args"]))
                    for c in message.tool_calls
                )
            elif isinstance(message, ToolMessage):
                found.append(
                    ToolFinished(
                        message.tool_call_id,
                        message.name or "",
                        message.text,
                        message.artifact,
                        message.status == "error",
                    )
                )
            elif isinstance(message, RemoveMessage):
                found.append(Revised())
    return found


def progress_from_custom(chunk: Any) -> Progress | None:
    """A `Progress` from a tool's custom stream payload, when it is one."""
    if not isinstance(chunk, Mapping) or not isinstance(chunk.get("progress"), Mapping):
        return None
    progress = chunk["progress"]
    total = progress.get("total")
    return Progress(
        str(progress.get("label") or "Working"),
        float(progress.get("done") or 0),
        float(total) if total else None,
    )


def with_overrides(context: Context, overrides: Mapping[str, Any]) -> Context:
    """`context` with the chat settings that `Context` knows (others are ignored).

    The chat offers thresholds before every scoring tool reads them; only fields the agent's
    `Context` declares are passed, so a setting never reaches the agent half-supported.
    """
    known = {f.name for f in fields(Context)}
    return replace(context, **{k: v for k, v in overrides.items() if k in known and v is not None})


class ChatRuntime:
    """A compiled agent graph with an async SQLite checkpointer, shared by all chat sessions."""

    def __init__(
        self, graph: CompiledStateGraph[Any, Any, Any, Any], stack: AsyncExitStack
    ) -> None:
        self.graph = graph
        self._stack = stack

    @classmethod
    async def open(cls, checkpoint: Path | str | None = None) -> ChatRuntime:
        """Open the checkpointer (threads survive restarts) and compile the graph."""
        from agent.graph import build_graph
        from agent.memory import open_async_checkpointer

        stack = AsyncExitStack()
        saver = await stack.enter_async_context(open_async_checkpointer(checkpoint))
        return cls(build_graph().compile(checkpointer=saver, name="RevRisk Copilot"), stack)

    async def close(self) -> None:
        await self._stack.aclose()

    @staticmethod
    def config(thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    async def messages(self, thread_id: str) -> list[BaseMessage]:
        """The thread's messages as checkpointed (empty for a new thread)."""
        state = await self.graph.aget_state(self.config(thread_id))
        return list((state.values or {}).get("messages", []))

    async def stream(
        self, question: str, thread_id: str, context: Context, note: str | None = None
    ) -> AsyncIterator[TurnEvent]:
        """Run one turn of `thread_id`, yielding events as they happen, then `Final`. `note`
        (the data changed since the last turn) goes first, as a user message that is no
        question (`agent.turns.DATA_NOTE_NAME`)."""
        noted = [HumanMessage(note, name=DATA_NOTE_NAME, id=str(uuid.uuid4()))] if note else []
        inputs = {"messages": [*noted, HumanMessage(question, id=str(uuid.uuid4()))]}
        modes: list[StreamMode] = ["messages", "updates", "custom"]
        config = self.config(thread_id)
        calls: list[dict[str, Any]] = []
        stream = self.graph.astream(inputs, config, context=context, stream_mode=modes)
        async for mode, chunk in cast(AsyncIterator[tuple[str, Any]], stream):
            if mode == "messages":
                message, metadata = chunk
                if (
                    metadata.get("langgraph_node") == "call_model"
                    and isinstance(message, AIMessageChunk)
                    and message.text
                ):
                    yield Token(message.text)
            elif mode == "updates":
                for event in events_from_update(chunk):
                    if isinstance(event, ToolStarted):
                        calls.append({"name": event.name, "args": event.args})
                    yield event
            elif (progress := progress_from_custom(chunk)) is not None:
                yield progress
        state = (await self.graph.aget_state(config)).values
        last = state["messages"][-1] if state.get("messages") else None
        yield Final(
            last.text if isinstance(last, AIMessage) else "",
            state.get("faithful"),
            bool(state.get("fallback")),
            calls,
        )


_runtime: ChatRuntime | None = None
_lock: asyncio.Lock | None = None


async def shared_runtime() -> ChatRuntime:
    """The process-wide runtime, opened on first use inside the server's event loop."""
    global _runtime, _lock
    if _lock is None:
        _lock = asyncio.Lock()
    async with _lock:
        if _runtime is None:
            _runtime = await ChatRuntime.open()
        return _runtime


def pretty(content: str) -> str:
    """Tool content for a step's output: indented JSON when it is JSON, else as is."""
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return content
