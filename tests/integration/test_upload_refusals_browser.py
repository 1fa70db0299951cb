"""Refusals through the user's door, in Chromium (rt6 #2, #8, #12, #14): an empty file, a zip
with an unsafe member and an inverted pair of risk thresholds are each refused with a clear
message, never a silent failure, a server 500 or an answer that fails later; the text sent
with a refused Stripe export is not answered as a question. Screenshots:
artifacts/screenshots/refusal-*.png.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from support.browser import attach, chromium, last_answer, load, send, shot, wait_idle
from support.make_run import SharedServer

from data.build import build_demo_stripe
from data.imports.readers import EMPTY_FILE
from data.synth import WorldConfig
from ui import copy
from ui.server import RunningServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture(scope="module")
def server(repo_server: SharedServer) -> RunningServer:
    """The shared `make run` server (tests/integration/conftest.py)."""
    return repo_server.server


def test_refusals_are_told_not_crashed(
    server: RunningServer, repo_server: SharedServer, tmp_path: Path
) -> None:
    mark = repo_server.mark()
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    export = tmp_path / "export"
    build_demo_stripe(export, WorldConfig(n_accounts=20, seed=3))
    archive = tmp_path / "stripe_traversal.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(export.iterdir()):
            handle.write(path, path.name)
        handle.writestr("../../../../tmp/revrisk_rt6.txt", "x")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            load(page, server.url)
            send(page, "what can you do?")  # the socket session exists for uploads

            # rt6 #8: the importer's words in the upload toast, no 500 in the server log
            page.locator("#upload-button-input").set_input_files(str(empty))
            page.get_by_text(f"empty.csv: {EMPTY_FILE}").first.wait_for(timeout=15_000)
            shot(page, "refusal-01-empty-file")
            assert "Either path or content" not in repo_server.log_since(mark)
            assert "Traceback" not in repo_server.log_since(mark)
            # rt13 U-L4: "import this" sent after the refused file: told no file arrived and
            # what can be imported, not the off-topic refusal
            answered = send(page, "import this")
            assert answered.startswith(copy.NO_FILE_TO_IMPORT[:40]), answered[:300]
            assert "outside what I can help with" not in answered

            # rt6 #2 and #14: a typed refusal naming the zip and member; the text not answered
            attach(page, archive, "Which of these accounts are most at risk?")
            page.get_by_role("button", name="Import").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="Import").first.click()
            page.get_by_text(copy.STRIPE_REFUSED).first.wait_for(timeout=60_000)
            wait_idle(page)
            page.wait_for_timeout(2_000)  # an answer to the text would arrive now
            shot(page, "refusal-02-unsafe-zip")
            refused = last_answer(page)
            assert refused.startswith(copy.STRIPE_REFUSED), refused[:300]
            assert (
                "stripe_traversal.zip" in refused and "../../../../tmp/revrisk_rt6.txt" in refused
            )
            assert "outside what I can help with" not in page.locator("body").inner_text()
            assert "Traceback" not in repo_server.log_since(mark)

            # rt6 #12: High 0.05 with Medium 0.95 is refused when set, and answers still work
            page.locator("#chat-settings-open-modal").click()
            sliders = page.locator("[role=dialog] [role=slider]")
            sliders.nth(0).focus()
            page.keyboard.press("Home")  # High-risk threshold: 0.05
            sliders.nth(1).focus()
            page.keyboard.press("End")  # Medium-risk threshold: 0.95
            page.get_by_role("button", name="Confirm").click()
            page.get_by_text("Risk thresholds not changed").first.wait_for(timeout=30_000)
            shot(page, "refusal-03-thresholds")
            page.locator("#chat-settings-open-modal").click()  # the panel shows the kept pair
            assert sliders.nth(0).get_attribute("aria-valuenow") == "0.3"
            assert sliders.nth(1).get_attribute("aria-valuenow") == "0.1"
            page.keyboard.press("Escape")
            answer = send(page, "How are we doing overall?")
            assert "need 0 < medium < high" not in answer and "couldn't complete" not in answer
        except Exception:
            shot(page, "refusal-99-failure")
            raise
        finally:
            page.close()
