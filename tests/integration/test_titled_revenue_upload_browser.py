"""A CFO's revenue export dropped in the chat, in Chromium (rt11 R-M4, R-L4): a CSV with a
title line above unfamiliar headers ("Cust. Name, Billing Period, Net Amount ($)", months
written Jan-2025, "$12,000.00" amounts) is offered the revenue import, not scored, and once
imported its figures answer; an empty CSV is said to be empty in the conversation itself.
Screenshots: artifacts/screenshots/titled-revenue-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.browser import attach, chromium, last_answer, load, send, shot, wait_idle
from support.make_run import SharedServer

from data.imports.readers import EMPTY_FILE
from ui import copy
from ui.server import RunningServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CUSTOMERS = {"Wayne Enterprises": 12_000.0, "Umbrella Corp": 8_000.0, "Tyrell Corp.": 3_500.5}
MONTHS = ("Jan-2025", "Feb-2025", "Mar-2025", "Apr-2025")


@pytest.fixture(scope="module")
def server(repo_server: SharedServer) -> RunningServer:
    """The shared `make run` server (tests/integration/conftest.py)."""
    return repo_server.server


def _titled_export(path: Path) -> tuple[Path, float]:
    """The export and its total revenue (python over the rows written)."""
    rows = [
        (name, month, amount + 10 * index)
        for name, amount in CUSTOMERS.items()
        for index, month in enumerate(MONTHS)
    ]
    lines = [
        "Monthly revenue export - Globo Holdings (all amounts USD)",
        " Cust. Name ,Billing Period,Net Amount ($)",
        *(f'{name},{month},"${value:,.2f}"' for name, month, value in rows),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path, sum(value for _, _, value in rows)


def test_a_titled_revenue_export_is_imported_not_scored(
    server: RunningServer, repo_server: SharedServer, tmp_path: Path
) -> None:
    mark = repo_server.mark()
    export, total = _titled_export(tmp_path / "messy_rev.csv")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            load(page, server.url)
            send(page, "what can you do?")  # the socket session exists for uploads

            attach(page, export)
            page.get_by_role("button", name="Import").first.wait_for(timeout=60_000)
            body = page.locator("body").inner_text()
            assert "is a monthly-revenue file" in body
            assert copy.UPLOAD_RECEIVED.split("**")[0] + "**messy_rev.csv" not in body
            page.get_by_role("button", name="Import").first.click()
            page.get_by_text(copy.REVENUE_IMPORTED[:40]).first.wait_for(timeout=120_000)
            wait_idle(page)
            shot(page, "titled-revenue-01-imported")
            imported = last_answer(page)
            assert "imported 12 rows as monthly_revenue (long)" in imported, imported[:600]
            assert "the header is row 2" in imported
            body = page.locator("body").inner_text()
            assert "Scoring it now" not in body and "score_file" not in body
            assert "header has 1" not in body

            answer = send(page, "what was total revenue in 2025?")
            shot(page, "titled-revenue-02-answer")
            assert f"${total:,.0f}" in answer, answer[:600]

            # R-L4: an empty file is said to be empty in the conversation, and stays said
            page.locator("#upload-button-input").set_input_files(str(empty))
            said = page.get_by_text("nothing to score or import")
            said.first.wait_for(timeout=20_000)
            page.wait_for_timeout(8_000)  # the upload toast is gone by now; the message is not
            assert said.count() >= 1 and EMPTY_FILE in last_answer(page)
            shot(page, "titled-revenue-03-empty")
            log = repo_server.log_since(mark)
            assert "Traceback" not in log and str(tmp_path) not in page.content()
        except Exception:
            shot(page, "titled-revenue-99-failure")
            raise
        finally:
            page.close()
