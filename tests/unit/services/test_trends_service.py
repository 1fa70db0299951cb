"""Trend service: the cache lifecycle, fast reads, questions the tools ask, file input."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from reference_data import RETAIL_PIVOT

from data.imports import ImportValidationError
from data.imports.loaders import import_file
from data.warehouse import bump_data_version, connect, get_meta
from services.trends import store as trend_store
from services.trends.input import read_revenue_file, warehouse_revenue
from services.trends.reports import evaluate_trends, output_table, write_output
from services.trends.service import (
    UnknownCustomerError,
    analyse_revenue,
    customer_metrics,
    customer_trend,
    find_declining,
    find_declining_in,
    forecast_warning,
    list_segments,
    refresh_trend_cache,
    segment_report,
)

RETAIL = RETAIL_PIVOT


@pytest.fixture(scope="module")
def world(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the small synthetic world with a fresh trend cache."""
    path = tmp_path_factory.mktemp("trends") / "world.duckdb"
    shutil.copy(small_world, path)
    refresh_trend_cache(path)
    return path


def test_cache_is_built_once_and_rebuilt_after_a_data_change(
    small_world: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    first = refresh_trend_cache(db)
    assert first.refreshed and first.n_customers == 300
    assert not refresh_trend_cache(db).refreshed
    with connect(db) as con:
        version = bump_data_version(con)
        assert not trend_store.is_fresh(con)
    customer_metrics(db, "ACC000001")  # a read answers from the last cache and writes nothing
    with connect(db, read_only=True) as con:
        assert not trend_store.is_fresh(con)
    assert refresh_trend_cache(db).refreshed  # the writer rebuilds it
    with connect(db, read_only=True) as con:
        assert get_meta(con, trend_store.VERSION_KEY) == f"{version}/{trend_store.METHOD_VERSION}"
        assert con.execute("SELECT count(*) FROM trend_series").fetchone()[0] > 300 * 3


def test_one_customer_is_served_from_the_cache_in_50_ms(world: Path) -> None:
    customer_metrics(world, "ACC000007")  # warm imports
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        customer_metrics(world, "ACC000007")
        timings.append(time.perf_counter() - started)
    # Best of 15: the cost of the read itself, not of whatever else shares the machine.
    if min(timings) > 0.050 and os.getloadavg()[0] > (os.cpu_count() or 1):
        pytest.skip(f"machine overloaded (load {os.getloadavg()[0]:.1f}); timing meaningless")
    assert min(timings) <= 0.050, timings


def test_unknown_customer_raises_with_close_matches(world: Path) -> None:
    with pytest.raises(UnknownCustomerError) as caught:
        customer_metrics(world, "ACC00007")
    assert caught.value.suggestions and all(s.startswith("ACC") for s in caught.value.suggestions)
    assert caught.value.value == "ACC00007"
    assert "Did you mean" in str(caught.value)


def test_customer_trend_series_agrees_with_its_metrics(world: Path) -> None:
    declining = find_declining(world, top_n=300).table
    customer = str(declining.loc[declining["status"] == "ok", "customer_id"].iloc[0])
    detail = customer_trend(world, customer)
    assert len(detail.series) == detail.metrics["months_observed"]
    assert int(detail.series["is_anomaly"].sum()) == detail.metrics["n_anomalies"]
    assert {"revenue", "trend", "seasonal", "moving_avg_3", "resid_z", "stl_trend"} <= set(
        detail.series.columns
    )
    if len(detail.series) >= 24:
        assert detail.series["stl_trend"].notna().all()
    summary = detail.summary()
    assert summary["decline_level"] >= 1 and summary["monthly_change"] == detail.metrics["slope"]


def test_find_declining_filters_and_orders(world: Path) -> None:
    found = find_declining(world, top_n=100)
    everyone = found.table
    assert (everyone["decline_level"] >= 1).all()
    levels = everyone["decline_level"].to_numpy()
    assert np.all(np.diff(levels) <= 0)  # sharpest first
    sharp = find_declining(world, decline_level=3, segment_id=0, top_n=5).table
    assert len(sharp) <= 5 and (sharp["decline_level"] == 3).all()
    assert (sharp["segment_id"] == 0).all()
    assert sharp["revenue_mean"].is_monotonic_decreasing


def test_find_declining_in_sql_agrees_with_the_in_memory_scan(world: Path) -> None:
    """The SQL path (filter, order, count in DuckDB) returns what `find_declining_in` computes
    on the whole metrics table, and counts every match, not just the rows shown."""
    from data.warehouse import connect
    from services.trends.service import decline_level_counts, find_declining_in
    from services.trends.store import read_metrics

    with connect(world, read_only=True) as con:
        metrics = read_metrics(con)
    for level, segment in ((None, None), (3, None), (1, 0), (0, None)):
        found = find_declining(world, decline_level=level, segment_id=segment, top_n=7)
        expected = find_declining_in(metrics, level, segment, top_n=len(metrics))
        assert found.n_customers == len(expected)
        assert found.table["customer_id"].tolist() == expected["customer_id"].head(7).tolist()
        assert found.total_monthly_revenue == pytest.approx(
            expected["revenue_mean"].fillna(0).sum()
        )
    counts = decline_level_counts(world)
    assert sum(counts.by_label.values()) == len(metrics)
    assert (
        counts.by_label["decline very likely"] == find_declining(world, decline_level=3).n_customers
    )
    assert counts.declining == find_declining(world).n_customers


def test_segments_overview_and_report(world: Path) -> None:
    overview = list_segments(world)
    assert overview.k == len(overview.segments) >= 2
    assert overview.stability_ari is not None and overview.silhouette is not None
    assert overview.segments["label"].is_unique
    assert overview.segments["n_customers"].sum() > 200
    report = segment_report(world, 0)
    assert report.label == overview.segments["label"].iloc[0]
    assert report.stats["n_customers"] == overview.segments["n_customers"].iloc[0]
    only_3 = segment_report(world, 0, decline_level=3)
    assert (only_3.customers["decline_level"] == 3).all()
    top = segment_report(world, 0, limit=7)  # the top-N in SQL: the same first rows, all counted
    pd.testing.assert_frame_equal(top.customers, report.customers.head(7))
    assert top.stats["n_customers"] == len(report.customers) > 7
    with pytest.raises(ValueError, match="no segment 99"):
        segment_report(world, 99)


def test_evaluation_is_shaped_as_the_issue_asks(world: Path) -> None:
    scores = evaluate_trends(world)
    for task in ("decline", "anomaly"):
        assert set(scores[task]) >= {"precision", "recall", "f1"}
        assert 0 <= scores[task]["f1"] <= 1
    assert scores["n_accounts"] == 300


def test_warehouse_revenue_fills_missing_months_with_zero(world: Path) -> None:
    with connect(world, read_only=True) as con:
        wide = warehouse_revenue(con)
        n_rows = con.execute("SELECT count(*) FROM monthly_revenue").fetchone()[0]
    assert wide.shape == (300, 24) and list(wide.columns)[-1] == "2026-10"
    assert (wide != 0).to_numpy().sum() <= n_rows


def test_pivot_and_long_files_read_alike(tmp_path: Path) -> None:
    pivot = pd.DataFrame(
        {"CustomerID": [1, 2], "2024-01": [10.0, 0.0], "2024-02": [0.0, 5.0], "2024-04": [3, 1]}
    )
    pivot.to_csv(tmp_path / "pivot.csv", index=False)
    long = pd.DataFrame(
        {
            "Customer": ["1", "1", "2", "2"],
            "Month": ["2024-01", "2024-04-01", "2024-02-01", "2024-04"],
            "Revenue": [10.0, 3.0, 5.0, 1.0],
        }
    )
    long.to_parquet(tmp_path / "long.parquet")
    long.to_excel(tmp_path / "long.xlsx", index=False)
    expected = read_revenue_file(tmp_path / "pivot.csv")
    assert list(expected.columns) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert expected.loc["2", "2024-03"] == 0.0
    for name in ("long.parquet", "long.xlsx"):
        pd.testing.assert_frame_equal(read_revenue_file(tmp_path / name), expected)
    (tmp_path / "bad.csv").write_text("who,when,what\nC1,January,3\n")
    with pytest.raises(ImportValidationError, match="customer_id"):
        read_revenue_file(tmp_path / "bad.csv")


def test_a_revenue_file_is_read_with_the_importers_reader_and_checks(tmp_path: Path) -> None:
    """rt8 D14: a title row above the header, a Total row and a bad cell are handled as
    `revrisk import` handles them, not by a reader of their own."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ACME Corp: monthly revenue by customer (USD)"])
    sheet.append([])
    sheet.append(["Customer ID", "2024-01", "2024-02", "Notes"])
    sheet.append(["C1", 10.0, 12.0, "ok"])
    sheet.append(["C2", 5.0, 4.0, "ok"])
    sheet.append(["C3", 1.0, 1.0, ""])
    sheet.append(["Total", 16.0, 17.0, ""])
    book.save(tmp_path / "titled.xlsx")
    wide = read_revenue_file(tmp_path / "titled.xlsx")
    assert wide.index.tolist() == ["C1", "C2", "C3"]
    assert wide.to_numpy().tolist() == [[10.0, 12.0], [5.0, 4.0], [1.0, 1.0]]
    euro = "customer;month;revenue\nC1;31/01/2024;10,00 €\nC1;29/02/2024;1.012,00 €\n"
    (tmp_path / "euro.csv").write_text(euro)
    assert read_revenue_file(tmp_path / "euro.csv").to_numpy().tolist() == [[10.0, 1012.0]]
    sheet.cell(row=5, column=3, value="n/a!")
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ImportValidationError) as caught:
        read_revenue_file(tmp_path / "bad.xlsx")
    [problem] = caught.value.report.problems
    assert (problem.row, problem.column, problem.value) == (5, "2024-02", "n/a!")


@pytest.mark.skipif(not RETAIL.exists(), reason="shared reference data not present")
def test_retail_partial_month_and_until() -> None:
    revenue = read_revenue_file(RETAIL)
    whole = analyse_revenue(revenue)
    assert str(whole.scan.partial_month) == "2011-12"
    cut = analyse_revenue(revenue, until="2011-08")
    assert cut.scan.partial_month is None and str(cut.scan.months[-1]) == "2011-08"
    assert len(cut.metrics) == 4372
    table = output_table(cut.metrics).set_index("customer_id")
    assert list(table.columns[:3]) == ["status", "decline_probability", "decline_level"]
    assert "segment_id" in table.columns
    # Every customer with revenue up to 2011-08 is scored, unless it had none over the six
    # baseline months (churned: a status, never a probability).
    seen = revenue.loc[:, :"2011-08"].round(2)
    has_revenue = (seen > 0).any(axis=1)
    silent = ~(seen.iloc[:, -6:].sum(axis=1) > 0)
    scored = table["decline_probability"].notna()
    assert (scored == (has_revenue & ~silent)).all()
    assert (table.loc[has_revenue & silent, "status"] == "churned").all()
    assert table.loc[scored, "decline_probability"].between(0, 1).all()
    with pytest.raises(ValueError, match="outside the data"):
        analyse_revenue(revenue, until="2012-03")


def test_outputs_in_three_formats(world: Path, tmp_path: Path) -> None:
    with connect(world, read_only=True) as con:
        table = output_table(trend_store.read_metrics(con))
    for suffix in ("csv", "xlsx", "parquet"):
        path = write_output(table, tmp_path / f"flags.{suffix}")
        back = (
            pd.read_csv(path)
            if suffix == "csv"
            else (pd.read_excel(path) if suffix == "xlsx" else pd.read_parquet(path))
        )
        assert len(back) == 300 and back.columns[0] == "customer_id"
    with pytest.raises(ValueError, match="unsupported"):
        write_output(table, tmp_path / "flags.json")


@pytest.mark.skipif(not RETAIL.exists(), reason="shared reference data not present")
def test_backtest_on_retail_levels_are_predictive() -> None:
    """Flags from months <= T; outcome in T+1..T+3 (see analytics.trends.backtest)."""
    from analytics.trends.backtest import backtest_outcomes, summarise_backtest

    revenue = read_revenue_file(RETAIL).iloc[:, :-1]  # 2011-12 is partial
    outcomes = backtest_outcomes(revenue, ["2011-05", "2011-06", "2011-07", "2011-08"])
    table = summarise_backtest(outcomes, "lost_vs_run_rate").set_index("decline_level")
    assert table.loc[3, "n_customers"] >= 100
    assert table.loc[3, "ci_low"] > table.loc[0, "ci_high"]  # level 3 loses revenue more often


def test_evaluation_refuses_a_truth_table_from_an_older_demo(world: Path, tmp_path: Path) -> None:
    """A warehouse whose decline_truth predates `p_halved`/`halved` gets a clear error, not a
    DuckDB binder error."""

    from services.trends import OutdatedTruthError, forward_evaluation

    old = tmp_path / "old.duckdb"
    shutil.copy(world, old)
    with connect(old) as con:
        con.execute("ALTER TABLE decline_truth DROP COLUMN p_halved")
    with pytest.raises(OutdatedTruthError, match="rebuild"):
        forward_evaluation(old)


def _steady_book(n_customers: int, n_months: int, n_falls: int) -> pd.DataFrame:
    """Subscriptions billed every month with 5 % noise; `n_falls` of them halve once."""
    rng = np.random.default_rng(3)
    level = rng.gamma(2.0, 500.0, size=(n_customers, 1))
    values = level * rng.normal(1.0, 0.05, size=(n_customers, n_months))
    for row in range(n_falls):
        values[row, 4 + row % (n_months - 5) :] *= 0.3
    months = pd.period_range("2025-11", periods=n_months, freq="M").astype(str)
    return pd.DataFrame(
        values.round(2), index=[f"C{i:03d}" for i in range(n_customers)], columns=months
    )


def test_a_forecast_learned_from_few_declines_says_so() -> None:
    """rt6 #6: an 80-account, 12-month book ranked an account that stopped paying below a $48
    one, with no caveat. A forecast learned from fewer than 10 declines per feature now opens
    every decline answer with the count (services.trends.forecast_warning)."""
    thin = analyse_revenue(_steady_book(80, 12, 6))
    info = thin.forecast_info()
    assert info["forecast_thin"] and info["forecast_events_per_feature"] < 10
    declines = info["forecast_training_declines"]
    assert 0 < declines == thin.forecaster.n_events_
    warning = forecast_warning(info)
    assert warning.startswith(f"THIN HISTORY: the decline forecast learned from only {declines} ")
    real = analyse_revenue(read_revenue_file(RETAIL))  # 4,372 real customers: plenty
    assert (
        not real.forecast_info()["forecast_thin"] and forecast_warning(real.forecast_info()) == ""
    )


def test_the_declining_list_and_one_customers_view_agree_on_churned_customers() -> None:
    """A customer with no revenue for its last 3+ months read "churned" in its own trend view
    but "decline possible" in the declining list (rt6 #6). Both use `outlook` now; checked on
    the real retail customers."""
    result = analyse_revenue(read_revenue_file(RETAIL))
    listed = find_declining_in(result.metrics, top_n=10_000).set_index("customer_id")
    silent = result.metrics.loc[listed.index, "months_since_last_revenue"]
    churned = listed["decline_label"].str.startswith("churned (no revenue for the last")
    assert churned.sum() > 100
    assert (churned == (silent >= 3)).all()
    for customer in listed.index[churned][:3]:
        assert listed.loc[customer, "decline_label"] == (
            f"churned (no revenue for the last {int(silent[customer])} months)"
        )


def test_an_imported_customer_is_found_whatever_the_case_of_its_id(
    small_world: Path, tmp_path: Path
) -> None:
    """rt8 D2: the tools upper-case an id that is not ACC… ("acme-001" → "ACME-001"); a
    customer imported as "acme-001" is still found, its close matches keep its own case."""
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    with connect(db, read_only=True) as con:
        last = pd.Timestamp(con.execute("SELECT max(month) FROM monthly_revenue").fetchone()[0])
    months = pd.period_range(end=last.to_period("M"), periods=12, freq="M").astype(str)
    revenue = tmp_path / "revenue.csv"
    rows = [f"acme-001,{month},{1000 - 40 * k}" for k, month in enumerate(months)]
    revenue.write_text("customer_id,month,revenue\n" + "\n".join(rows) + "\n")
    import_file(revenue, db, currency="USD")
    refresh_trend_cache(db)
    trend = customer_trend(db, "ACME-001", with_stl=False)
    assert trend.customer_id == "acme-001" and len(trend.series) == 12
    assert customer_metrics(db, "Acme-001")["customer_id"] == "acme-001"
    with pytest.raises(UnknownCustomerError) as caught:
        customer_metrics(db, "ACME-01")
    assert "acme-001" in caught.value.suggestions
