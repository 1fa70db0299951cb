"""The offline planner as a LangChain chat model: a product mode that needs no LLM.

`ChatOfflinePlanner` behaves like a tool-calling chat model inside the graph:

- on a user message it plans (agent/offline/planner.py) from the message and the thread so far, and
  answers with tool calls for the tools bound via `bind_tools`, or with a direct reply
  (greeting, capabilities, polite refusal) from `prompts/reply_*.md`;
- once the tool results of the turn are in, it writes the answer from the narrative templates
  (agent/offline/narratives.py), opened by what the calls could not apply and by a period
  that was cut to the months with data ("2026 so far, to 2026-10").

It plans only from what the *user* wrote, anchoring relative periods ("this year") on the
data's last month that the system prompt states to any model. Tool results — including uploaded
files and table cells — are only ever rendered as data, so text inside them cannot change which
tools run.
Streaming yields the answer a few words at a time, like a remote model.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from agent.offline.coverage import calendar_note, narrate_outside
from agent.offline.drivers import narrate_drivers
from agent.offline.entities import extract_entities
from agent.offline.lexicon import load_lexicon, tokenize
from agent.offline.limits import notes
from agent.offline.narratives import (
    narrate_all,
    narrate_file_total,
    narrate_plan,
    parse_content,
)
from agent.offline.planner import Memory, Plan, plan
from agent.offline.plans import FILTER_KINDS
from agent.turns import is_data_note, is_question, last_user_index, tool_results
from agent.turns import tool_calls as turn_calls
from domain import normalise_account_id
from domain.markdown import literal
from prompts import load_prompt
from tools.schemas import TOOL_ARGS

OFFLINE_MODEL_NAME = "offline-planner"
_ID = re.compile(r"^[A-Za-z][\w-]{0,39}$")
"""An account or customer id in a result row: ACC… or another shape ("CUST-003")."""
_ACCOUNT_IN_TEXT = re.compile(r"\b(?i:acc)[\s#_-]*(\d{1,9})\b")
_TODAY = re.compile(r"\bToday is ((?:19|20)\d\d-\d\d-\d\d)\b")
"""How prompts/system.md states today's date."""
_DATA_SPAN = re.compile(r"\bcovers ((?:19|20)\d\d-\d\d) to ((?:19|20)\d\d-\d\d)\b")
"""How prompts/system.md states the months the warehouse covers ("The warehouse covers 2024-11
to 2026-10"): the offline planner reads the span where a remote model reads it."""


def _tool_names(tools: Sequence[Any] | None) -> set[str]:
    names = set()
    for spec in tools or ():
        function = spec.get("function", spec) if isinstance(spec, dict) else {}
        if function.get("name"):
            names.add(str(function["name"]))
    return names


_ROW_KEYS = {kind: (kind,) for kind in FILTER_KINDS} | {
    "leakage_type": ("leakage_type", "predicted_leakage_type"),
    "leakage_probability": ("leakage_probability",),
}
"""Where a result row carries each filter attribute."""


def _first_value(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((row[key] for key in keys if row.get(key) is not None), None)


def _result_rows(message: ToolMessage) -> tuple[dict[str, Any], ...]:
    """The rows of a tool result that are accounts: their id and filter attributes."""
    rows = parse_content(message.content).get("rows") or []
    picked = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        account = row.get("account_id") or row.get("customer_id")
        if not (isinstance(account, str) and _ID.match(account)):
            continue
        attributes = {kind: _first_value(row, keys) for kind, keys in _ROW_KEYS.items()}
        kept = {kind: value for kind, value in attributes.items() if value is not None}
        picked.append({**kept, "account_id": account})
    return tuple(picked)


def _result_segments(message: ToolMessage) -> tuple[tuple[int, str], ...]:
    """The segments a tool result lists: (id, name) of each row that has both."""
    rows = parse_content(message.content).get("rows") or []
    return tuple(
        (int(row["segment_id"]), str(row["label"]))
        for row in rows
        if isinstance(row, dict)
        and isinstance(row.get("segment_id"), int)
        and isinstance(row.get("label"), str)
    )


def _segment_sizes(message: ToolMessage) -> dict[int, int]:
    """Customers per segment of a tool result's rows that carry both."""
    rows = parse_content(message.content).get("rows") or []
    return {
        int(row["segment_id"]): int(row["n_customers"])
        for row in rows
        if isinstance(row, dict)
        and isinstance(row.get("segment_id"), int)
        and isinstance(row.get("n_customers"), int)
    }


def _remember_call(memory: Memory, name: str, args: dict[str, Any], question: str) -> Memory:
    account = args.get("account_id") or args.get("customer_id")
    segment = args.get("segment_id")
    asked: tuple[str, ...] = (question,)
    if name == "query_duckdb" and memory.last_tool == "query_duckdb":
        asked = (*memory.sql_questions, question)
    # A call about one account drills into the list before it: "the next one on that list"
    # still means that list. Any other call brings a list of its own.
    drills = isinstance(account, str)
    return Memory(
        last_tool=name,
        last_args=args,
        account_id=account or memory.account_id,
        segment_id=segment if segment is not None else memory.segment_id,
        result_ids=memory.result_ids if drills else (),
        result_rows=memory.result_rows if drills else (),
        result_total=memory.result_total if drills else None,
        result_summary=memory.result_summary if drills else {},
        file_path=args.get("file_path") or memory.file_path,
        sql_questions=asked if name == "query_duckdb" else (),
        list_tool=memory.list_tool if drills else name,
        list_args=memory.list_args if drills else args,
        data_to=memory.data_to,
        data_from=memory.data_from,
    )


def thread_memory(history: Sequence[BaseMessage]) -> Memory:
    """What earlier turns discussed: the last tool call, ids, segment, uploaded file, result ids
    and the data questions behind the latest SQL."""
    memory = Memory()
    question = ""
    called = False
    for message in history:
        if isinstance(message, SystemMessage) and (span := _DATA_SPAN.search(message.text)):
            memory = replace(memory, data_from=span.group(1), data_to=span.group(2))
            if today := _TODAY.search(message.text):
                memory = replace(memory, today=today.group(1))
        elif is_data_note(message):  # an import switched the warehouse: earlier lists are gone
            fresh = Memory(data_to=memory.data_to, data_from=memory.data_from, today=memory.today)
            memory, question, called = fresh, "", False
        elif is_question(message):
            question, called = message.text, False
        elif isinstance(message, AIMessage) and message.tool_calls:
            called = True
            for call in message.tool_calls:
                if call["name"] in TOOL_ARGS:
                    memory = _remember_call(memory, call["name"], dict(call["args"]), question)
        elif isinstance(message, AIMessage) and not called and (named := _named_account(question)):
            # A turn answered without a tool (a refusal) still names the account the thread
            # is about: "ok, don't change anything then, what did reconciliation find on it?"
            memory = replace(memory, account_id=named)
        elif isinstance(message, ToolMessage) and (segments := _result_segments(message)):
            memory = replace(memory, segments=segments, segment_sizes=_segment_sizes(message))
        elif isinstance(message, ToolMessage) and not memory.result_ids:
            rows = _result_rows(message)
            if rows:
                ids = tuple(row["account_id"] for row in rows)
                content = parse_content(message.content)
                summary = content.get("summary") or {}
                total = summary.get("n_listed", content.get("n_rows"))
                # a new list of accounts is what "why?" now points at, not an account an
                # earlier turn drilled into (rt6: "why?" explained a stale account)
                memory = replace(
                    memory,
                    result_ids=ids,
                    result_rows=rows,
                    account_id=None,
                    result_total=total if isinstance(total, int) else None,
                    result_summary=summary if isinstance(summary, dict) else {},
                )
    return memory


def _named_account(question: str) -> str | None:
    """The account id `question` names, if any."""
    match = _ACCOUNT_IN_TEXT.search(question)
    return normalise_account_id(match.group(1)) if match else None


def _id_note(question: str) -> str:
    """The note "I read ACC00O042 as ACC000042" when the question typed a look-alike letter."""
    entities = extract_entities(question, tokenize(question), load_lexicon())
    if entities.typed_id is None or entities.account_id is None:
        return ""
    return load_prompt("reply_corrected_id", typed=entities.typed_id, account=entities.account_id)


def _clipped_periods(messages: Sequence[BaseMessage]) -> str:
    """The note that a period asked for was cut to the months with data ("2026 so far"):
    the tool answers for the part of the period the data hold (services/periods.py
    `check_period`) and its summary names that part, so the answer says it was cut."""
    words = load_lexicon().raw["periods"]
    lines = []
    results = [parse_content(content) for _, content in tool_results(messages)]
    for call, content in zip(turn_calls(messages), results, strict=False):
        since, until = call["args"].get("since"), call["args"].get("until")
        covered = (content.get("summary") or {}).get("period")
        if not (since or until) or not isinstance(covered, str):
            continue
        if all(month is None or month in covered for month in (since, until)):
            continue  # the tool answered for the period asked
        year = since[:4] if since and until and since[:4] == until[:4] else None
        whole_year = year and since.endswith("-01") and until.endswith("-12")
        if whole_year and covered.startswith(f"{year}-01 to "):
            lines.append(words["year_so_far"].format(year=year, until=covered[-7:]))
        else:
            asked = " ".join(
                part for part in (since and f"from {since}", until and f"to {until}") if part
            )
            lines.append(words["clipped"].format(asked=asked, covered=covered))
    return "\n".join(dict.fromkeys(lines))


def _reply(chosen: Plan) -> AIMessage:
    if chosen.calls:
        calls = [
            {
                "name": c.name,
                "args": c.args,
                "id": f"call_{uuid.uuid4().hex[:12]}",
                "type": "tool_call",
            }
            for c in chosen.calls
        ]
        return AIMessage(content="", tool_calls=calls)
    if chosen.intent == "unavailable":
        return AIMessage(content=load_prompt("reply_unavailable", tool=chosen.tool))
    if chosen.intent == "clarify":
        return _clarification(chosen)
    if chosen.intent == "missing_data":
        return _offering(chosen, "reply_missing_data", missing=chosen.topic, reason=chosen.reason)
    if chosen.intent == "advice":
        return AIMessage(
            content=load_prompt("reply_advice", topic=chosen.topic, adviser=chosen.adviser)
        )
    return AIMessage(content=load_prompt(f"reply_{chosen.intent}"))


ACTIONS_KEY = "revrisk_actions"
"""`AIMessage.additional_kwargs` key of the clickable readings a clarification offers: a list
of {"label", "message"}; the UI shows each as a button that sends its message."""


def _offering(chosen: Plan, prompt: str, **values: str) -> AIMessage:
    """A reply that offers the plan's options (the nearest questions the data answer), as
    text under `prompt` (its `$options`) and as clickable actions."""
    lines = "\n".join(f'- **{literal(o.label)}**: "{literal(o.message)}"' for o in chosen.options)
    text = load_prompt(prompt, options=lines, **values).strip()
    actions = [{"label": o.label, "message": o.message} for o in chosen.options]
    return AIMessage(content=text, additional_kwargs={ACTIONS_KEY: actions})


def _clarification(chosen: Plan) -> AIMessage:
    """A short question with the nearest readings, as text and as clickable actions. The
    text ends with the question, so a reader (and the evals) see that it asks."""
    message = _offering(chosen, "reply_clarify", question=chosen.question)
    if chosen.options:
        message.content = f"{message.text}\n\nWhich one should I run?"
    return message


class ChatOfflinePlanner(BaseChatModel):
    """Deterministic planner with LangChain's chat-model interface (tool calling, streaming).

    Standard parameters (temperature, max_tokens, stop, timeout, max_retries) are accepted
    for interface compatibility and have no effect: the planner is deterministic.
    """

    model_config = ConfigDict(populate_by_name=True)

    model_name: str = Field(default=OFFLINE_MODEL_NAME, alias="model")
    temperature: float | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    timeout: float | None = None
    max_retries: int | None = None
    streaming: bool = False
    words_per_chunk: int = 3
    """Streaming granularity of answers."""

    @property
    def _llm_type(self) -> str:
        return "revrisk-offline-planner"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="revrisk",
            ls_model_name=str(kwargs.get("model", self.model_name)),
            ls_model_type="chat",
        )
        if self.temperature is not None:
            params["ls_temperature"] = self.temperature
        if self.max_tokens is not None:
            params["ls_max_tokens"] = self.max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any format LangChain accepts); the planner calls only bound tools."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def respond(self, messages: Sequence[BaseMessage], tools: Sequence[Any] | None) -> AIMessage:
        """The next message: tool calls, the narrative after tool results, or a reply."""
        human = last_user_index(messages)
        text = messages[human].text if human >= 0 else ""
        results = tool_results(messages)
        if results:
            note = _id_note(text)
            memory = thread_memory(messages[:human])
            asked = plan(text, memory, _tool_names(tools) or None)
            if asked.intent == "recommend":
                answer = narrate_plan(results, asked.size)
            elif asked.intent == "file_total":
                answer = narrate_file_total(results, asked.topic)
            elif asked.intent == "outside_period":
                answer = narrate_outside(results, asked.topic)
            elif asked.intent == "revenue_drivers":
                answer = narrate_drivers(results, asked.topic)
            else:
                answer = narrate_all(results)
            caveat = notes(asked.unapplied, [name for name, _ in results], load_lexicon())
            clipped = _clipped_periods(messages)
            calendar = calendar_note(text, memory.today, memory.data_to, load_lexicon())
            opening = "\n\n".join(part for part in (note, calendar, clipped, caveat) if part)
            return AIMessage(content=f"{opening}\n\n{answer}" if opening else answer)
        return _reply(plan(text, thread_memory(messages[:human]), _tool_names(tools)))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self.respond(messages, kwargs.get("tools"))
        message.response_metadata = {"model_name": self.model_name}
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self.respond(messages, kwargs.get("tools"))
        if message.tool_calls:
            chunks = [
                tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
                for i, c in enumerate(message.tool_calls)
            ]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))
        else:
            for piece in _pieces(message.text, self.words_per_chunk):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if run_manager:
                    run_manager.on_llm_new_token(piece, chunk=chunk)
                yield chunk
        last = AIMessageChunk(
            content="", chunk_position="last", response_metadata={"model_name": self.model_name}
        )
        yield ChatGenerationChunk(message=last)


def _pieces(text: str, words: int) -> Iterator[str]:
    """`text` in pieces of about `words` words, whitespace kept, so the pieces join back."""
    tokens = re.findall(r"\S+\s*|\s+", text)
    for start in range(0, len(tokens), max(words, 1)):
        yield "".join(tokens[start : start + words])
