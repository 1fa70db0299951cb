"""The chat in a real browser: Debian chromium driven by Python playwright.

One walk through what a CFO does: open the page (ready in ≤ 2 s), click a starter and see the
tool step and an answer with a number from the warehouse, attach the reference sample of
accounts and get the summary and a downloadable scored file, ask about the uploaded accounts,
then export the report and read it. Screenshots go to artifacts/screenshots/ (kept by CI).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from reference_data import SAMPLE_ACCOUNTS

from ui.server import RunningServer, isolated_env, running_server

pytestmark = [pytest.mark.integration, pytest.mark.browser]
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
SAMPLE = SAMPLE_ACCOUNTS
SHOTS = REPO / "artifacts" / "screenshots"
PAGE_READY_S = 2.0

if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
    pytest.skip(
        "Debian chromium is not installed at /usr/bin/chromium (CI installs it)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def server(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    workdir = tmp_path_factory.mktemp("chat_browser")
    db = workdir / "world.duckdb"
    shutil.copyfile(small_world, db)
    from services.refresh import refresh_caches

    refresh_caches(db)  # as `revrisk demo` does: caches are built by writers, never by a question
    with running_server(db, workdir, env=isolated_env(workdir / "var")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)  # let the fade-in animations settle
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def last_answer(page: object) -> str:
    return page.locator(".ai-message").last.inner_text()


def top_region(db: Path) -> tuple[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        region, revenue = con.execute(
            "SELECT a.region, sum(r.net_revenue) FROM monthly_revenue r JOIN accounts a USING "
            "(account_id) WHERE r.month = (SELECT max(month) FROM monthly_revenue) GROUP BY 1 "
            "ORDER BY 2 DESC"
        ).fetchone()
    return region, f"{round(float(revenue)):,}"


def load(page: object, url: str) -> float:
    """Seconds from navigation until the composer and the starters are visible."""
    started = time.perf_counter()
    page.goto(url)
    page.locator("#chat-input").wait_for(state="visible", timeout=10_000)
    page.get_by_role("button", name="Revenue by region").wait_for(state="visible")
    return time.perf_counter() - started


def wait_idle(page: object, timeout_ms: int = 60_000) -> None:
    """Until the composer's send button is back (the server task has ended)."""
    page.locator("#chat-submit").wait_for(state="visible", timeout=timeout_ms)
    page.wait_for_timeout(300)


def test_cfo_walkthrough(server, browser, small_world):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        walkthrough(page, server, small_world)
    except Exception:
        shot(page, "99-failure")
        raise
    finally:
        page.close()


def walkthrough(page: object, server: RunningServer, small_world: Path) -> None:
    region, revenue = top_region(small_world)

    ready_s = load(page, server.url)
    if ready_s > PAGE_READY_S:  # one retry: a cold first load on a busy 2-core runner
        ready_s = min(ready_s, load(page, server.url))
    shot(page, "01-landing")
    print(f"page ready in {ready_s:.2f} s")
    assert ready_s <= PAGE_READY_S, f"page ready in {ready_s:.2f} s"

    # a starter: the tool step and a number from the warehouse
    page.get_by_role("button", name="Revenue by region").click()
    page.get_by_text(revenue).first.wait_for(timeout=30_000)
    wait_idle(page)
    step = page.locator("#step-query_duckdb")
    assert step.first.is_visible() and "Used" in step.first.inner_text()
    assert region in page.locator("body").inner_text()
    shot(page, "02-starter-answer")
    step.first.get_by_text("query_duckdb").click()  # open the step: its input and output
    page.get_by_text("SELECT a.region").first.wait_for(timeout=5_000)
    shot(page, "03-tool-step-open")

    # attach the sample of accounts: summary and a downloadable scored file
    page.locator("#upload-button-input").set_input_files(str(SAMPLE))
    page.get_by_text("sample_accounts.csv").first.wait_for(timeout=10_000)
    page.locator("#chat-input").fill("Score this file")
    page.locator("#chat-submit").click()
    scored_link = page.get_by_role("link", name=re.compile(r"scored.*\.csv$", re.I)).first
    scored_link.wait_for(timeout=60_000)
    wait_idle(page)
    assert re.search(r"100\b", page.locator("body").inner_text())
    shot(page, "04-upload-scored")
    with page.expect_download() as download:
        scored_link.click()
    scored = Path(download.value.path()).read_text()
    assert scored.count("\n") >= 100 and "ACC000001" in scored

    # a follow-up about the uploaded accounts
    page.locator("#chat-input").fill("Which of the uploaded accounts are high risk?")
    page.locator("#chat-submit").click()
    page.wait_for_timeout(500)
    wait_idle(page)
    assert re.search(r"ACC0000\d\d", last_answer(page))
    shot(page, "05-follow-up")

    # export the report and read it
    page.get_by_role("button", name="Export report").last.click()
    markdown_link = page.get_by_role("link", name=re.compile(r"revrisk-report-.*\.md$")).first
    markdown_link.wait_for(timeout=30_000)
    shot(page, "06-export")
    with page.expect_download() as download:
        markdown_link.click()
    report = Path(download.value.path()).read_text()
    assert "## 1. Show revenue by region" in report and "`query_duckdb` with arguments" in report
    assert "score_file" in report and "sample_accounts.csv" in report
    assert "Model mode: offline-planner." in report and "Data: " in report
