"""The OpenAI path end to end over real HTTP: a local OpenAI-compatible stub on 127.0.0.1.

No key is set: only `OPENAI_BASE_URL` points at the stub, so the model factory must send its
placeholder key. The stub asks for `query_duckdb`, then answers from the tool result, both
as plain JSON and as server-sent events.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

from agent.run import Agent
from data.warehouse import connect
from settings import get_settings
from tools.context import Context
from tools.schemas import TOOL_ARGS

pytestmark = pytest.mark.integration

SQL = "SELECT count(*) AS n_accounts FROM accounts"
Answerer = Callable[[list[dict[str, Any]]], str]


def _count_from_tool(messages: list[dict[str, Any]]) -> int:
    tool = next(m for m in reversed(messages) if m["role"] == "tool")
    return int(json.loads(tool["content"])["rows"][0]["n_accounts"])


def honest(messages: list[dict[str, Any]]) -> str:
    return f"There are {_count_from_tool(messages)} accounts in the warehouse."


def wrong_then_honest(messages: list[dict[str, Any]]) -> str:
    retried = any(m["role"] == "user" and "previous answer" in str(m["content"]) for m in messages)
    return honest(messages) if retried else "There are 9,999 accounts."


def always_wrong(messages: list[dict[str, Any]]) -> str:
    return "There are 9,999 accounts worth $12.5M."


class Stub(ThreadingHTTPServer):
    answer: Answerer = staticmethod(honest)
    requests: list[dict[str, Any]]
    headers_seen: list[dict[str, str]]


def _reply(messages: list[dict[str, Any]], answer: Answerer) -> dict[str, Any]:
    """The assistant message: a tool call first, the answer once a tool result is in."""
    if any(m["role"] == "tool" for m in messages):
        return {"role": "assistant", "content": answer(messages)}
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "query_duckdb", "arguments": json.dumps({"sql": SQL})},
    }
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def _chunks(message: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Chat-completion chunk deltas for `message`, split the way OpenAI streams them."""
    if message.get("tool_calls"):
        call = message["tool_calls"][0]
        arguments = call["function"]["arguments"]
        yield {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "index": 0,
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["function"]["name"], "arguments": ""},
                }
            ],
        }
        for start in range(0, len(arguments), 10):
            piece = arguments[start : start + 10]
            yield {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
        return
    yield {"role": "assistant", "content": ""}
    for word in re.findall(r"\S+\s*", message["content"]):
        yield {"content": word}


class Handler(BaseHTTPRequestHandler):
    server: Stub

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        if not self.path.endswith("/chat/completions"):
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        self.server.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
        message = _reply(body["messages"], self.server.answer)
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        if body.get("stream"):
            self._stream(body, message, finish)
        else:
            self._json(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }
            )

    def _json(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, body: dict[str, Any], message: dict[str, Any], finish: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        base = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body["model"],
        }
        deltas = [*_chunks(message)]
        events = [
            {**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
        ]
        events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(
                {
                    **base,
                    "choices": [],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                }
            )
        for event in events:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    server = Stub(("127.0.0.1", 0), Handler)
    server.requests, server.headers_seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("OPENAI_API_KEY", "OPENAI_API_BASE", "REVRISK_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("REVRISK_OPENAI_MODEL", "stub-model")
    get_settings.cache_clear()
    yield server
    server.shutdown()
    server.server_close()
    get_settings.cache_clear()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with connect(path) as con:
        con.execute(
            "INSERT INTO accounts VALUES "
            "('ACC000042', 'Acme', 'Business', 'EMEA', 'EUR', '2023-01-05', 'core'),"
            "('ACC000043', 'Beta', 'Starter', 'APAC', 'USD', '2023-02-01', 'legacy')"
        )
    return path


def _agent(tmp_path: Path, warehouse: Path, stream_tokens: bool) -> Any:
    context = Context(db_path=str(warehouse), stream_tokens=stream_tokens)
    return Agent.open(context=context, checkpoint=tmp_path / "threads.sqlite")


@pytest.mark.parametrize("stream_tokens", [False, True], ids=["json", "sse"])
def test_tool_call_then_answer(
    stub: Stub, tmp_path: Path, warehouse: Path, stream_tokens: bool
) -> None:
    with _agent(tmp_path, warehouse, stream_tokens) as agent:
        result = agent.ask("How many accounts do we have?", "t")
    assert result.tool_calls == [{"name": "query_duckdb", "args": {"sql": SQL}}]
    assert result.tool_results[0]["content"]["rows"] == [{"n_accounts": 2}]
    assert result.answer == "There are 2 accounts in the warehouse."
    assert result.faithful is True
    assert result.model == f"openai:stub-model@{get_settings().openai_base_url}"
    first, second = stub.requests
    assert bool(first.get("stream")) is stream_tokens
    assert first["model"] == "stub-model"
    assert {t["function"]["name"] for t in first["tools"]} == set(TOOL_ARGS)  # all ten bound
    # Strict-mode definitions: the endpoint constrains arguments to the schema.
    assert all(t["function"]["strict"] is True for t in first["tools"])
    assert all(t["function"]["parameters"]["additionalProperties"] is False for t in first["tools"])
    assert first["messages"][0]["role"] == "system"
    assert second["messages"][-1]["role"] == "tool"
    assert stub.headers_seen[0]["authorization"] == "Bearer not-needed"


def test_tokens_stream_through_the_graph(stub: Stub, tmp_path: Path, warehouse: Path) -> None:
    with _agent(tmp_path, warehouse, stream_tokens=False) as agent:
        tokens = list(agent.stream("How many accounts do we have?", "s"))
    assert len(tokens) > 3
    assert "".join(tokens) == "There are 2 accounts in the warehouse."
    assert all(request.get("stream") for request in stub.requests)


def test_unfaithful_answer_is_regenerated_once(stub: Stub, tmp_path: Path, warehouse: Path) -> None:
    stub.answer = staticmethod(wrong_then_honest)  # type: ignore[assignment]
    with _agent(tmp_path, warehouse, stream_tokens=True) as agent:
        result = agent.ask("How many accounts do we have?", "t")
    assert len(stub.requests) == 3
    assert "9,999" in stub.requests[2]["messages"][-1]["content"]
    assert result.answer == "There are 2 accounts in the warehouse."
    assert (result.faithful, result.fallback) == (True, False)


def test_twice_unfaithful_answer_falls_back_to_the_template(
    stub: Stub, tmp_path: Path, warehouse: Path
) -> None:
    stub.answer = staticmethod(always_wrong)  # type: ignore[assignment]
    with _agent(tmp_path, warehouse, stream_tokens=False) as agent:
        result = agent.ask("How many accounts do we have?", "t")
    assert "9,999" not in result.answer and "| 2 |" in result.answer
    assert (result.faithful, result.fallback) == (True, True)


def test_messages_stream_mode_yields_ai_chunks(stub: Stub, tmp_path: Path, warehouse: Path) -> None:
    with _agent(tmp_path, warehouse, stream_tokens=True) as agent:
        chunks = [
            chunk
            for chunk, meta in agent.graph.stream(
                {"messages": [("user", "How many accounts do we have?")]},
                {"configurable": {"thread_id": "m"}},
                context=agent.context,
                stream_mode="messages",
            )
            if isinstance(chunk, AIMessageChunk)
        ]
    assert any(chunk.tool_call_chunks for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == "There are 2 accounts in the warehouse."
