"""An empty file attached in the chat is refused with the importer's words, before Chainlit's
upload endpoint (which answered it with a 500 and a traceback, rt6 #8)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from data.imports.readers import EMPTY_FILE
from ui.upload_guard import INSPECT_BYTES, EmptyUploadGuard

BOUNDARY = "----revrisk-test"


def _form(name: str, content: bytes) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def _post(body: bytes, path: str = "/project/file", chunk: int = 100) -> tuple[Any, list[bytes]]:
    """Send `body` through the guard in chunks; (status or "served", bodies the app read)."""
    read: list[bytes] = []
    sent: list[dict[str, Any]] = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            read.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        sent.append({"served": True})

    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages = [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(dict(message))

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"session_id=s",
        "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    asyncio.run(EmptyUploadGuard(app)(scope, receive, send))
    if sent and sent[-1].get("served"):
        return "served", read
    start = next(m for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return (start["status"], json.loads(payload)), read


def test_an_empty_upload_is_refused_with_the_importers_message() -> None:
    outcome, read = _post(_form("empty.csv", b""))
    assert outcome == (400, {"detail": EMPTY_FILE, "file": "empty.csv"})
    assert not read, "Chainlit's endpoint never sees it"


def test_uploads_with_content_reach_chainlit_byte_for_byte() -> None:
    small = _form("a.csv", b"account_id\nACC000001\n")
    assert _post(small) == ("served", [small])
    large = _form("big.csv", b"x" * (INSPECT_BYTES + 10))  # not read here: streamed on
    outcome, read = _post(large, chunk=65536)
    assert outcome == "served" and b"".join(read) == large and len(read) > 1
    other = _form("empty.csv", b"")
    outcome, read = _post(other, path="/project/element")
    assert outcome == "served" and b"".join(read) == other


def _said_in_chat(monkeypatch: Any, user: Any = None, known: bool = True) -> list[str]:
    """What the guard says in the conversation of session "s" (a stand-in live session)."""
    import sys

    import chainlit.message
    import chainlit.session

    said: list[str] = []
    session = type("Session", (), {"user": user, "id": "s"})()

    class Message:  # Chainlit's Message needs a live context to be built
        def __init__(self, content: str, **_: Any) -> None:
            self.content = content

        async def send(self) -> Any:
            said.append(self.content)
            return self

    monkeypatch.setattr(
        chainlit.session.WebsocketSession,
        "get_by_id",
        classmethod(lambda cls, sid: session if known and sid == "s" else None),
    )
    context = sys.modules["chainlit.context"]  # `chainlit.context` is the lazy context object
    monkeypatch.setattr(context, "init_ws_context", lambda s: None)
    monkeypatch.setattr(chainlit.message, "Message", Message)
    return said


def test_an_empty_upload_is_also_said_in_the_conversation(monkeypatch: Any) -> None:
    """rt11 R-L4: the toast went unseen and Enter sent nothing; the chat itself says it."""
    said = _said_in_chat(monkeypatch)
    outcome, _ = _post(_form("../../tmp/empty <b>x</b>.csv", b""))
    assert outcome[0] == 400
    assert len(said) == 1 and EMPTY_FILE in said[0] and "nothing to score or import" in said[0]
    assert "../" not in said[0] and "<b>" not in said[0]  # the name as data, never a path


def test_nothing_is_said_to_another_users_or_an_unknown_session(monkeypatch: Any) -> None:
    said = _said_in_chat(monkeypatch, user=type("User", (), {"identifier": "alice"})())
    assert _post(_form("empty.csv", b""))[0][0] == 400  # no token: not alice's request
    said += _said_in_chat(monkeypatch, known=False)
    assert _post(_form("empty.csv", b""))[0][0] == 400
    assert said == []
