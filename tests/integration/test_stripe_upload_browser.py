"""Issue 15, item 6, through the user's door: a Stripe export dropped in the chat, in Chromium.

The server runs `make run`'s own commands from the repository root (`support.make_run`), as in
the CFO session. A finance lead who has asked one question drops a zip of a Stripe export with
"Import my Stripe export", confirms, and asks who is most at risk: the answer must come from
the session's new warehouse (its own `leakage_scores`), and the import request itself must not
be answered as an out-of-scope question, and the "Synthetic demo data" badge must go once the
session's data is the user's own. A single JSON Lines file (which Chromium gives no
MIME type) must attach too. Screenshots: artifacts/screenshots/stripe-*.png.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from support.browser import chromium, last_answer, load, send, shot, wait_idle
from support.make_run import REPO, SharedServer

from data.build import build_demo_stripe
from data.synth import WorldConfig
from ui.server import RunningServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]

N_ACCOUNTS = 150


@pytest.fixture(scope="module")
def server(repo_server: SharedServer) -> RunningServer:
    """The shared `make run` server (tests/integration/conftest.py)."""
    return repo_server.server


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stripe") / "acme-stripe"
    build_demo_stripe(folder, WorldConfig(n_accounts=N_ACCOUNTS, seed=3), engagement=True)
    return folder


def scored_accounts(db: Path, retries: int = 20) -> int:
    for attempt in range(retries):
        try:
            with duckdb.connect(str(db), read_only=True) as con:
                return int(con.execute("SELECT count(*) FROM leakage_scores").fetchone()[0])
        except duckdb.IOException:  # the server may hold the file a moment longer
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError("session warehouse stayed locked")


def test_a_dropped_stripe_zip_answers_from_the_imported_data(
    server: RunningServer, export: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "acme-stripe.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(export.iterdir()):
            handle.write(path, f"acme-stripe/{path.name}")
    started = time.time()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            load(page, server.url)
            send(page, "what can you do?")  # a reply: the socket session exists for uploads
            assert page.locator("#rr-demo-badge").count() == 1  # the shared demo warehouse
            page.locator("#upload-button-input").set_input_files(str(archive))
            page.get_by_text(archive.name).first.wait_for(timeout=10_000)
            page.locator("#chat-input").fill("Import my Stripe export")
            page.wait_for_function(  # the send button waits for the upload to finish
                "() => { const b = document.querySelector('#chat-submit'); return b && !b.disabled; }",
                timeout=30_000,
            )
            page.locator("#chat-input").press("Enter")
            page.get_by_role("button", name="Import").first.wait_for(timeout=60_000)
            shot(page, "stripe-01-confirm")
            page.get_by_role("button", name="Import").first.click()
            page.get_by_text(re.compile(r"^Imported\.")).first.wait_for(timeout=180_000)
            wait_idle(page)
            shot(page, "stripe-02-imported")
            imported = last_answer(page)
            assert imported.startswith("Imported."), imported[:300]  # nothing answered after it
            assert f"{N_ACCOUNTS} customers" in imported  # the summary counts in words (T-L16)
            assert page.locator("#rr-demo-badge").count() == 0  # its own data now, not the demo

            answer = send(page, "Which accounts are most at risk of leaking revenue next month?")
            shot(page, "stripe-03-answer")
            databases = [
                p for p in (REPO / "var").rglob("stripe.duckdb") if p.stat().st_mtime >= started
            ]
            assert len(databases) == 1, databases
            n_scored = scored_accounts(databases[0])
            found = re.search(r"matching accounts: ([\d,]+)", answer)
            assert found and int(found.group(1).replace(",", "")) == n_scored, answer[:300]
            assert not re.search(r"/(?:tmp|work|root|home|srv)/", page.locator("body").inner_text())

            # a JSON Lines file alone: the browser gives it no MIME type; it must still attach
            page.locator("#upload-button-input").set_input_files(str(export / "customers.jsonl"))
            page.get_by_text("customers.jsonl").first.wait_for(timeout=10_000)
            page.wait_for_timeout(1_000)
            assert "Failed to upload" not in page.locator("body").inner_text()
        except Exception:
            shot(page, "stripe-99-failure")
            raise
        finally:
            page.close()
