"""Safe rendering and server defaults, without a server: the sanitiser, the origin guard, the
login throttle, and the tables formatter."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ui.safe_markdown import neutralise, safe, scheme_allowed, to_html
from ui.security import LoginThrottle, OriginGuard
from ui.tables import for_people

POISON = [
    "[click me](javascript:alert(3))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#115;cript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "![b](http://127.0.0.1:9/p.png)",
    "\\\\![b](http://127.0.0.1:9/p.png)",
    "<img src=http://127.0.0.1:9/i.png onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[r][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


@pytest.mark.parametrize("text", POISON)
def test_poison_never_becomes_a_live_link_image_or_tag(text):
    html = to_html(f"Account {text} leaks")
    assert "<img" not in html and "<script" not in html
    assert 'href="javascript' not in html.lower() and 'href="data' not in html.lower()
    assert neutralise(neutralise(text)) == neutralise(text), "idempotent"


def test_markdown_the_templates_write_survives():
    text = "**Top**: 3 accounts\n- **ACC000001**: $1,234.50\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    assert neutralise(text) == text
    html = to_html(text)
    assert "<li><strong>ACC000001</strong>: $1,234.50</li>" in html and "<td>1</td>" in html
    assert to_html("[docs](https://example.com)").count('href="https://example.com"') == 1


def test_schemes_and_paths():
    assert scheme_allowed("mailto:cfo@example.com") and not scheme_allowed("vbscript:x")
    assert safe("see /home/u/repo/var/uploads/t/a.csv") == "see a.csv"
    assert safe("SELECT a / b FROM t") == "SELECT a / b FROM t"


def test_tables_for_people():
    headers, rows = for_people(
        ["tier", "n_accounts", "net_revenue", "churn_rate"],
        [
            {
                "tier": "Pro",
                "n_accounts": 1200,
                "net_revenue": 2341584.3999999994,
                "churn_rate": 0.0412,
            }
        ],
    )
    assert headers == ["Tier", "Accounts", "Net revenue", "Churn rate"]
    assert rows == [["Pro", "1,200", "$2,341,584.40", "4.1%"]]


def call(guard: OriginGuard, headers: dict[str, str], kind: str = "http") -> int | str:
    seen: list[Any] = []

    async def app(scope, receive, send):
        seen.append("app")

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        seen.append(message)

    guard.app = app
    scope = {
        "type": kind,
        "method": "GET",
        "path": "/",
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5555),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(guard(scope, receive, send))
    if "app" in seen:
        return "served"
    first = seen[0]
    return first.get("status") or first.get("type")


def test_origin_guard():
    guard = OriginGuard(lambda *a: None, extra_origins=["https://chat.example.com"])
    own = {"Host": "127.0.0.1:8000"}
    assert call(guard, own) == "served"
    assert call(guard, {**own, "Origin": "http://localhost:8000"}) == "served"
    assert call(guard, {**own, "Origin": "https://chat.example.com"}) == "served"
    assert call(guard, {**own, "Origin": "http://evil.example"}) == 403
    assert call(guard, {**own, "Origin": "http://localhost:9999"}) == 403, "another local port"
    assert call(guard, {"Host": "evil.example:8000"}) == 403, "DNS rebinding"
    assert call(guard, {**own, "Origin": "http://evil.example"}, "websocket") == "websocket.close"


def test_login_throttle_locks_and_unlocks():
    now = [0.0]
    throttle = LoginThrottle(max_failures=3, window_s=60, lockout_s=300, clock=lambda: now[0])
    assert [throttle.check("cfo", lambda: False) for _ in range(3)] == [False] * 3
    assert throttle.check("cfo", lambda: True) is False, "locked"
    assert throttle.check("ops", lambda: True) is True, "others unaffected"
    now[0] = 301
    assert throttle.check("cfo", lambda: True) is True, "unlocked after the lock-out"
