"""A Stripe export dropped in the chat: recognised, imported into the session's own warehouse."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from data.build import build_demo_stripe
from data.synth import WorldConfig
from data.warehouse import connect
from ui import stripe_upload
from ui.stripe_upload import import_into_session, looks_like_stripe, stage_stripe


@pytest.fixture(scope="module")
def export_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "stripe"
    build_demo_stripe(folder, WorldConfig(n_accounts=60, seed=5), engagement=True)
    archive = folder.parent / "stripe-export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in folder.iterdir():
            handle.write(path, f"export/{path.name}")
    return archive


def test_only_stripe_shaped_uploads_are_taken_for_an_import() -> None:
    assert looks_like_stripe(["customers.jsonl", "invoices.jsonl"])
    assert looks_like_stripe(["charges.csv"])
    assert not looks_like_stripe(["accounts.csv", "Q3 accounts.xlsx"])


def test_a_dropped_zip_becomes_the_session_s_warehouse(export_zip: Path, tmp_path: Path) -> None:
    source = stage_stripe([(export_zip, "stripe-export.zip")], tmp_path)
    outcome = import_into_session(source, tmp_path)
    assert outcome.db_path == tmp_path / "stripe.duckdb"
    assert "accounts: 60" in outcome.text
    with connect(outcome.db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM accounts").fetchall()[0][0] == 60
        assert con.execute("SELECT count(*) FROM leakage_scores").fetchall()[0][0] > 0


def test_without_engagement_meters_the_import_stands_and_says_why_nothing_is_scored(
    tmp_path: Path,
) -> None:
    """Stripe holds billable usage only: with no login data the model cannot score, but the
    data is imported and the reason shown."""
    folder = tmp_path / "seats-only"
    build_demo_stripe(folder, WorldConfig(n_accounts=30, seed=5))
    outcome = import_into_session(folder, tmp_path)
    assert outcome.db_path is not None
    assert "caches not refreshed" in outcome.text


def test_a_refused_upload_leaves_no_warehouse(tmp_path: Path) -> None:
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "customers.jsonl").write_text(json.dumps({"id": "cus_1", "object": "customer"}) + "\n")
    source = stage_stripe([(bad / "customers.jsonl", "customers.jsonl")], tmp_path)
    outcome = import_into_session(source, tmp_path)
    assert outcome.db_path is None
    assert "customers.jsonl, line 1, column 'created'" in outcome.text
    assert not (tmp_path / "stripe.duckdb").exists()


def test_a_zip_with_an_unsafe_member_is_refused_in_words_naming_zip_and_member(
    export_zip: Path, tmp_path: Path
) -> None:
    """rt6 #2: the ValueError escaped and the chat answered nothing."""
    unsafe = tmp_path / "in" / "stripe_traversal.zip"
    unsafe.parent.mkdir()
    shutil.copy(export_zip, unsafe)
    with zipfile.ZipFile(unsafe, "a") as handle:
        handle.writestr("../../../../tmp/revrisk_pwned.txt", "x")
    source = stage_stripe([(unsafe, "stripe_traversal.zip")], tmp_path)
    outcome = import_into_session(source, tmp_path)
    assert outcome.db_path is None and not (tmp_path / "stripe.duckdb").exists()
    assert outcome.text.startswith("stripe_traversal.zip: 1 problem(s)")
    assert "unsafe path in the zip: '../../../../tmp/revrisk_pwned.txt'" in outcome.text


def test_an_unexpected_failure_is_still_answered_without_a_traceback(
    export_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire at /srv/secret/place")

    monkeypatch.setattr(stripe_upload, "import_stripe", broken)
    source = stage_stripe([(export_zip, "stripe-export.zip")], tmp_path)
    outcome = import_into_session(source, tmp_path)
    assert outcome.db_path is None
    assert outcome.text.startswith("stripe-export.zip: the import failed (disk on fire at")
    assert "/srv/" not in outcome.text and "Traceback" not in outcome.text
    assert "RuntimeError" not in outcome.text  # words, never a Python class (rt8 D16)


def test_the_chat_gets_a_cfo_summary_and_keeps_the_full_report_aside(
    export_zip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt12 T-L16: the chat showed the developer report ("leakage_events (ground truth, for
    --evaluate): 44", "fields not used …"). It now says what was imported, computed and not
    used, in words, and the full report is a side element."""
    import asyncio
    from types import SimpleNamespace
    from typing import Any

    from ui import chat, copy

    source = stage_stripe([(export_zip, "stripe-export.zip")], tmp_path)
    outcome = import_into_session(source, tmp_path)
    assert "accounts: 60" in outcome.text  # the full report is unchanged
    summary = outcome.summary
    assert "60 customers" in summary and "stripe-export.zip" in summary, summary
    assert "**Computed:**" in summary and "labelled leakage events" in summary, summary
    for developer in ("ground truth", "--evaluate", "fields not used", "leakage_events", "  "):
        assert developer not in summary, (developer, summary)
    assert str(tmp_path) not in summary

    sent: list[tuple[str, list[Any]]] = []

    class Message:
        def __init__(self, content: str = "", elements: list[Any] | None = None, **_: Any):
            self.content, self.elements = content, elements or []

        async def send(self) -> Message:
            sent.append((self.content, self.elements))
            return self

    def text(**kwargs: Any) -> SimpleNamespace:
        return SimpleNamespace(**kwargs)

    session = chat.SessionState()
    monkeypatch.setattr(chat, "cl", SimpleNamespace(Message=Message, Text=text))
    monkeypatch.setattr(chat, "state", lambda: session)
    assert asyncio.run(chat._show_import(outcome, copy.STRIPE_IMPORTED, copy.STRIPE_REFUSED))
    ((content, elements),) = sent
    assert content.startswith(copy.STRIPE_IMPORTED) and "60 customers" in content
    assert "leakage_events" not in content and "fields not used" not in content
    assert copy.IMPORT_DETAILS in content
    (details,) = elements
    assert details.name == copy.IMPORT_DETAILS and details.display == "side"
    assert "accounts: 60" in details.content and "fields not used" in details.content
