"""`services.refresh.refresh_caches` on a warehouse too short to train the leakage model.

A six-month book (a new Stripe account, say) cannot give the leakage model's time split, but
its trends can be computed: before, the leakage failure skipped the trends too, and every
reader said "run `revrisk refresh`", which fails the same way (red team defect 5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data.build import build_demo_warehouse
from data.synth import WorldConfig
from data.warehouse import CachesNotBuiltError
from services.leakage import service as leakage
from services.refresh import PartialRefreshError, refresh_caches
from services.trends import service as trends


@pytest.fixture(scope="module")
def short_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("short") / "six_months.duckdb"
    build_demo_warehouse(path, WorldConfig(n_accounts=60, n_months=6, seed=5))
    with pytest.raises(PartialRefreshError, match="need at least 7 months"):
        refresh_caches(path)
    return path


def test_the_trends_of_a_short_book_are_computed(short_book: Path) -> None:
    assert sum(trends.decline_level_counts(short_book).by_label.values()) > 0


def test_leakage_readers_name_the_reason_not_a_command_that_would_fail(short_book: Path) -> None:
    with pytest.raises(CachesNotBuiltError) as caught:
        leakage.score_leakage(short_book)
    message = str(caught.value)
    assert "need at least 7 months of usage" in message and "revrisk refresh" not in message


def test_the_leakage_detected_in_a_short_book_is_still_reported(short_book: Path) -> None:
    """Detection reads invoices, not the model: a book too short to train on still has its
    findings (rt12 T-M7), the same as the detectors give when run afresh."""
    cached = leakage.detect_leakage(short_book, top_n=None)
    afresh = leakage.run_detectors(short_book)
    assert cached.summary["n_findings"] == afresh.summary["n_findings"] > 0
    assert cached.summary["total_amount"] == afresh.summary["total_amount"]
