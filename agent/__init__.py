"""The RevRisk agent: LangGraph graph, per-run context, model factory and offline planner.

Public names are imported lazily, so `import agent.context` (used by the tools) does not build
the graph. The compiled graph is `agent.graph:graph` (what `langgraph.json` serves; not
re-exported, as `agent.graph` is also the submodule); `agent.run.Agent` runs turns with
persistent threads.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.context import Context
    from agent.graph import build_graph
    from agent.offline import ChatOfflinePlanner
    from agent.run import Agent, TurnResult
    from agent.state import InputState, State

_EXPORTS = {
    "Agent": "agent.run",
    "TurnResult": "agent.run",
    "ChatOfflinePlanner": "agent.offline",
    "Context": "agent.context",
    "InputState": "agent.state",
    "State": "agent.state",
    "build_graph": "agent.graph",
}

__all__ = [
    "Agent",
    "ChatOfflinePlanner",
    "Context",
    "InputState",
    "State",
    "TurnResult",
    "build_graph",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'agent' has no attribute {name!r}")
