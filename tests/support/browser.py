"""Driving the chat in Debian chromium through playwright (shared by the browser tests).

The browser is /usr/bin/chromium (never a downloaded one); screenshots go to
artifacts/screenshots/ (kept by CI). `wait_idle` waits for the server's task to end: the
composer's send button comes back and no assistant message is still streaming.
"""

from __future__ import annotations

import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"


def require_chromium() -> None:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium (CI installs it)",
            allow_module_level=True,
        )


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)  # let the fade-in animations settle
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def load(page: Any, url: str, starter: str = "Revenue by region") -> float:
    """Seconds from navigation until the composer and the starters are visible."""
    started = time.perf_counter()
    page.goto(url)
    page.locator("#chat-input").wait_for(state="visible", timeout=10_000)
    page.get_by_role("button", name=starter).wait_for(state="visible")
    return time.perf_counter() - started


def wait_idle(page: Any, timeout_ms: int = 120_000) -> None:
    """Until the composer's send button is back (the server task has ended)."""
    page.wait_for_timeout(400)
    page.locator("#chat-submit").wait_for(state="visible", timeout=timeout_ms)
    page.wait_for_timeout(400)


def send(page: Any, text: str, timeout_ms: int = 120_000) -> str:
    """Type a message, send it with Enter, wait for the answer; the last answer's text."""
    before = page.locator(".ai-message").count()
    page.locator("#chat-input").click()
    page.locator("#chat-input").fill(text)
    page.locator("#chat-input").press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.ai-message').length > n", arg=before, timeout=timeout_ms
    )
    wait_idle(page, timeout_ms)
    return last_answer(page)


def attach(page: Any, path: Any, text: str = "") -> None:
    """Attach a file with the paperclip, type `text`, and send once the upload finished."""
    page.locator("#upload-button-input").set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for(timeout=10_000)
    page.locator("#chat-input").fill(text)
    page.wait_for_function(  # the send button waits for the upload to finish
        "() => { const b = document.querySelector('#chat-submit'); return b && !b.disabled; }",
        timeout=30_000,
    )
    page.locator("#chat-input").press("Enter")


def last_answer(page: Any) -> str:
    return str(page.locator(".ai-message").last.inner_text())


class RequestCounter(http.server.BaseHTTPRequestHandler):
    """A local listener that counts every request (for "no remote fetch" checks)."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: Any) -> None:
        return


@contextmanager
def request_listener() -> Iterator[tuple[int, list[str]]]:
    """(port, hits) of a listener on 127.0.0.1 until the block ends."""
    handler = type("Counter", (RequestCounter,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.hits
    finally:
        server.shutdown()
        server.server_close()
