"""The agent graph: model → tools → model … → faithfulness check → answer.

```
START → call_model ─(tool calls)→ tools → call_model
             └─(answer)→ check_answer ─(numbers unsupported, first time)→ call_model
                                     └─(faithful, or replaced by the template)→ END
```

`build_graph()` returns the uncompiled `StateGraph` (tests inject a scripted model and their
own tools); `graph` is the compiled default that `langgraph.json` serves (LangGraph Server
adds persistence itself; the CLI compiles with the SQLite checkpointer from agent/memory.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
)
from langchain_core.tools import BaseTool
from langgraph.graph import START, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

from agent.faithfulness import check_answer as check_numbers
from agent.llm import load_chat_model
from agent.offline import narrate_all
from agent.state import InputState, State
from agent.turns import GUARD_NOTE_NAME, last_user_index, tool_results, turn_sources
from prompts import load_prompt
from tools import TOOLS
from tools.context import Context, as_context

logger = logging.getLogger(__name__)
_MIN_STEPS_FOR_TOOLS = 4
"""A tool call needs three more steps (tools, call_model, check_answer) before the limit."""
_MIN_STEPS_FOR_RETRY = 3


def _turn_id(messages: Sequence[BaseMessage]) -> str | None:
    index = last_user_index(messages)
    return messages[index].id if index >= 0 else None


def _final_answer(state: State) -> AIMessage:
    last = state.messages[-1] if state.messages else None
    if not isinstance(last, AIMessage) or last.tool_calls:
        raise ValueError(f"check_answer expects a final AIMessage, got {type(last).__name__}")
    return last


def _regenerate(answer: AIMessage, unsupported: list[str], turn: str | None) -> dict[str, Any]:
    """Withdraw the answer and leave a note for one more try."""
    logger.warning("Unsupported numbers %s; regenerating the answer", unsupported)
    note = load_prompt("faithfulness_retry", unsupported=", ".join(unsupported), answer=answer.text)
    return {
        "messages": [RemoveMessage(id=answer.id or "")],
        "faithful": False,
        "unsupported": unsupported,
        "retry_note": note,
        "retry_turn": turn,
    }


def _fall_back(state: State, answer: AIMessage, unsupported: list[str]) -> dict[str, Any]:
    """Replace the answer (same message id) with the template narrative of the tool results."""
    logger.warning("Unsupported numbers %s again; answer replaced by the template", unsupported)
    results = tool_results(state.messages)
    text = narrate_all(results) if results else load_prompt("reply_no_figures")
    replaced = AIMessage(id=answer.id, content=text, response_metadata=answer.response_metadata)
    return {
        "messages": [replaced],
        "faithful": check_numbers(text, turn_sources(state.messages)).faithful,
        "unsupported": unsupported,
        "fallback": True,
        "retry_note": None,
        "retry_turn": None,
    }


def check_answer(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Numeric-faithfulness guard: regenerate once, then fall back to the template (logged)."""
    answer = _final_answer(state)
    if not as_context(runtime.context).check_faithfulness:
        return {"faithful": None, "unsupported": [], "retry_note": None, "retry_turn": None}
    report = check_numbers(answer.text, turn_sources(state.messages))
    if report.faithful:
        return {
            "faithful": True,
            "unsupported": [],
            "fallback": False,
            "retry_note": None,
            "retry_turn": None,
        }
    turn = _turn_id(state.messages)
    if state.retry_turn != turn and state.remaining_steps >= _MIN_STEPS_FOR_RETRY:
        return _regenerate(answer, report.unsupported, turn)
    return _fall_back(state, answer, report.unsupported)


def build_graph(
    tools: Sequence[BaseTool] | None = None, model: BaseChatModel | None = None
) -> StateGraph[State, Context, InputState, State]:
    """The agent's StateGraph. `model` overrides the per-run model factory (tests)."""
    bound_tools = list(TOOLS if tools is None else tools)

    def call_model(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        """Ask the model for tool calls or the answer (plus the guard's note on a retry)."""
        context = as_context(runtime.context)
        chat = (model or load_chat_model(context)).bind_tools(bound_tools)
        system = SystemMessage(load_prompt("system", sql_row_cap=context.sql_row_cap))
        messages: list[BaseMessage] = [system, *state.messages]
        if state.retry_note and state.retry_turn == _turn_id(state.messages):
            messages.append(HumanMessage(state.retry_note, name=GUARD_NOTE_NAME))
        response = chat.invoke(messages)
        if (
            isinstance(response, AIMessage)
            and response.tool_calls
            and state.remaining_steps < _MIN_STEPS_FOR_TOOLS
        ):
            response = AIMessage(id=response.id, content=load_prompt("reply_step_limit"))
        return {"messages": [response]}

    builder = StateGraph(State, context_schema=Context, input_schema=InputState)
    builder.add_node("call_model", call_model)
    builder.add_node("tools", ToolNode(bound_tools, handle_tool_errors=_tool_failure))
    builder.add_node("check_answer", check_answer)
    builder.add_edge(START, "call_model")
    builder.add_conditional_edges("call_model", route_model_output)
    builder.add_edge("tools", "call_model")
    builder.add_conditional_edges("check_answer", route_after_check)
    return builder


def _tool_failure(error: Exception) -> str:
    """A tool raised: tell the model what failed, as data, without a stack trace."""
    message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
    logger.warning("Tool failed: %s", message)
    return json.dumps({"error": "tool_failed", "message": message[:1000]})


def route_model_output(state: State) -> Literal["tools", "check_answer"]:
    """Tool calls go to the tools; a final answer goes to the faithfulness check."""
    last = state.messages[-1] if state.messages else None
    if not isinstance(last, AIMessage):
        raise ValueError(f"Expected an AIMessage after call_model, got {type(last).__name__}")
    return "tools" if last.tool_calls else "check_answer"


def route_after_check(state: State) -> Literal["call_model", "__end__"]:
    """Back to the model once when the guard asked for a regeneration; otherwise done."""
    if state.retry_note is not None:
        if state.retry_turn != _turn_id(state.messages):
            raise ValueError("Retry note belongs to another turn")
        return "call_model"
    return "__end__"  # langgraph.graph.END


graph = build_graph().compile(name="RevRisk Copilot")
"""The default agent, as served by `langgraph.json` (LangGraph Server adds the checkpointer)."""
