"""Empty files attached in the chat: refused at the upload with the importer's own words.

Contract: a `POST …/project/file` (Chainlit's upload endpoint) whose file part is empty gets
a 400 with the JSON body `{"detail": "the file is empty (0 bytes)", "file": "<name>"}`, the
message `revrisk import` and `revrisk score` give (`data.imports.readers.EMPTY_FILE`);
Chainlit's page shows a JSON `detail` in its upload toast, so the user reads "Failed to
upload empty.csv: the file is empty (0 bytes)"; the same words are said in the conversation
itself (`copy.EMPTY_UPLOAD`), to the chat session the upload names (`session_id`) and only
when the request is that session's user's (no login, or the same user's token). Every other
request, and every upload with content, reaches Chainlit unchanged.

Measured reason for the chat message (rt11 R-L4): the toast goes after a few seconds, and
pressing Enter with a refused attachment sends nothing, so a user who looked away saw no
feedback at all.

Method and measured reason (rt6 #8): Chainlit 2.12's endpoint passes the bytes to
`persist_file`, which raises ValueError("Either path or content must be provided…") for
`b""`: a 500 with a traceback in the server log, and "Upload failed" in the toast, before
any RevRisk code runs. One ASGI middleware in front of Chainlit's app refuses the empty file
first, without patching Chainlit. Only bodies up to `INSPECT_BYTES` are read here (an empty
file's form is a few hundred bytes; anything larger has content and streams on untouched),
parsed by Starlette's form parser (python-multipart), and replayed to Chainlit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse

from data.imports.readers import EMPTY_FILE
from domain.markdown import literal
from ui import copy

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATH = "/project/file"
INSPECT_BYTES = 64 * 1024
"""Upload requests up to this size are read and checked for an empty file."""


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers") or ():
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_small_upload(scope: Scope) -> bool:
    if scope.get("type") != "http" or scope.get("method") != "POST":
        return False
    if not str(scope.get("path", "")).endswith(UPLOAD_PATH):
        return False
    length = _content_length(scope)
    return length is not None and length <= INSPECT_BYTES


async def empty_upload_name(scope: Scope, body: bytes) -> str | None:
    """The file name of an upload form whose file part is empty, else None."""

    async def once() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except (HTTPException, MultiPartException, ValueError):  # not a form Starlette reads:
        return None  # Chainlit answers it as it always did
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or (await upload.read(1)):
            return None
        return PurePosixPath((upload.filename or "file").replace("\\", "/")).name or "file"
    finally:
        await form.close()


class EmptyUploadGuard:
    """ASGI middleware: refuse an empty uploaded file with the importer's message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_small_upload(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        name = await empty_upload_name(scope, body)
        if name is not None:
            # the page shows "Failed to upload <name>: <detail>"
            response = JSONResponse({"detail": EMPTY_FILE, "file": name}, status_code=400)
            await response(scope, receive, send)
            await tell_session(scope, name)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def tell_session(scope: Scope, name: str) -> bool:
    """Say in the uploading session's conversation that `name` is empty; True when said.

    Nothing is said for a request without a live session, or whose login token is not the
    session's user's (another user must not write into this conversation)."""
    from chainlit.context import init_ws_context
    from chainlit.message import Message as ChatMessage
    from chainlit.session import WebsocketSession

    session_id = Request(scope).query_params.get("session_id") or ""
    session = WebsocketSession.get_by_id(session_id) if session_id else None
    if session is None or not _same_user(scope, session.user):
        return False
    init_ws_context(session)
    text = copy.EMPTY_UPLOAD.format(name=literal(name), reason=EMPTY_FILE)
    await ChatMessage(content=text, author=copy.ASSISTANT).send()
    return True


def _same_user(scope: Scope, user: Any) -> bool:
    """No login (the session has no user), or the request carries that user's token."""
    if user is None:
        return True
    from chainlit.auth.cookie import get_token_from_cookies
    from chainlit.auth.jwt import decode_jwt

    request = Request(scope)
    bearer = request.headers.get("authorization", "")
    token = bearer.removeprefix("Bearer ").strip() or get_token_from_cookies(request.cookies)
    if not token:
        return False
    try:
        return bool(decode_jwt(token).identifier == user.identifier)
    except Exception:  # any unreadable or foreign token: not this session's user
        return False


def install(app: Any) -> None:
    """Put `EmptyUploadGuard` in front of a Starlette/FastAPI app (before it starts)."""
    app.add_middleware(EmptyUploadGuard)


__all__ = [
    "EMPTY_FILE",
    "INSPECT_BYTES",
    "EmptyUploadGuard",
    "empty_upload_name",
    "install",
    "tell_session",
]
