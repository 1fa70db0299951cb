"""Server defaults of a real service: who may talk to the chat server, and how often one may
try a password.

Contract:
- **Origins.** A request or socket.io connection that carries an `Origin` header is served
  only when that origin is allowed: `http://localhost:<port>`, `http://127.0.0.1:<port>` and
  `http://[::1]:<port>` of the port the server listens on, plus `REVRISK_ALLOWED_ORIGINS`
  (comma-separated). Others get 403 (HTTP) or a closed socket (websocket). The `Host` header
  must name localhost or a configured origin's host, so a DNS-rebound name is refused too.
  Requests without `Origin` (curl, the CLI, same-origin page loads) are served: a browser
  always sends `Origin` on the cross-site requests that matter (POST, fetch, websockets).
- **Login attempts.** At most `LOGIN_PER_MINUTE` POSTs to `/login` per client address per
  minute (429 beyond), and a user name is locked out for `LOCKOUT_S` after
  `MAX_FAILURES` wrong passwords within `FAILURE_WINDOW_S` — a right password is refused
  while locked.

Method and measured reason (issue 11): Chainlit 2.12 echoes any `Origin` with credentials
allowed and creates its socket.io server with `cors_allowed_origins=[]`, which switches the
origin check off, so any web page could drive a local RevRisk; and its `/login` took 50 wrong
passwords in 0.1 s. One ASGI middleware in front of Chainlit's app (the outermost one) closes
both, without patching Chainlit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
LOGIN_PER_MINUTE = 10
MAX_FAILURES = 5
FAILURE_WINDOW_S = 900.0
LOCKOUT_S = 900.0


def parse_origins(spec: str | None) -> tuple[str, ...]:
    """`"https://a.example, http://b:8080/"` → normalised origins (scheme://host[:port]).

    Examples:
        >>> parse_origins("https://a.example, http://B:8080/ ,nonsense")
        ('https://a.example', 'http://b:8080')
    """
    found = []
    for item in (spec or "").split(","):
        parts = urlsplit(item.strip())
        if parts.scheme in ("http", "https") and parts.netloc:
            found.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return tuple(found)


def allowed_origins(port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """Localhost on the server's own port, and the configured origins.

    Examples:
        >>> sorted(allowed_origins(8000))
        ['http://127.0.0.1:8000', 'http://[::1]:8000', 'http://localhost:8000']
    """
    return frozenset({*(f"http://{host}:{port}" for host in LOCAL_HOSTS), *extra})


def host_allowed(host_header: str, origins: Iterable[str]) -> bool:
    """True when the `Host` header names localhost or the host of an allowed origin.

    Examples:
        >>> host_allowed("127.0.0.1:8000", []), host_allowed("evil.example:8000", [])
        (True, False)
        >>> host_allowed("chat.example.com", ["https://chat.example.com"])
        True
    """
    name = urlsplit(f"//{host_header.strip().lower()}").hostname or ""
    names = {h.strip("[]") for h in LOCAL_HOSTS}
    names.update(urlsplit(o).hostname or "" for o in origins)
    return name in names


class LoginThrottle:
    """Failed-login bookkeeping per user name, with lock-out (thread-safe, in memory)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = FAILURE_WINDOW_S,
        lockout_s: float = LOCKOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked(self, user: str) -> bool:
        with self._lock:
            return self._locked_until.get(user, 0.0) > self.clock()

    def failed(self, user: str) -> None:
        """Record a wrong password; lock the name after `max_failures` in the window."""
        now = self.clock()
        with self._lock:
            recent = self._failures.setdefault(user, deque())
            recent.append(now)
            while recent and now - recent[0] > self.window_s:
                recent.popleft()
            if len(recent) >= self.max_failures:
                self._locked_until[user] = now + self.lockout_s
                recent.clear()

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(user, None)

    def check(self, user: str, verify: Callable[[], bool]) -> bool:
        """`verify()` unless the name is locked; the outcome is recorded.

        Examples:
            >>> throttle = LoginThrottle(max_failures=2, clock=lambda: 0.0)
            >>> [throttle.check("cfo", lambda: False) for _ in range(2)]
            [False, False]
            >>> throttle.check("cfo", lambda: True)  # right password, but locked out
            False
        """
        if self.locked(user):
            return False
        ok = verify()
        if ok:
            self.succeeded(user)
        else:
            self.failed(user)
        return ok


class RateWindow:
    """At most `limit` events per key in any `window_s` seconds."""

    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False when over the limit.

        Examples:
            >>> window = RateWindow(2, clock=lambda: 5.0)
            >>> [window.allow("ip") for _ in range(3)]
            [True, True, False]
        """
        now = self.clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] > self.window_s:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class OriginGuard:
    """ASGI middleware: refuse foreign origins and hosts; throttle `/login`."""

    def __init__(self, app: ASGIApp, extra_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.extra = tuple(extra_origins)
        self.logins = RateWindow(LOGIN_PER_MINUTE)

    def refused(self, scope: Scope) -> str | None:
        """Why this request is refused, or None."""
        port = int((scope.get("server") or ("", 0))[1] or 0)
        origins = allowed_origins(port, self.extra)
        host = _header(scope, b"host")
        if host is not None and not host_allowed(host, origins):
            return "host not allowed"
        origin = _header(scope, b"origin")
        if origin is not None and origin.rstrip("/").lower() not in origins:
            return "origin not allowed"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = self.refused(scope)
        if reason is None and kind == "http" and _is_login(scope):
            client = (scope.get("client") or ("?", 0))[0]
            if not self.logins.allow(str(client)):
                await _plain(send, 429, "too many login attempts; try again in a minute")
                return
        if reason is None:
            await self.app(scope, receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": reason})
        else:
            await _plain(send, 403, reason)


def _is_login(scope: Scope) -> bool:
    return scope.get("method") == "POST" and str(scope.get("path", "")).rstrip("/").endswith(
        "/login"
    )


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(body)),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: Any, extra_origins: Iterable[str] = ()) -> None:
    """Put `OriginGuard` in front of a Starlette/FastAPI app (before it starts)."""
    app.add_middleware(OriginGuard, extra_origins=tuple(extra_origins))
