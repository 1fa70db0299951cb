"""Login users from settings, and the history database Chainlit's data layer writes."""

from __future__ import annotations

import sqlite3

from settings import get_settings
from ui import auth


def test_login_off_without_users():
    assert not auth.login_enabled(get_settings())


def test_password_check(monkeypatch):
    monkeypatch.setenv("REVRISK_USERS", "cfo:s3cret,ops:x:y")
    get_settings.cache_clear()
    settings = get_settings()
    assert auth.login_enabled(settings)
    assert auth.check_password(settings, "cfo", "s3cret")
    assert auth.check_password(settings, "ops", "x:y")
    assert not auth.check_password(settings, "cfo", "S3cret")
    assert not auth.check_password(settings, "nobody", "s3cret")


def test_history_db_has_chainlit_tables(isolated_env):
    url = auth.history_url(get_settings())
    path = auth.history_path(get_settings())
    assert url.startswith("sqlite+aiosqlite:///") and path.exists() and str(isolated_env) in url
    with sqlite3.connect(path) as conn:
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        step_columns = {row[1] for row in conn.execute("PRAGMA table_info(steps)")}
    assert {"users", "threads", "steps", "elements", "feedbacks"} <= tables
    assert {"defaultOpen", "autoCollapse", "modes", "command"} <= step_columns
    auth.ensure_history_db(path)  # idempotent
