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
