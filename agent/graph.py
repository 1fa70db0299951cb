"""The agent graph: model → tools → model … → faithfulness check → answer.

```
START → call_model ─(tool calls)→ tools → call_model
             └─(answer)→ check_answer ─(numbers unsupported, first time)→ call_model
                                     └─(faithful, or replaced by the template)→ END
```

Tools are bound as OpenAI strict-mode definitions (`tools.schemas.openai_tool_spec`). A call
with invalid arguments is not run: the model gets a tool message naming the bad arguments and
the valid ones, and tries again. A failed `query_duckdb` comes back with the guard's or
DuckDB's reason; after `MAX_SQL_REPAIRS` failed repairs in one turn a further query is not run
and the answer says the question could not be answered with SQL. The system prompt carries
today's date and the months the warehouse covers, so "last month" has an anchor.

`build_graph()` returns the uncompiled `StateGraph` (tests inject a scripted model and their
own tools); `graph` is the compiled default that `langgraph.json` serves (LangGraph Server
adds persistence itself; the CLI compiles with the SQLite checkpointer from agent/memory.py).
"""

from __future__ import annotations

import datetime as dt
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
    ToolMessage,
)
from langchain_core.tools import BaseTool
from langgraph.graph import START, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolInvocationError
from langgraph.runtime import Runtime

from agent.faithfulness import check_answer as check_numbers
from agent.llm import load_chat_model
from agent.offline import narrate_all
from agent.state import InputState, State
from agent.turns import GUARD_NOTE_NAME, last_user_index, tool_results, turn_sources, turn_tail
from agent.turns import tool_calls as turn_calls
from data.warehouse import (
    BUSY_MESSAGE,
    WarehouseBusyError,
    WarehouseMissingError,
    is_lock_conflict,
)
from prompts import load_prompt
from services.periods import DataPeriod, PeriodError, data_period
from tools import TOOLS
from tools.context import Context, as_context
from tools.schemas import invalid_arguments_message, openai_tool_spec

logger = logging.getLogger(__name__)
_MIN_STEPS_FOR_TOOLS = 4
"""A tool call needs three more steps (tools, call_model, check_answer) before the limit."""
_MIN_STEPS_FOR_RETRY = 3
SQL_TOOL = "query_duckdb"
MAX_SQL_REPAIRS = 2
"""Failed `query_duckdb` calls the model may repair per turn (the first try plus two)."""


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


def system_prompt(context: Context, today: dt.date | None = None) -> str:
    """The system prompt of a run: row cap, today's date and the months the data covers."""
    try:
        period = data_period(context.db_path)
    except (WarehouseMissingError, WarehouseBusyError, PeriodError) as exc:
        # no warehouse, an update holds it (the tools will say so), or no usage table
        logger.info("No data period for the prompt: %s", exc)
        period = DataPeriod(None, None)
    return load_prompt(
        "system",
        sql_row_cap=context.sql_row_cap,
        today=(today or dt.date.today()).isoformat(),
        first_month=period.first_month or "unknown",
        last_month=period.last_month or "unknown (no data loaded)",
    )


def failed_sql_calls(messages: Sequence[BaseMessage]) -> int:
    """`query_duckdb` results of this turn that came back as an error."""
    return sum(
        1
        for message in turn_tail(messages)
        if isinstance(message, ToolMessage) and message.name == SQL_TOOL and _is_error(message)
    )


def _is_error(message: ToolMessage) -> bool:
    if message.status == "error":
        return True
    try:
        content = json.loads(message.text)
    except ValueError:
        return False
    return isinstance(content, dict) and "error" in content


def _stop_sql_repairs(response: AIMessage) -> AIMessage:
    """The answer when the model wants a fourth query after three failed ones this turn."""
    logger.warning("query_duckdb failed %d repairs; not running another", MAX_SQL_REPAIRS)
    others = [call for call in response.tool_calls if call["name"] != SQL_TOOL]
    if others:
        return AIMessage(id=response.id, content=response.content, tool_calls=others)
    return AIMessage(
        id=response.id, content=load_prompt("reply_sql_failed", repairs=MAX_SQL_REPAIRS)
    )


def _call_key(call: Any) -> str:
    return json.dumps([call["name"], call["args"]], sort_keys=True, default=str)


def _without_repeats(state: State, response: AIMessage) -> AIMessage:
    """Drop tool calls that repeat one already made this turn (same tool, same arguments).

    Models sometimes call the same tool twice; running it again costs time and shows the
    same table twice. When nothing new is left, the answer is written from the results
    already in (the template narrative), so the turn ends instead of looping.
    """
    seen = {_call_key(call) for call in turn_calls(state.messages)}
    fresh = []
    for call in response.tool_calls:
        key = _call_key(call)
        if key not in seen:
            seen.add(key)
            fresh.append(call)
    if len(fresh) == len(response.tool_calls):
        return response
    logger.info("Dropped %d repeated tool calls", len(response.tool_calls) - len(fresh))
    if fresh:
        return AIMessage(id=response.id, content=response.content, tool_calls=fresh)
    results = tool_results(state.messages)
    text = narrate_all(results) if results else load_prompt("reply_no_figures")
    return AIMessage(id=response.id, content=text)


def build_graph(
    tools: Sequence[BaseTool] | None = None, model: BaseChatModel | None = None
) -> StateGraph[State, Context, InputState, State]:
    """The agent's StateGraph. `model` overrides the per-run model factory (tests)."""
    bound_tools = list(TOOLS if tools is None else tools)
    specs = [openai_tool_spec(tool) for tool in bound_tools]

    def call_model(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        """Ask the model for tool calls or the answer (plus the guard's note on a retry)."""
        context = as_context(runtime.context)
        chat = (model or load_chat_model(context)).bind_tools(specs)
        system = SystemMessage(system_prompt(context))
        messages: list[BaseMessage] = [system, *state.messages]
        if state.retry_note and state.retry_turn == _turn_id(state.messages):
            messages.append(HumanMessage(state.retry_note, name=GUARD_NOTE_NAME))
        response = chat.invoke(messages)
        if not isinstance(response, AIMessage) or not response.tool_calls:
            return {"messages": [response]}
        if state.remaining_steps < _MIN_STEPS_FOR_TOOLS:
            response = AIMessage(id=response.id, content=load_prompt("reply_step_limit"))
        elif any(call["name"] == SQL_TOOL for call in response.tool_calls) and (
            failed_sql_calls(state.messages) > MAX_SQL_REPAIRS
        ):
            response = _stop_sql_repairs(response)
        if response.tool_calls:
            response = _without_repeats(state, response)
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
    """A tool raised: tell the model what failed, as data, without a stack trace.

    Invalid arguments (unknown names, wrong types, values out of range) name the bad
    arguments and the valid ones, so the model can call again correctly.
    """
    if isinstance(error, ToolInvocationError):
        errors = error.filtered_errors if error.filtered_errors is not None else []
        message = invalid_arguments_message(error.tool_name, errors)
        logger.info("Invalid tool arguments: %s", message)
        return json.dumps(
            {"tool": error.tool_name, "error": "invalid_arguments", "message": message},
            ensure_ascii=False,
        )
    if is_lock_conflict(error):  # a writer holds the file: say so, not DuckDB's path and PID
        return json.dumps({"error": "busy", "message": BUSY_MESSAGE})
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
