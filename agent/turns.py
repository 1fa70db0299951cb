"""A *turn* is one user message and everything the agent did about it.

Helpers shared by the graph (faithfulness guard), the offline planner and the runner. Two
notes travel as user messages that never start a turn: the guard's retry note
(`GUARD_NOTE_NAME`) and the chat's note that the data changed (`DATA_NOTE_NAME`: an import
switched the session's warehouse, so lists and accounts of earlier answers belong to the data
before it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

GUARD_NOTE_NAME = "faithfulness_guard"
DATA_NOTE_NAME = "data_change"


def is_question(message: BaseMessage) -> bool:
    """A user message that starts a turn (not one of the notes above)."""
    return isinstance(message, HumanMessage) and message.name not in (
        GUARD_NOTE_NAME,
        DATA_NOTE_NAME,
    )


def is_data_note(message: BaseMessage) -> bool:
    """The chat's note that the session's warehouse changed."""
    return isinstance(message, HumanMessage) and message.name == DATA_NOTE_NAME


def last_user_index(messages: Sequence[BaseMessage]) -> int:
    """Index of the message that started the current turn, or -1."""
    for index in range(len(messages) - 1, -1, -1):
        if is_question(messages[index]):
            return index
    return -1


def turn_tail(messages: Sequence[BaseMessage]) -> Sequence[BaseMessage]:
    """The messages after the user message of the current turn."""
    return messages[last_user_index(messages) + 1 :]


def tool_results(messages: Sequence[BaseMessage]) -> list[tuple[str, Any]]:
    """`(tool name, content)` of the current turn's tool messages, in order."""
    return [(m.name or "", m.content) for m in turn_tail(messages) if isinstance(m, ToolMessage)]


def tool_calls(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """`{"name", "args"}` of the current turn's tool calls, in order."""
    return [
        {"name": call["name"], "args": call["args"]}
        for m in turn_tail(messages)
        if isinstance(m, AIMessage)
        for call in m.tool_calls
    ]


def turn_sources(messages: Sequence[BaseMessage]) -> list[Any]:
    """What an answer's numbers may come from: the question, tool arguments, tool outputs."""
    index = last_user_index(messages)
    question = [messages[index].text] if index >= 0 else []
    calls = [call["args"] for call in tool_calls(messages)]
    return [*question, *calls, *(content for _, content in tool_results(messages))]
