"""Optional password login and persisted history (Chainlit's SQLAlchemy data layer on SQLite).

Login is on when `REVRISK_USERS` ("user:password,user2:password2") is configured; Chainlit
then needs `CHAINLIT_AUTH_SECRET` to sign its tokens. History is kept in
`<var_dir>/chat_history.sqlite`; Chainlit lists a user's threads only for logged-in users, so
the data layer is switched on together with login. The schema is Chainlit's documented
SQLAlchemy schema, created on first use (SQLite accepts its Postgres type names).
"""

from __future__ import annotations

import hmac
import sqlite3
from pathlib import Path

from settings import Settings
from ui.security import LoginThrottle

THROTTLE = LoginThrottle()
"""Wrong passwords per user name, with lock-out (see `ui.security`)."""

HISTORY_FILE = "chat_history.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL,
    "createdAt" TEXT);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT,
    "tags" TEXT, "metadata" TEXT,
    FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL,
    "parentId" TEXT, "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN, "isError" BOOLEAN,
    "metadata" TEXT, "tags" TEXT, "input" TEXT, "output" TEXT, "createdAt" TEXT,
    "command" TEXT, "start" TEXT, "end" TEXT, "generation" TEXT, "showInput" TEXT,
    "language" TEXT, "indent" INT, "defaultOpen" BOOLEAN, "autoCollapse" BOOLEAN,
    "modes" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "url" TEXT, "chainlitKey" TEXT,
    "name" TEXT NOT NULL, "display" TEXT, "objectKey" TEXT, "size" TEXT, "page" INT,
    "language" TEXT, "forId" TEXT, "mime" TEXT, "props" TEXT, "autoPlay" BOOLEAN,
    "playerConfig" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT NOT NULL, "value" INT NOT NULL,
    "comment" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
"""


def parse_users(spec: str | None) -> dict[str, str]:
    """`"cfo:pw,ops:pw2"` → `{"cfo": "pw", "ops": "pw2"}`; malformed entries are ignored.

    Examples:
        >>> parse_users("cfo:s3cret, ops:a:b ,bad")
        {'cfo': 's3cret', 'ops': 'a:b'}
    """
    users: dict[str, str] = {}
    for entry in (spec or "").split(","):
        name, sep, password = entry.strip().partition(":")
        if sep and name and password:
            users[name] = password
    return users


def login_enabled(settings: Settings) -> bool:
    """True when users are configured (Chainlit then also requires CHAINLIT_AUTH_SECRET)."""
    return bool(parse_users(settings.auth_users))


def check_password(
    settings: Settings, username: str, password: str, throttle: LoginThrottle | None = None
) -> bool:
    """Constant-time check against the configured users; refused while the name is locked
    out after repeated wrong passwords (`throttle`, the process-wide one by default)."""
    expected = parse_users(settings.auth_users).get(username)

    def verify() -> bool:
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    return (throttle or THROTTLE).check(username, verify)


def history_path(settings: Settings) -> Path:
    return Path(settings.var_dir) / HISTORY_FILE


def ensure_history_db(path: Path) -> Path:
    """Create the history database and Chainlit's tables if missing; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(_SCHEMA)
        conn.execute("PRAGMA journal_mode=WAL")
    return path


def history_url(settings: Settings) -> str:
    """SQLAlchemy URL of the (created) history database."""
    return f"sqlite+aiosqlite:///{ensure_history_db(history_path(settings)).resolve()}"
