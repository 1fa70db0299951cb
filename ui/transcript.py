"""The conversation record behind an exported report: questions, tool calls, tables, answers.

The record is rebuilt from the thread's messages (LangGraph's checkpoint holds every
`HumanMessage`, the model's tool calls, each `ToolMessage` with its artifact, and the
answers), so a report is complete even for a thread resumed after a restart, and it can never
disagree with what the agent saw. Upload paths are shown by file name only (`redact`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from agent.turns import is_question
from ui.artifacts import ArtifactView, view_of


@dataclass(frozen=True)
class ToolRecord:
    """One tool call: its arguments, the model's copy of the result, and the UI artifact."""

    name: str
    args: dict[str, Any]
    content: str = ""
    view: ArtifactView | None = None


@dataclass(frozen=True)
class TurnRecord:
    """One question and everything the agent did about it."""

    question: str
    tools: list[ToolRecord] = field(default_factory=list)
    answer: str = ""


@dataclass(frozen=True)
class ReportMeta:
    """Footer facts: where the numbers come from and who answered."""

    title: str = "RevRisk Copilot — conversation report"
    model: str = ""
    data_source: str = ""
    data_timestamp: str = ""
    exported_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


@dataclass(frozen=True)
class Transcript:
    """The whole conversation, ready for `ui.report`."""

    turns: list[TurnRecord]
    meta: ReportMeta = field(default_factory=ReportMeta)


def redacted(value: Any, redact: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for secret, shown in redact.items():
            value = value.replace(secret, shown)
        return value
    if isinstance(value, dict):
        return {key: redacted(item, redact) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item, redact) for item in value]
    return value


def _turn(messages: Sequence[BaseMessage], redact: Mapping[str, str]) -> TurnRecord:
    """A turn from its messages: the question first, then calls, results and answers."""
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    tools: list[ToolRecord] = []
    answer = ""
    for message in messages[1:]:
        if not isinstance(message, AIMessage):
            continue
        for call in message.tool_calls:
            result = results.get(call.get("id") or "")
            content = result.text if result is not None else ""
            view = view_of(result.artifact, call["name"]) if result is not None else None
            tools.append(
                ToolRecord(
                    call["name"],
                    redacted(dict(call["args"]), redact),
                    redacted(content, redact),
                    view,
                )
            )
        if not message.tool_calls and message.text:
            answer = message.text
    return TurnRecord(redacted(messages[0].text, redact), tools, redacted(answer, redact))


def turns_from_messages(
    messages: Sequence[BaseMessage], redact: Mapping[str, str] | None = None
) -> list[TurnRecord]:
    """Split a thread into turns (a turn starts at each user message).

    `redact` maps text to its replacement in questions, arguments and answers (server-side
    upload paths → file names).
    """
    starts = [index for index, message in enumerate(messages) if is_question(message)]
    bounds = zip(starts, [*starts[1:], len(messages)], strict=True)
    return [_turn(messages[start:end], redact or {}) for start, end in bounds]


def build_transcript(
    messages: Sequence[BaseMessage], meta: ReportMeta, redact: Mapping[str, str] | None = None
) -> Transcript:
    """The report's input for a thread."""
    return Transcript(turns_from_messages(messages, redact), meta)
