"""A scripted chat client speaking Chainlit's socket.io protocol (tests and benchmarks).

It does what the browser does, without a browser: connects to `/ws/socket.io` with a session
id, sends `connection_successful`, then `client_message` per question (with `fileReferences`
for files uploaded to `POST /project/file`), and records everything the server emits. A turn
is over at the server's `task_end` after the question. Actions are called like the browser
calls them (`POST /project/action`), and files downloaded from `GET /project/file/{key}`.
Protocol as implemented in chainlit/socket.py and chainlit/server.py (Chainlit 2.12).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import socketio


@dataclass
class Turn:
    """What came back for one question."""

    question: str
    seconds: float
    messages: list[dict[str, Any]] = field(default_factory=list)
    elements: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def steps(self, kind: str = "tool") -> list[dict[str, Any]]:
        """Steps of a type ("tool" for tool calls), last version of each."""
        return [m for m in self.messages if m.get("type") == kind]

    def answers(self) -> list[str]:
        return [
            str(m.get("output") or "")
            for m in self.messages
            if m.get("type") == "assistant_message"
        ]

    def files(self) -> list[dict[str, Any]]:
        """File elements the assistant sent (not the echo of the user's own attachment)."""
        ids = {m["id"] for m in self.messages if m.get("type") == "assistant_message"}
        return [e for e in self.elements if e.get("type") == "file" and e.get("forId") in ids]

    @property
    def answer(self) -> str:
        """The longest assistant message of the turn (the answer, not a notice)."""
        return max(self.answers(), key=len, default="")


class ChatClient:
    """One browser-less chat session."""

    def __init__(self, url: str, cookie: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.session_id = str(uuid.uuid4())
        self.cookie = cookie
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.event_times: list[float] = []
        """`time.perf_counter()` when each of `events` arrived (for phase timings)."""
        self._task_end = asyncio.Event()
        self._asks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sio.on("*", self._record)
        self.sio.on("ask", self._ask)

    async def _record(self, event: str, data: Any = None) -> None:
        self.event_times.append(time.perf_counter())
        self.events.append((event, data))
        if event == "task_end":
            self._task_end.set()

    async def _ask(self, data: Any) -> Any:
        """Server-side `ask` (AskFileMessage…): recorded; the test answers via `answer_ask`."""
        self.event_times.append(time.perf_counter())
        self.events.append(("ask", data))
        reply: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self._asks.put({"data": data, "reply": reply})
        return await reply

    async def connect(self, thread_id: str | None = None) -> ChatClient:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        auth = {
            "sessionId": self.session_id,
            "clientType": "webapp",
            "userEnv": "{}",
            "chatProfile": None,
            "threadId": thread_id,
        }
        await self.sio.connect(
            self.url,
            socketio_path="/ws/socket.io",
            auth=auth,
            headers=headers,
            transports=["websocket"],
        )
        start = len(self.events)
        await self.sio.emit("connection_successful")
        await self.wait_task_end(start, 30)  # on_chat_start has run
        return self

    async def close(self) -> None:
        await self.sio.emit("clear_session")
        await self.sio.disconnect()

    async def __aenter__(self) -> ChatClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def ask(
        self, question: str, file_ids: list[str] | None = None, timeout_s: float = 120
    ) -> Turn:
        """Send a question (optionally with uploaded files) and collect the turn."""
        start = len(self.events)
        started = time.perf_counter()
        await self._send(question, [{"id": file_id} for file_id in file_ids or []])
        await self.wait_task_end(start, timeout_s)
        return self.turn(question, start, time.perf_counter() - started)

    def _task_done(self, start: int) -> bool:
        """A `task_start` then a `task_end` since event index `start` (one server task ran)."""
        names = [name for name, _ in self.events[start:]]
        return "task_start" in names and "task_end" in names[names.index("task_start") :]

    async def wait_task_end(self, start: int, timeout_s: float) -> None:
        """Until the server task begun after event index `start` has ended."""
        deadline = time.perf_counter() + timeout_s
        while not self._task_done(start):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no reply within {timeout_s:.0f} s")
            self._task_end.clear()
            try:
                await asyncio.wait_for(self._task_end.wait(), remaining)
            except TimeoutError:
                continue

    def turn(self, question: str, start: int, seconds: float) -> Turn:
        """Messages (latest version by id), elements and actions emitted since `start`."""
        latest: dict[str, dict[str, Any]] = {}
        turn = Turn(question, seconds)
        for name, data in self.events[start:]:
            if name in ("new_message", "update_message", "stream_start") and isinstance(data, dict):
                latest[data["id"]] = {**latest.get(data["id"], {}), **data}
            elif name == "stream_token" and isinstance(data, dict) and data.get("id") in latest:
                message = latest[data["id"]]
                message["output"] = (
                    data["token"]
                    if data.get("isSequence")
                    else str(message.get("output") or "") + data["token"]
                )
            elif name == "element":
                turn.elements.append(data)
            elif name == "action":
                turn.actions.append(data)
        turn.messages = list(latest.values())
        return turn

    async def next_ask(self, timeout_s: float = 30) -> dict[str, Any]:
        """The next server `ask` as {"data", "reply"}; set `reply` to answer it."""
        return await asyncio.wait_for(self._asks.get(), timeout_s)

    async def ask_answering_with_file(
        self, question: str, path: Path, mime: str = "text/csv", timeout_s: float = 120
    ) -> tuple[dict[str, Any], Turn]:
        """Send `question`, answer the file request it triggers with `path`; (ask, turn)."""
        start = len(self.events)
        started = time.perf_counter()
        sending = asyncio.create_task(self._send(question))
        request = await self.next_ask()
        file_id = await self.upload(path, mime)
        answered = len(self.events)  # the ask ends the task; the handler's task resumes after
        request["reply"].set_result([{"id": file_id}])
        await sending
        await self.wait_task_end(answered, timeout_s)
        return request["data"], self.turn(question, start, time.perf_counter() - started)

    async def _send(self, question: str, refs: list[dict[str, str]] | None = None) -> None:
        message = {
            "id": str(uuid.uuid4()),
            "name": "User",
            "type": "user_message",
            "output": question,
            "createdAt": datetime.now(UTC).isoformat(),
        }
        await self.sio.emit("client_message", {"message": message, "fileReferences": refs or None})

    async def upload(self, path: Path, mime: str = "text/csv") -> str:
        """Upload a file to this session (as the browser's attach button does); its file id."""
        form = aiohttp.FormData()
        form.add_field("file", Path(path).read_bytes(), filename=Path(path).name, content_type=mime)
        async with (
            aiohttp.ClientSession(headers=self._headers()) as http,
            http.post(
                f"{self.url}/project/file", params={"session_id": self.session_id}, data=form
            ) as response,
        ):
            response.raise_for_status()
            return str((await response.json())["id"])

    async def call_action(self, action: dict[str, Any], timeout_s: float = 120) -> Turn:
        """Click an action button; returns what the server emitted meanwhile."""
        start = len(self.events)
        started = time.perf_counter()
        async with (
            aiohttp.ClientSession(headers=self._headers()) as http,
            http.post(
                f"{self.url}/project/action",
                json={"action": action, "sessionId": self.session_id},
                timeout=aiohttp.ClientTimeout(total=timeout_s),
            ) as response,
        ):
            response.raise_for_status()
        await asyncio.sleep(0.05)
        return self.turn(str(action.get("name")), start, time.perf_counter() - started)

    async def download(self, element: dict[str, Any]) -> bytes:
        """The bytes of a file element the server sent."""
        key = element.get("chainlitKey")
        async with (
            aiohttp.ClientSession(headers=self._headers()) as http,
            http.get(
                f"{self.url}/project/file/{key}", params={"session_id": self.session_id}
            ) as response,
        ):
            response.raise_for_status()
            return await response.read()

    def _headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie} if self.cookie else {}


async def login(url: str, username: str, password: str) -> str:
    """Log in with a password (Chainlit's `POST /login`); the cookie header for later calls."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{url.rstrip('/')}/login", data={"username": username, "password": password}
        ) as response,
    ):
        response.raise_for_status()
        return "; ".join(f"{k}={v.value}" for k, v in response.cookies.items())
