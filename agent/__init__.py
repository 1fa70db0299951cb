"""The RevRisk agent: the LangGraph graph and, in `offline/`, the rule-based offline planner.

Graph modules: `graph` (the only `StateGraph`), `state`, `llm` (model factory), `memory`
(checkpointer), `run` (turns from Python), `turns`, `faithfulness`. May import tools, prompts,
services, data and domain; never ui or cli.

Public names are imported lazily, so importing `agent.run` or `agent.offline` does not build
the graph. The compiled graph is `agent.graph:graph` (what `langgraph.json` serves; not
re-exported, as `agent.graph` is also the submodule); `agent.run.Agent` runs turns with
persistent threads.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.graph import build_graph
    from agent.offline import ChatOfflinePlanner
    from agent.run import Agent, TurnResult
    from agent.state import InputState, State
    from tools.context import Context

_EXPORTS = {
    "Agent": "agent.run",
    "TurnResult": "agent.run",
    "ChatOfflinePlanner": "agent.offline.model",
    "Context": "tools.context",
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
