"""The chat page names no other host in what the browser loads (rt8 D26: Google Fonts and
KaTeX from jsDelivr on every page load)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ui.offline_page import install, is_remote

_LOADED = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


@pytest.fixture(scope="module")
def page() -> str:
    """The page as Chainlit's own app serves it, with RevRisk's install done (as app.py does)."""
    import chainlit.server

    install()
    install()  # idempotent: app.py may be imported twice
    return TestClient(chainlit.server.app).get("/some/thread/path").text


def test_the_page_loads_nothing_from_another_host(page: str) -> None:
    remote = [url for url in _LOADED.findall(page) if is_remote(url)]
    assert remote == [], remote
    assert "fonts.googleapis.com" not in page and "jsdelivr" not in page


def test_the_page_keeps_its_own_scripts_and_styles(page: str) -> None:
    loaded = _LOADED.findall(page)
    assert any(url.startswith("/assets/") and url.endswith(".js") for url in loaded)
    assert "/public/revrisk.css" in loaded and "/public/revrisk.js" in loaded
    assert "<title>RevRisk Copilot</title>" in page
