"""Graph state: the conversation, plus the faithfulness guard's bookkeeping for this turn.

Everything here is checkpointed with the thread (SQLite), so it holds JSON-friendly values only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph import add_messages
from langgraph.managed import RemainingSteps


@dataclass
class InputState:
    """What callers send: new messages, appended to the thread (or replacing by id)."""

    messages: Annotated[Sequence[AnyMessage], add_messages] = field(default_factory=list)


@dataclass
class State(InputState):
    """Full state. The guard fields describe the latest final answer."""

    faithful: bool | None = None
    """Whether the final answer's numbers all trace to this turn's tool outputs."""

    unsupported: list[str] = field(default_factory=list)
    """Numbers of the model's last rejected answer that no tool output supports."""

    retry_note: str | None = None
    """Set by the guard for exactly one regeneration; read by `call_model`."""

    retry_turn: str | None = None
    """Id of the user message whose answer is being regenerated (the note applies only there)."""

    fallback: bool = False
    """True when the answer was replaced by the template narrative."""

    remaining_steps: RemainingSteps = 25
    """Managed by LangGraph: steps left before the recursion limit (not checkpointed)."""
