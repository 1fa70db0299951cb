"""A Stripe export without its meter files still gets the leakage its invoices show (rt14 V-H1).

The tester removed `billing_meters.jsonl` and `meter_event_summaries.jsonl` from a demo
export: the import reported "$0.00 of leakage (0 findings)" although 14 invoices were never
paid, because the billing ledger the detectors read was built from usage months only. The
checks that read only invoices, payments and contracts must find exactly what they find on the
same export with meters; the two that need seats in use must say they could not run. Truths
are read with SQL from the warehouses themselves.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from agent.offline.narratives import narrate
from analytics.reconcile import USAGE_DETECTORS
from cli.main import app
from data.build import build_demo_stripe
from data.imports.stripe import import_stripe
from data.synth import WorldConfig
from services.leakage import service as leakage
from services.refresh import PartialRefreshError, refresh_caches
from tools.context import Context
from ui.stripe_upload import import_into_session

from .conftest import ToolCall

METERS = ("billing_meters.jsonl", "meter_event_summaries.jsonl", "revrisk_leakage_events.jsonl")
KEY = ["account_id", "month", "leakage_type"]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the export with meters, the same export without them)."""
    folder = tmp_path_factory.mktemp("nomet")
    full = folder / "full"
    build_demo_stripe(full, WorldConfig(n_accounts=60, seed=5))
    bare = folder / "bare"
    shutil.copytree(full, bare)
    for name in METERS:
        (bare / name).unlink()
    return full, bare


@pytest.fixture(scope="module")
def refreshed(
    exports: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The export without meters imported and refreshed, and what the refresh said."""
    path = tmp_path_factory.mktemp("bare_book") / "stripe.duckdb"
    import_stripe(exports[1], path)
    with pytest.raises(PartialRefreshError) as refused:  # no usage: no risk scores
        refresh_caches(path)
    return path, str(refused.value)


@pytest.fixture(scope="module")
def bare_book(refreshed: tuple[Path, str]) -> Path:
    return refreshed[0]


def test_the_refresh_says_only_the_scores_are_missing(refreshed: tuple[Path, str]) -> None:
    said = refreshed[1]
    assert said.startswith("risk scores not computed (scores need at least 7 months of usage")
    assert said.endswith("leakage findings and trend figures computed")


@pytest.fixture(scope="module")
def full_book(exports: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("full_book") / "stripe.duckdb"
    import_stripe(exports[0], path)
    return path


def _findings(detection: leakage.Detection) -> pd.DataFrame:
    table = detection.table.assign(month=pd.to_datetime(detection.table["month"]))
    return table[[*KEY, "amount"]].sort_values(KEY, ignore_index=True)


def test_the_checks_without_usage_find_what_they_find_with_meters(
    full_book: Path, bare_book: Path
) -> None:
    with_meters = _findings(leakage.run_detectors(full_book, top_n=None))
    expected = with_meters[~with_meters["leakage_type"].isin(USAGE_DETECTORS)]
    assert set(with_meters["leakage_type"]) & set(USAGE_DETECTORS)  # the world exercises both
    assert len(expected) > 0
    cached = _findings(leakage.detect_leakage(bare_book, top_n=None))
    pd.testing.assert_frame_equal(cached, expected.reset_index(drop=True), check_dtype=False)


def test_every_unpaid_invoice_with_failed_attempts_is_a_finding(bare_book: Path) -> None:
    with duckdb.connect(str(bare_book), read_only=True) as con:
        ((n_unpaid, outstanding),) = con.execute(
            "SELECT count(*), sum(i.total - p.paid)::DOUBLE FROM invoices i JOIN ("
            "  SELECT invoice_id, count(*) FILTER (WHERE status = 'failed') AS failed,"
            "         coalesce(sum(amount) FILTER (WHERE status = 'succeeded'), 0) AS paid"
            "  FROM payments GROUP BY 1) p USING (invoice_id)"
            " WHERE p.failed > 0 AND i.total > p.paid AND i.total > 0"
        ).fetchall()
        ((n_found, found),) = con.execute(
            "SELECT count(*), sum(amount)::DOUBLE FROM detected_leakage WHERE leakage_type IN "
            "('Failed_Payment_Retry', 'Expired_Payment_Method')"
        ).fetchall()
    assert n_unpaid > 0
    assert (n_found, round(found or 0, 2)) == (n_unpaid, round(outstanding, 2))


def test_the_answer_says_which_checks_could_not_run(bare_book: Path, call: ToolCall) -> None:
    content, _ = call("detect_leakage", {}, Context(db_path=str(bare_book)))
    assert content["summary"]["n_findings"] > 0
    text = narrate("detect_leakage", json.dumps(content))
    assert "Not checked for lack of usage data" in text
    for kind in USAGE_DETECTORS:
        assert kind in text
    only_payments, _ = call(
        "detect_leakage", {"leakage_type": "Failed_Payment_Retry"}, Context(db_path=str(bare_book))
    )
    assert "message" not in only_payments  # a check that ran needs no caveat


def test_the_cli_detect_says_so_too(bare_book: Path) -> None:
    result = CliRunner().invoke(app, ["detect", "--db", str(bare_book), "--top", "1"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert not text.startswith("0 findings") and "Not checked for lack of usage data" in text


def test_an_export_with_meters_has_no_such_caveat(full_book: Path) -> None:
    assert leakage.run_detectors(full_book).summary["not_checked"] is None


def test_the_chat_import_says_the_findings_were_computed(
    exports: tuple[Path, Path], tmp_path: Path
) -> None:
    outcome = import_into_session(exports[1], tmp_path)
    assert "**Computed:** leakage findings" in outcome.summary
    assert "Not computed:** leakage findings" not in outcome.summary
    with duckdb.connect(str(outcome.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM detected_leakage").fetchall()[0][0] > 0
