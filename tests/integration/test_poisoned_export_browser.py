"""Issue 11, done-when 3: a conversation over poisoned data, in the chat and in its exported
HTML, runs no script and fetches nothing — checked in Debian chromium.

The warehouse is a copy of the small world whose account names carry Markdown and HTML that
act when rendered: a `javascript:` link, an image and an `<img onerror>` pointing at a local
listener, a `<script>`. The conversation shows them (SQL over `accounts`), is exported, and the
HTML report is opened from disk. Every request to the listener is counted, every dialog
(`alert`) recorded, and the poisoned link is clicked if one was formed.

rt6 defect 3: the names also carry Markdown that only formats or links (bold, an http link,
GFM autolink literals `www.…` and `me@host`, a `word:name` remark-directive, `| pipe |`).
Every table cell showing a name, in the chat and in the exported HTML, must read exactly the
name (line breaks as spaces) and hold no element at all: no bold, link, image or code.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from support.browser import (
    chromium,
    load,
    request_listener,
    require_chromium,
    send,
    shot,
    wait_idle,
)

from ui.server import RunningServer, isolated_env, running_server

pytestmark = [pytest.mark.integration, pytest.mark.browser]
require_chromium()

QUESTION = "SELECT account_id, name FROM accounts ORDER BY account_id LIMIT 9"
REPORT_MAX_BYTES = 2 * 1024 * 1024
OPEN_MAX_S = 2.0


def poisons(port: int) -> dict[str, str]:
    return {
        "ACC000001": "[click me](javascript:alert(3))",
        "ACC000002": f"![b](http://127.0.0.1:{port}/p.png)",
        "ACC000003": f'<img src="http://127.0.0.1:{port}/i.png" onerror="alert(4)">',
        "ACC000004": "<script>alert(5)</script>",
        "ACC000005": f"[ref][x]\n\n[x]: javascript:alert(6) <http://127.0.0.1:{port}/auto>",
        "ACC000006": "**Bold** [click me](javascript:alert(3)) "
        f"![p](http://127.0.0.1:{port}/pixel.png)",
        "ACC000007": '<a href="http://evil.example">Acme</a> | pipe | ` backtick',
        "ACC000008": "www.evil.example or me@evil.example _x_ ~~y~~ Note:Important &lt;b&gt;",
    }


def shown(value: str) -> str:
    """A name as a table cell shows it: exactly its text, line breaks as single spaces."""
    return " ".join(value.split())


def name_cells(page, port: int) -> tuple[dict[str, list[str]], int]:
    """Text of the name cell in each row naming a poisoned account (every table on the page),
    and how many elements those cells hold (there should be none: text only)."""
    cells: dict[str, list[str]] = {}
    elements = 0
    for account in poisons(port):
        for row in page.locator("tr", has_text=account).all():
            cell = row.locator("td").nth(1)
            cells.setdefault(account, []).append(shown(cell.inner_text().replace("\u2060", "")))
            elements += cell.locator("*").count()
    return cells, elements


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[int, list[str]]]:
    with request_listener() as found:
        yield found


@pytest.fixture(scope="module")
def server(
    small_world: Path, tmp_path_factory: pytest.TempPathFactory, listener
) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("poisoned")
    db = workdir / "poisoned.duckdb"
    shutil.copyfile(small_world, db)
    with duckdb.connect(str(db)) as con:
        for account, name in poisons(listener[0]).items():
            con.execute("UPDATE accounts SET name = ? WHERE account_id = ?", [name, account])
    with running_server(db, workdir, env=isolated_env(workdir / "var")) as running:
        yield running


def test_poisoned_names_do_nothing_in_the_chat_or_the_exported_html(server, listener, tmp_path):
    port, hits = listener
    dialogs: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        load(page, server.url)
        answer = send(page, QUESTION)
        page.wait_for_timeout(1500)  # time for any image to be requested
        shot(page, "poison-01-chat")
        assert "click me" in page.locator("body").inner_text(), "the data is shown, as text"
        chat_links = page.locator("a[href^='javascript' i]").count()
        chat_images = page.locator(f"img[src*='{port}']").count()
        chat_cells, chat_elements = name_cells(page, port)
        data_links = page.locator(
            "a[href*='evil' i], a[href*='127.0.0.1'], a[href^='mailto' i]"
        ).count()

        page.get_by_role("button", name="Export report").last.click()
        link = page.get_by_role("link", name=re.compile(r"revrisk-report-.*\.html$")).first
        link.wait_for(timeout=60_000)
        wait_idle(page)
        with page.expect_download() as download:
            link.click()
        report = tmp_path / "report.html"
        Path(download.value.path()).replace(report)
        page.close()

        viewer = browser.new_page(viewport={"width": 1200, "height": 900})
        viewer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        started = time.perf_counter()
        viewer.goto(report.as_uri(), wait_until="load")
        opened_s = time.perf_counter() - started
        viewer.wait_for_timeout(1500)
        shot(viewer, "poison-02-exported-html", full_page=True)
        report_links = viewer.locator("a[href^='javascript' i]").count()
        scripts = viewer.locator("script").count()
        images = viewer.locator("img").count()
        rows_of_last_account = viewer.locator("table tr", has_text="ACC000009").count()
        report_cells, report_elements = name_cells(viewer, port)
        for text in ("click me", "ref"):
            for element in viewer.get_by_text(text).all():
                element.click()
        viewer.wait_for_timeout(500)
        viewer.close()

    html = report.read_text()
    print(f"report {report.stat().st_size:,} bytes, opened in {opened_s:.2f} s; hits {hits}")
    assert chat_links == 0 and chat_images == 0, "the chat formed a live link or image"
    assert report_links == 0 and scripts == 0 and images == 0
    assert dialogs == [], f"a script ran: {dialogs}"
    assert hits == [], f"remote fetches: {hits}"
    assert "Content-Security-Policy" in html and "click me" in html
    assert report.stat().st_size <= REPORT_MAX_BYTES and opened_s <= OPEN_MAX_S
    assert QUESTION in html and "ACC000003" in html
    assert rows_of_last_account == 2, (
        "a line break in the data broke a table (chat answer and SQL result)"
    )
    assert answer, "the chat answered"
    expected = {account: shown(name) for account, name in poisons(port).items()}
    assert {a: c[0] for a, c in chat_cells.items()} == expected, "the chat shows each name"
    assert chat_elements == 0 and data_links == 0, "no bold/link/image/code from data in chat"
    assert {a: c for a, c in report_cells.items()} == {a: [n, n] for a, n in expected.items()}, (
        "the exported HTML shows each name exactly, in the answer's table and the SQL result's"
    )
    assert report_elements == 0, "no <a>/<strong>/<img>/<code> from data in the exported HTML"
    assert "<strong>Bold" not in html and 'href="http://evil' not in html


UPLOAD_IDS = [
    "**BOLD** [click](javascript:alert(3))",
    "![img](http://example.com/x.png)",
    "| a | b |",
    "www.evil.example me@evil.example",
    '<a href="http://evil.example">Acme</a>',
    "# heading Note:Important",
]


def test_an_uploaded_files_markup_ids_show_literally_in_the_chat(server, tmp_path):
    """rt6 defect 3 (s14): ids of an uploaded file carrying Markdown are listed in the answer
    (the template's bold label) and tabled — each exactly its text, with no link or image."""
    import pandas as pd
    from reference_data import SAMPLE_ACCOUNTS

    frame = pd.read_csv(SAMPLE_ACCOUNTS).head(20)
    frame.loc[: len(UPLOAD_IDS) - 1, "account_id"] = UPLOAD_IDS
    upload = tmp_path / "markup_ids.csv"
    frame.to_csv(upload, index=False)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        load(page, server.url)
        page.locator("#upload-button-input").set_input_files(str(upload))
        page.get_by_text("markup_ids.csv").first.wait_for(timeout=10_000)
        page.locator("#chat-input").fill("score these")
        page.locator("#chat-submit").click()
        page.get_by_role("link", name=re.compile(r"scored.*\.csv$", re.I)).first.wait_for(
            timeout=120_000
        )
        wait_idle(page)
        shot(page, "poison-03-upload-answer", full_page=True)
        cells = {
            shown(td.inner_text().replace("\u2060", "")): td.locator("*").count()
            for td in page.locator("td").all()
        }
        items = [  # (bold label, elements in the item): Chainlit writes bold as span.font-bold
            (li.locator("*").first.inner_text().replace("\u2060", ""), li.locator("*").count())
            for li in page.locator("li", has_text=": risk").all()
        ]
        links = page.locator(
            "a[href*='evil' i], a[href*='example.com'], a[href^='mailto' i], "
            "a[href^='javascript' i]"
        ).count()
        images = page.locator("img[src*='example.com']").count()
        page.close()
    assert all(cells.get(value) == 0 for value in UPLOAD_IDS), (
        f"each id is one table cell of exactly its text, with no element: {cells}"
    )
    listed = [label for label, _ in items if label in UPLOAD_IDS]
    assert len(items) == 10 and len(listed) >= 2, f"the answer lists markup ids: {items}"
    assert all(n == 1 for _, n in items), "each item: the template's bold label, nothing else"
    assert links == 0 and images == 0
