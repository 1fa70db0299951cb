"""The chat asks no other host for anything (rt8 D26), in Chromium: every request the page makes
while it loads, answers a question with a chart and a table, and exports a report goes to the
chat server itself. Chainlit's page loaded Google Fonts (with preconnects to
fonts.googleapis.com and fonts.gstatic.com) and KaTeX's stylesheet from cdn.jsdelivr.net on
every load. Requests to another host are blocked here (so the test also runs offline) and
counted. Screenshot: artifacts/screenshots/offline-page.png.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route
from support.browser import chromium, load, send, shot
from support.make_run import SharedServer

from ui.server import RunningServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

LOCAL = ("127.0.0.1", "localhost", "[::1]")


@pytest.fixture(scope="module")
def server(repo_server: SharedServer) -> RunningServer:
    """The shared `make run` server (tests/integration/conftest.py)."""
    return repo_server.server


def test_the_chat_page_requests_nothing_from_another_host(server: RunningServer) -> None:
    remote: list[str] = []
    local: list[str] = []

    def route(handle: Route) -> None:  # every request of the page, its scripts and workers
        url = handle.request.url
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and host not in LOCAL:
            remote.append(url)
            handle.abort()
        else:
            local.append(url)
            handle.continue_()

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", route)
        page = context.new_page()
        try:
            load(page, server.url)
            send(page, "How much revenue did each tier bring in last quarter?")
            page.locator(".ai-message").last.get_by_text("Enterprise").first.wait_for()
            chart = page.locator(".js-plotly-plot").first  # Plotly's chunk loads lazily
            chart.wait_for(timeout=60_000)
            chart.scroll_into_view_if_needed()
            page.wait_for_timeout(1_000)
            shot(page, "offline-page")
        finally:
            context.close()
    assert remote == [], f"the page asked other hosts: {remote}"
    assert any("/assets/" in url for url in local)  # the route saw the page's own requests
