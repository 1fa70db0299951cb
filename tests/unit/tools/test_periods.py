"""Months and periods in the tools: filters agree with each other, a period overlapping the data
is clipped to it and says so, months wholly outside the data are refused naming the covered
range (small synthetic world, real caches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.periods import data_period
from tools.context import Context


@pytest.fixture(scope="module")
def covered(world: Path) -> tuple[str, str]:
    period = data_period(world)
    assert period.first_month is not None and period.last_month is not None
    return period.first_month, period.last_month


def _month_before(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year - (number == 1)}-{(number - 2) % 12 + 1:02d}"


def test_detect_leakage_periods_add_up(world: Path, call, covered) -> None:  # type: ignore[no-untyped-def]
    context = Context(db_path=str(world))
    last = covered[1]
    before = _month_before(last)
    months = [call("detect_leakage", {"month": m}, context)[0]["summary"] for m in (before, last)]
    both = call("detect_leakage", {"since": before, "until": last}, context)[0]["summary"]
    assert both["period"] == f"{before} to {last}"
    assert both["n_findings"] == sum(m["n_findings"] for m in months)
    assert both["total_amount"] == pytest.approx(sum(m["total_amount"] for m in months), abs=0.02)
    assert months[1]["period"] == last and months[1]["latest_month"] == last
    everything = call("detect_leakage", {}, context)[0]["summary"]
    since = call("detect_leakage", {"since": covered[0]}, context)[0]["summary"]
    assert everything["period"] == "all months" and since["period"] == f"{covered[0]} onwards"
    assert since["n_findings"] == everything["n_findings"]


def test_a_detected_leakage_answer_names_its_months(world: Path, call, covered) -> None:  # type: ignore[no-untyped-def]
    """rt10 N-L1: "how much did failed payments cost us last quarter?" gave the right figures,
    but the answer never said which months they cover (only the tool argument did)."""
    import json

    from agent.offline import narrate

    last = covered[1]
    before = _month_before(last)
    context = Context(db_path=str(world))
    content, _ = call("detect_leakage", {"since": before, "until": last}, context)
    answer = narrate("detect_leakage", json.dumps(content))
    assert answer.startswith(f"**Leaking now (detected, exact), all types, {before} to {last}**")


def test_portfolio_summary_month_is_that_months_detected_leakage(  # type: ignore[no-untyped-def]
    world: Path, call, covered
) -> None:
    context = Context(db_path=str(world))
    before = _month_before(covered[1])
    latest = call("portfolio_summary", {}, context)[0]["summary"]
    earlier = call("portfolio_summary", {"month": before}, context)[0]["summary"]
    detected = call("detect_leakage", {"month": before}, context)[0]["summary"]
    assert latest["detected_month"] == covered[1] and earlier["detected_month"] == before
    assert earlier["detected_leakage"] == pytest.approx(detected["total_amount"], abs=0.02)
    # predictions do not move with the month
    assert earlier["expected_loss"] == latest["expected_loss"]


@pytest.mark.parametrize(
    "args",
    [
        {"month": "2099-01"},
        {"since": "2099-01"},
        {"until": "1999-12"},
        {"since": "1999-01", "until": "1999-12"},
        {"since": "2099-01", "until": "2099-12"},
    ],
)
def test_months_outside_the_data_are_refused(world: Path, call, covered, args) -> None:  # type: ignore[no-untyped-def]
    content, artifact = call("detect_leakage", args, Context(db_path=str(world)))
    assert content["error"] == "invalid_request"
    assert f"covers {covered[0]} to {covered[1]}" in content["message"]
    assert artifact["kind"] == "error"
    content, _ = call("portfolio_summary", {"month": "2099-01"}, Context(db_path=str(world)))
    assert "outside the data" in content["message"]


@pytest.mark.parametrize(
    "args", [{"since": "1999-01"}, {"until": "2099-12"}, {"since": "1999-01", "until": "2099-12"}]
)
def test_a_period_overlapping_the_data_is_clipped_to_it(  # type: ignore[no-untyped-def]
    world: Path, call, covered, args
) -> None:
    """rt8 D22: "leakage in 2026" was refused because 2026-12 is after the data's last month."""
    context = Context(db_path=str(world))
    content, _ = call("detect_leakage", args, context)
    everything = call("detect_leakage", {}, context)[0]["summary"]
    assert content["summary"]["n_findings"] == everything["n_findings"]
    low = covered[0] if "since" in args else None
    high = covered[1] if "until" in args else None
    words = {(low, None): f"{low} onwards", (None, high): f"up to {high}"}
    assert content["summary"]["period"] == words.get((low, high), f"{low} to {high}")
