"""A file attached the moment the chat page appears, in Chromium against `make run`.

Until the server has this chat's socket session, Chainlit's upload endpoint answers "Session not
found" and the composer shows "Failed to upload …" (a file picked) or drops it silently (a file
dropped). public/revrisk.js holds such files and hands them to the composer when the chat is
ready, as it holds a message typed too early. Each way in — the file picker and a drop on the
composer — attaches the reference sample as soon as the page has its composer, then sends
"score this file": the answer must be the batch scoring of that file. A question typed and sent
with Enter at once must be answered too (the hold that came first, for issue 12).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from reference_data import SAMPLE_ACCOUNTS
from support.browser import chromium, last_answer, require_chromium, shot, wait_idle
from support.make_run import SharedServer

from ui.server import RunningServer

pytestmark = [pytest.mark.integration, pytest.mark.browser]
require_chromium()

DROP = """([name, text]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type: "text/csv" }));
  const target = document.querySelector("#chat-input");
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


@pytest.fixture(scope="module")
def server(repo_server: SharedServer) -> RunningServer:
    """The shared `make run` server (tests/integration/conftest.py)."""
    return repo_server.server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


def attach_by_picker(page: Any) -> None:
    page.locator("#upload-button-input").wait_for(state="attached", timeout=10_000)
    page.locator("#upload-button-input").set_input_files(str(SAMPLE_ACCOUNTS))


def attach_by_drop(page: Any) -> None:
    page.locator("#chat-input").wait_for(state="attached", timeout=10_000)
    page.evaluate(DROP, [SAMPLE_ACCOUNTS.name, SAMPLE_ACCOUNTS.read_text()])


@pytest.mark.parametrize("attach", [attach_by_picker, attach_by_drop], ids=["picker", "drop"])
def test_a_file_attached_before_the_chat_is_ready_is_scored(
    server: RunningServer, browser: Any, attach: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(server.url, wait_until="commit")
        attach(page)  # at once: before on_chat_start has answered
        page.get_by_text(SAMPLE_ACCOUNTS.name).first.wait_for(timeout=15_000)
        page.wait_for_timeout(1_000)
        assert "Failed to upload" not in page.locator("body").inner_text()
        page.locator("#chat-input").fill("score this file")
        page.wait_for_function(  # the send button waits for the upload to finish
            "() => { const b = document.querySelector('#chat-submit'); return b && !b.disabled; }",
            timeout=30_000,
        )
        page.locator("#chat-input").press("Enter")
        page.wait_for_function("() => document.querySelectorAll('.ai-message').length > 0")
        wait_idle(page)
        answer = last_answer(page)
        assert answer.startswith(f"Batch scoring of {SAMPLE_ACCOUNTS.name}: 100 accounts"), answer
    except Exception:
        shot(page, f"early-input-99-{attach.__name__}")
        raise
    finally:
        page.close()


def test_a_question_sent_before_the_chat_is_ready_is_answered(
    server: RunningServer, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(server.url, wait_until="commit")
        page.locator("#chat-input").wait_for(state="visible", timeout=10_000)
        page.locator("#chat-input").fill("Which ten accounts are most at risk?")
        page.locator("#chat-input").press("Enter")  # at once: before on_chat_start has answered
        page.wait_for_function(
            "() => document.querySelectorAll('.ai-message').length > 0", timeout=30_000
        )
        wait_idle(page)
        assert "matching accounts" in last_answer(page), last_answer(page)
    except Exception:
        shot(page, "early-input-99-question")
        raise
    finally:
        page.close()
