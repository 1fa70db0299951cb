"""Issue 12, done-when 1 and 3: a CFO's first hour, in Chromium, in the setup the README gives.

The server is started with exactly the commands `make run` runs (read from `make -n run`),
from the repository root, with no environment override but the port (`support.make_run`).
A scripted finance lead then has a 17-turn session: the riskiest accounts, why one is
flagged, period/tier SQL questions with their chart, revenue by region, a recommendation,
board bullets, a trend and its seasonality, an upload sent with a question and two
follow-ups about it, a question nothing can answer, the portfolio overview, and the export.

Each answer is checked against the data, not against itself: the warehouse's own
`leakage_scores` for the ranking, the scored file the chat hands back for the upload
answers. Every failed check is collected and reported together (each one still fails the
test), so one run shows all that is wrong. Screenshots: artifacts/screenshots/cfo-*.png.
Finally the server's log of the whole session (its start-up and this test's part, the server
being shared: tests/integration/conftest.py) must hold no warning.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from reference_data import SAMPLE_ACCOUNTS
from support.browser import chromium, last_answer, load, require_chromium, send, shot, wait_idle
from support.make_run import REPO, SharedServer

from ui.server import RunningServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]
require_chromium()

ID = re.compile(r"\bACC\d{6,9}\b")
MONEY = re.compile(r"\$\s?(-?[\d,]+(?:\.\d+)?)")
PATHLIKE = re.compile(r"(/(?:home|root|tmp|work|srv|usr|var)/[\w./-]+|var/uploads/)")
PAGE_READY_S = 2.0
REPORT_MAX_BYTES = 2 * 1024 * 1024
REPORT_OPEN_S = 2.0


class Checks:
    """Soft assertions: every failed check is kept, the test fails at the end with all."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, ok: Any, what: str) -> bool:
        if not ok:
            self.failed.append(what)
        return bool(ok)


@pytest.fixture(scope="module")
def server(repo_server: SharedServer) -> RunningServer:
    """The shared `make run` server (tests/integration/conftest.py)."""
    return repo_server.server


def warehouse_truth(db: Path, retries: int = 20) -> dict[str, Any]:
    """The ranking and facts the answers must agree with, read from the warehouse."""
    for attempt in range(retries):
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                top = [
                    r[0]
                    for r in con.execute(
                        "SELECT account_id FROM leakage_scores "
                        "ORDER BY expected_monthly_loss DESC, account_id LIMIT 10"
                    ).fetchall()
                ]
                tiers = [r[0] for r in con.execute("SELECT DISTINCT tier FROM accounts").fetchall()]
                as_of = str(con.execute("SELECT max(month) FROM monthly_revenue").fetchone()[0])
            return {"top10": top, "tiers": tiers, "as_of": as_of}
        except duckdb.IOException:
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError("warehouse stayed locked")


def scored_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def column(rows: list[dict[str, str]], *words: str) -> str:
    return next(c for c in rows[0] if all(w in c.lower() for w in words))


def numbers_after_ids(text: str) -> list[tuple[str, float]]:
    """(id, first dollar amount on the same line) for each line naming an account."""
    found = []
    for line in text.splitlines():
        ids, money = ID.findall(line), MONEY.findall(line)
        if ids and money:
            found.append((ids[0], float(money[0].replace(",", ""))))
    return found


def ai_count(page: Any) -> int:
    return int(page.locator(".ai-message").count())


def test_cfo_first_hour(server: RunningServer, repo_server: SharedServer, tmp_path: Path) -> None:
    check = Checks()
    mark = repo_server.mark()
    truth = warehouse_truth(REPO / "var" / "revrisk.duckdb")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        try:
            session(page, server, truth, check, tmp_path)
        except Exception:
            shot(page, "cfo-99-failure")
            raise
        finally:
            page.close()
    log = repo_server.log_since(mark)
    warnings = [line for line in log.splitlines() if re.search(r"warn", line, re.I)]
    check(not warnings, f"server log has {len(warnings)} warning lines: {warnings[:5]}")
    assert not check.failed, "\n".join(f"- {f}" for f in check.failed)


def session(
    page: Any, server: RunningServer, truth: dict[str, Any], check: Checks, tmp: Path
) -> None:
    ready_s = load(page, server.url)
    if ready_s > PAGE_READY_S:  # one retry: a cold first load on a busy 2-core runner
        ready_s = min(ready_s, load(page, server.url))
    shot(page, "cfo-01-landing")
    body = page.locator("body").inner_text()
    check(ready_s <= PAGE_READY_S, f"page ready in {ready_s:.2f} s")
    check("Synthetic demo data" in body, "the demo warehouse is badged as synthetic")
    check("LLMs can make mistakes" not in body, "no LLM watermark in offline mode")
    placeholder = page.locator("#chat-input").get_attribute("placeholder") or ""
    check(
        re.search(r"ask", placeholder, re.I) and "drop" in placeholder, "placeholder: ask or drop"
    )

    # 1. the riskiest accounts, by the starter
    page.get_by_role("button", name="Riskiest accounts").click()
    page.wait_for_function("() => document.querySelectorAll('.ai-message').length > 0")
    wait_idle(page)
    top = last_answer(page)
    shot(page, "cfo-02-riskiest")
    ranking_checks(top, truth, check, "starter 'Riskiest accounts'")

    # 2. the same in words
    top10 = send(page, "Which ten accounts are most at risk?")
    ranking_checks(top10, truth, check, "'Which ten accounts are most at risk?'")
    first = (ID.findall(top10) or truth["top10"])[0]

    # 3. why one is flagged
    why = send(page, f"Why is {first} flagged?")
    check(first in why, f"why-flagged names {first}")
    check(re.search(r"factor|because|driv", why, re.I), "why-flagged gives the factors")
    shot(page, "cfo-03-why-flagged")

    # 4. a period/tier question: guarded SQL with its chart
    charts_before = page.locator(".js-plotly-plot").count()
    tier = send(page, "Revenue by plan tier last quarter")
    sql_step = page.locator("[id^='step-query_duckdb']").count()
    check(sql_step > 0, "tier/period question runs query_duckdb")
    check(all(t in tier for t in truth["tiers"]), f"all tiers in the tier answer: {tier[:200]}")
    check(re.search(r"quarter|Q[1-4]|\b20\d\d-\d\d", tier), "the period is stated")
    check(re.search(r"\$|USD|currency", tier), "the currency is stated")
    page.wait_for_timeout(1500)
    check(page.locator(".js-plotly-plot").count() > charts_before, "a chart per tier is drawn")
    shot(page, "cfo-04-tier-sql-chart")

    # 5. churn this year: SQL again, never the overview
    churn = send(page, "How many accounts churned in 2026?")
    check(re.search(r"\bchurn", churn, re.I) and re.search(r"\d", churn), "churn count given")
    check("portfolio" not in churn.lower()[:80], "churn question is not the overview")

    # 6. revenue by region: a table for people
    region = send(page, "Show revenue by region")
    check(re.search(r"\$|USD", region), "region answer states the currency")
    check(re.search(r"20\d\d-\d\d|month|quarter", region, re.I), "region answer states the period")
    check("net_revenue" not in region, "labelled headers, not raw column names")

    # 7. a recommendation built from the thread
    plan = send(page, "What should we do about those?")
    check(plan.strip() != region.strip(), "the recommendation is not a repeat")
    check(re.search(r"owner|team|finance|billing|ops", plan, re.I), "actions name an owner")
    check(MONEY.search(plan), "actions carry dollars at stake")
    shot(page, "cfo-05-recommendation")

    # 8. three board bullets
    send(page, "Draft three board bullets")
    # Rendered Markdown lists lose their "-" markers in innerText: count the list items.
    n_bullets = page.locator(".ai-message").last.locator("li").count()
    check(n_bullets == 3, f"three board bullets, got {n_bullets}")

    # 9-10. a trend and its seasonality
    send(page, f"Show the revenue trend of {first}")
    season = send(page, "Is it really declining or just seasonality?")
    check(re.search(r"season", season, re.I), "the seasonality question is answered about it")
    check(
        re.search(r"strength|year earlier|a year ago|too short|months of history", season, re.I),
        "with the evidence (strength, same months a year earlier) or 'too short to tell'",
    )
    shot(page, "cfo-06-seasonality")

    # 11. upload + question: one scoring
    steps_before = page.locator("[id^='step-score_file']").count()
    before = ai_count(page)
    page.locator("#upload-button-input").set_input_files(str(SAMPLE_ACCOUNTS))
    page.get_by_text("sample_accounts.csv").first.wait_for(timeout=10_000)
    page.locator("#chat-input").fill("Which of these accounts has the biggest expected loss?")
    page.locator("#chat-input").press("Enter")
    page.wait_for_function("n => document.querySelectorAll('.ai-message').length > n", arg=before)
    link = page.get_by_role("link", name=re.compile(r"scored.*\.csv$", re.I))
    link.first.wait_for(timeout=120_000)
    wait_idle(page)
    shot(page, "cfo-07-upload")
    upload_answer = last_answer(page)
    scorings = page.locator("[id^='step-score_file']").count() - steps_before
    check(scorings == 1, f"question + file = one scoring, got {scorings}")
    check(link.count() == 1, f"one scored CSV offered, got {link.count()}")
    with page.expect_download() as download:
        link.first.click()
    rows = scored_rows(Path(download.value.path()).read_bytes())
    loss = column(rows, "expected")
    best = max(rows, key=lambda r: float(r[loss] or 0))
    check(len(rows) == 100, f"the scored file has 100 rows, got {len(rows)}")
    check(
        (ID.findall(upload_answer) or [""])[0] == best["account_id"],
        f"the biggest expected loss of the file is {best['account_id']}",
    )
    check("sample_accounts.csv" in upload_answer, "the answer names the file")
    check(re.search(r"\b100\b", upload_answer), "the answer names the row count")

    # 12-13. two follow-ups answered from the upload
    why_upload = send(
        page, "Of the uploaded accounts, which one has the biggest expected loss and why?"
    )
    probability = column(rows, "prob")
    shown_pct = f"{100 * float(best[probability]):.1f}%"
    check(best["account_id"] in why_upload, "follow-up names the upload's top account")
    check(
        shown_pct in why_upload,
        f"follow-up uses the upload's score {shown_pct}, not the warehouse's",
    )
    check(re.search(r"sample_accounts\.csv|upload", why_upload, re.I), "follow-up names the file")
    high = send(page, "Which of the uploaded accounts are high risk?")
    sample_ids = {r["account_id"] for r in rows}
    risk = column(rows, "risk")
    n_high = sum(r[risk] == "High" for r in rows)
    ids = set(ID.findall(high))
    check(ids and ids <= sample_ids, "high-risk follow-up lists only uploaded accounts")
    check(re.search(rf"\b{n_high}\b", high), f"it says how many are high risk ({n_high})")
    shot(page, "cfo-08-upload-follow-up")

    # 14. a question nothing maps to: say so, offer the nearest things as actions
    before_offers = offers(page)
    odd = send(page, "What's the weather in Paris tomorrow?")
    check("portfolio" not in odd.lower() or "can't" in odd.lower(), "no overview as fallback")
    check(
        re.search(r"can't|cannot|not able|don't know how|outside what I can", odd, re.I),
        "it says it cannot",
    )
    offered = offers(page) - before_offers
    check(2 <= offered <= 3, f"2-3 clickable suggestions besides export/score, got {offered}")
    shot(page, "cfo-09-unmappable")

    # 15. the overview: a complete breakdown
    overview = send(page, "How are we doing overall?")
    page.wait_for_timeout(800)
    body = page.locator("body").inner_text()
    check(all(t in body for t in truth["tiers"]), "the overview's breakdown shows every tier")
    check(not re.search(r"\d\.\d{5,}", overview), "no float noise in the overview")
    wide, shown = page.evaluate(
        "() => { const t = [...document.querySelectorAll('table')].pop();"
        " return [t.scrollWidth, t.clientWidth]; }"
    )
    check(wide <= shown, f"the overview table fits the chat ({wide} px wide in {shown} px)")
    shot(page, "cfo-10-overview")

    # 16. export: a report a CFO forwards
    export_checks(page, check, tmp)


def offers(page: Any) -> int:
    """Action buttons (Chainlit gives them the action's uuid as id) other than the two every
    answer carries (export, score a file)."""
    return int(
        page.evaluate(
            """() => [...document.querySelectorAll('button[id]')].filter(b =>
                /^[0-9a-f-]{36}$/.test(b.id) &&
                !['Export report', 'Score a file'].includes(b.innerText.trim())).length"""
        )
    )


def ranking_checks(text: str, truth: dict[str, Any], check: Checks, what: str) -> None:
    ids = ID.findall(text)
    check(len(set(ids)) >= 10, f"{what}: ten accounts named, got {len(set(ids))}")
    check(
        ids[:10] == truth["top10"],
        f"{what}: ranked by expected loss next month as the warehouse has it "
        f"({truth['top10'][:3]}…), got {ids[:3]}…",
    )
    check(re.search(r"ranked by expected loss", text, re.I), f"{what}: states its sort key")
    # First mention of each account: the ranked list (the artifact table below repeats it).
    first: dict[str, float] = {}
    for account, amount in numbers_after_ids(text):
        first.setdefault(account, amount)
    amounts = list(first.values())
    check(
        amounts and amounts == sorted(amounts, reverse=True),
        f"{what}: shows the number it ranked by, in order",
    )
    check(re.search(r"warehouse|as of", text, re.I), f"{what}: names its data source")
    check(not PATHLIKE.search(text) and "Traceback" not in text, f"{what}: no path/traceback")


def export_checks(page: Any, check: Checks, tmp: Path) -> None:
    before = ai_count(page)
    page.get_by_role("button", name="Export report").last.click()
    # The click is answered at once ("Building the report…"), then by the report or a reason.
    page.wait_for_function(
        "n => document.querySelectorAll('.ai-message').length > n", arg=before, timeout=30_000
    )
    html_link = page.get_by_role("link", name=re.compile(r"revrisk-report-.*\.html$")).first
    try:
        html_link.wait_for(timeout=60_000)
    except PlaywrightTimeout as timeout:
        shot(page, "cfo-99-export")
        said = last_answer(page)[:300]
        raise AssertionError(f"no report link; the export said: {said!r}") from timeout
    wait_idle(page)
    shot(page, "cfo-11-export")
    md_link = page.get_by_role("link", name=re.compile(r"revrisk-report-.*\.md$")).first
    with page.expect_download() as download:
        md_link.click()
    markdown = Path(download.value.path()).read_text()
    with page.expect_download() as download:
        html_link.click()
    report = tmp / "report.html"
    Path(download.value.path()).replace(report)
    html = report.read_text()
    size = report.stat().st_size
    check(size <= REPORT_MAX_BYTES, f"HTML report ≤ 2 MB, is {size:,} bytes")
    check(
        markdown.index("## Executive summary") < markdown.index("## Conversation"), "summary first"
    )
    summary = markdown.split("## Executive summary")[1].split("##")[0]
    n_lines = len([ln for ln in summary.splitlines() if ln.startswith("- ")])
    check(3 <= n_lines <= 5, f"3-5 summary lines, got {n_lines}")
    check("&amp;" not in markdown and "&lt;" not in markdown, "no HTML entities in the Markdown")
    check("## Appendix: tool calls and SQL" in markdown and "```sql" in markdown, "SQL appendix")
    for name, text in (("Markdown", markdown), ("HTML", html)):
        check(not PATHLIKE.search(text), f"no server path in the {name} report")
        check("Traceback" not in text, f"no traceback in the {name} report")
    check("thread" not in markdown.lower().split("---")[-1], "no internal thread id in the footer")
    check(html.count("<script") == 0, "the HTML report carries no script (charts are SVG)")
    viewer = page.context.browser.new_page()
    started = time.perf_counter()
    viewer.goto(report.as_uri(), wait_until="load")
    opened = time.perf_counter() - started
    print(f"HTML report {size:,} bytes, opened in {opened:.2f} s; Markdown {len(markdown):,} chars")
    check(opened <= REPORT_OPEN_S, f"the report opens in ≤ 2 s, took {opened:.2f} s")
    check(viewer.locator("li").count() >= 5, "lists render as lists")
    check(viewer.locator("svg").count() >= 1, "charts are drawn")
    shot(viewer, "cfo-12-report", full_page=False)
    viewer.close()
