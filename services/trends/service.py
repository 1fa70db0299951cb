"""Trends and segments as a service: what the CLI and the agent's tools call.

Portfolio questions read the cache in the warehouse (`services.trends.store`), refreshing it
first when the billing data changed since it was built (meta `data_version`). One-off scans
(`--input FILE`, `--until`) compute in memory and leave the cache alone.

Public functions: `customer_metrics`, `customer_trend`, `find_declining`,
`decline_level_counts`, `list_segments`, `segment_report`, and (from `services.trends.scan`)
`refresh_trend_cache`, `analyse_revenue`, `scan_file`, `scan_warehouse`. Unknown customers
raise `UnknownCustomerError` with close matches. Evaluation and file output live in
`services.trends.reports`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from analytics.trends import MIN_EVENTS_PER_FEATURE, DeclineOutcome
from domain import DECLINE_RANK_ORDERS
from services.lookup import EVERY_ACCOUNT, Population, UnknownCustomerError, population
from services.trends import store
from services.trends.scan import (
    DECLINING_FROM_LEVEL,
    CacheStatus,
    TrendResult,
    analyse_revenue,
    cached,
    refresh_trend_cache,
    scan_file,
    scan_warehouse,
)
from services.trends.segments import (
    SegmentOverview,
    SegmentReport,
    list_segments,
    segment_overview,
    segment_report,
)

DECLINE_LABELS: dict[int, str] = {
    0: "decline unlikely",
    1: "decline possible",
    2: "decline likely",
    3: "decline very likely",
}
"""Words for the decline levels, the bands of `decline_probability` (default cuts 0.3, 0.5,
0.7; `analytics.trends.DeclineBands`): how likely the customer's revenue over the next months
falls below half of its recent mean - a forecast, not a description of the past trend."""
SO_FAR_LABELS: dict[int, str] = {
    0: "no clear decline so far",
    1: "mild decline so far",
    2: "moderate decline so far",
    3: "sharp decline so far",
}
"""Words for the decline levels of a book whose forecast learned from too few declines (or
none): the levels then describe the revenue so far (`TrendResult`, cache info
`decline_verdict` "so_far"), not the months ahead."""
DEFAULT_DEFINITION = DeclineOutcome().describe()
SO_FAR_DEFINITION = (
    "revenue so far: a decline score of 0.2 or more (0-1: how clearly revenue is already "
    "falling, from its trend and its recent months against the earlier ones)"
)


def level_labels(info: dict[str, Any]) -> dict[int, str]:
    """The words for the decline levels of a cache (`DECLINE_LABELS` unless the levels
    describe the revenue so far).

    Examples:
        >>> level_labels({"decline_verdict": "so_far"})[3], level_labels({})[3]
        ('sharp decline so far', 'decline very likely')
    """
    return SO_FAR_LABELS if info.get("decline_verdict") == "so_far" else DECLINE_LABELS


CHURNED_AFTER_MONTHS = 3
"""Months without revenue after which a customer reads as churned, whatever its forecast says
(as the churn count's SQL and the trend scan's status define it)."""


def outlook(label: Any, status: Any, months_silent: Any) -> str:
    """The words for a customer's outlook, the same in a list and in one customer's view: its
    decline band's label, but "churned (…)" once it has had no revenue for the last
    `CHURNED_AFTER_MONTHS` months (a forecast of decline says nothing useful about revenue
    that has already stopped), and the status for customers without a band.

    Examples:
        >>> outlook("decline possible", "ok", 4)
        'churned (no revenue for the last 4 months)'
        >>> outlook("decline possible", "ok", 0), outlook(None, "new", -1)
        ('decline possible', 'new')
    """
    silent = isinstance(months_silent, int | float) and months_silent == months_silent
    if silent and months_silent >= CHURNED_AFTER_MONTHS:
        return f"churned (no revenue for the last {int(months_silent)} months)"
    if status == "churned":
        return "churned (no revenue over the baseline months)"
    return str(label) if isinstance(label, str) and label else str(status)


def forecast_warning(info: dict[str, Any]) -> str:
    """The caveat a decline answer opens with when the forecast learned from too few declines
    (`analytics.trends.forecast.MIN_EVENTS_PER_FEATURE`, cache info); "" otherwise.

    Examples:
        >>> forecast_warning({"forecast_thin": False})
        ''
        >>> warning = forecast_warning({"forecast_model": None, "first_month": "2026-08",
        ...                             "last_month": "2026-10"})
        >>> warning[:23], "at least 5 months" in warning, "the data hold 3." in warning
        ('NO DECLINE FORECAST YET', True, True)
        >>> grown = forecast_warning({"forecast_model": None, "first_month": "2026-03",
        ...                           "last_month": "2026-10"})
        >>> "at least 5 months" in grown, "book's 8 months" in grown, "no decline among" in grown
        (False, True, True)
        >>> forecast_warning({"forecast_thin": True, "forecast_training_declines": 24,
        ...                   "forecast_events_per_feature": 1.8})[:62]
        'THIN HISTORY: the decline forecast learned from only 24 declin'
    """
    if "forecast_model" in info and info["forecast_model"] is None:
        horizon = info.get("horizon_months") or DeclineOutcome().horizon
        months = _book_months(info)
        so_far = (
            ". Until then decline levels describe the revenue so far (the decline score: how "
            "clearly it is already falling), not the months ahead."
        )
        if months is not None and months >= horizon + 2:  # long enough: one outcome only
            return (
                f"NO DECLINE FORECAST YET: the forecast learns from past months whose next "
                f"{horizon} months are known, and in this book's {months} months those "
                f"{horizon}-month windows went one way only for every customer (no decline "
                "among them, or nothing but declines), so there is no decline to learn from"
                + so_far
            )
        return (
            f"NO DECLINE FORECAST YET: the forecast learns from months whose next {horizon} "
            f"months are known, which takes at least {horizon + 2} months of revenue with "
            "declines among them" + (f"; the data hold {months}" if months else "") + so_far
        )
    if not info.get("forecast_thin"):
        return ""
    return (
        f"THIN HISTORY: the decline forecast learned from only "
        f"{info['forecast_training_declines']} declines in this book's past "
        f"({info['forecast_events_per_feature']} per feature; {MIN_EVENTS_PER_FEATURE} per "
        "feature is the usual minimum for a stable model), so decline levels here describe "
        "the revenue so far (the decline score: how clearly it is already falling), not its "
        "rough probabilities."
    )


def _book_months(info: dict[str, Any]) -> int | None:
    """How many months the cached data cover (None when the cache does not say)."""
    if not (info.get("first_month") and info.get("last_month")):
        return None
    first, last = (pd.Period(info[key], freq="M") for key in ("first_month", "last_month"))
    return (last - first).n + 1


def _unknown(con: duckdb.DuckDBPyConnection, customer_id: str) -> UnknownCustomerError:
    """Close matches compared without case: ids of imported files keep their own case."""
    ids = {customer.upper(): customer for customer in store.customer_ids(con)}
    matches = difflib.get_close_matches(customer_id.upper(), list(ids), n=5, cutoff=0.6)
    return UnknownCustomerError(customer_id, [ids[match] for match in matches])


def _stored_id(con: duckdb.DuckDBPyConnection, customer_id: str) -> str:
    """The id as the cache spells it: exact, else the one id equal to it without case (the
    tools upper-case ids that are not ACC…, an imported file may hold "acme-001")."""
    found = con.execute(
        "SELECT account_id FROM trend_metrics WHERE upper(account_id) = upper(?) "
        "ORDER BY account_id = ? DESC LIMIT 2",
        [customer_id, customer_id],
    ).fetchall()
    if len(found) == 1 or (found and found[0][0] == customer_id):
        return str(found[0][0])
    raise _unknown(con, customer_id)


def _currencies(con: duckdb.DuckDBPyConnection, customer_id: str) -> list[str]:
    """The currencies of a customer's revenue (its view writes money in the one there is;
    none where the revenue table is absent, as in a results folder without it)."""
    try:
        rows = con.execute(
            "SELECT DISTINCT currency FROM monthly_revenue WHERE account_id = ? LIMIT 2",
            [customer_id],
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [str(row[0]) for row in rows if row[0]]


def revenue_currencies(db_path: Path | str) -> list[str]:
    """The currencies of the warehouse's revenue, sorted (`store.revenue_currencies`)."""
    with cached(db_path) as con:
        return store.revenue_currencies(con)


def customer_currencies(db_path: Path | str, ids: list[str]) -> dict[str, str]:
    """The currency of each customer of `ids` whose revenue is in one currency."""
    with cached(db_path) as con:
        return store.customer_currencies(con, ids)


# ------------------------------------------------------------------------------ questions
def _metrics_row(
    con: duckdb.DuckDBPyConnection, customer_id: str, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The cached metrics of `customer_id`, an id as the cache spells it (`_stored_id`);
    `info`: the cache's info when the caller has read it already."""
    frame = store.read_metrics(con, "m.account_id = ?", [customer_id])
    if frame.empty:
        raise _unknown(con, customer_id)
    info = store.cache_info(con) if info is None else info
    return _record(frame.iloc[0], customer_id, level_labels(info))


def customer_metrics(db_path: Path | str, customer_id: str) -> dict[str, Any]:
    """One customer's cached metrics (a plain dict; fast path, no series)."""
    with cached(db_path) as con:
        return _metrics_row(con, _stored_id(con, customer_id))


def _record(
    row: pd.Series, customer_id: str, labels: dict[int, str] = DECLINE_LABELS
) -> dict[str, Any]:
    record: dict[str, Any] = {"customer_id": customer_id}
    for key, value in row.items():
        record[str(key)] = (
            None
            if value is pd.NA or (isinstance(value, float) and value != value)
            else value.item()
            if hasattr(value, "item")
            else value
        )
    level = record.get("decline_level")
    record["decline_label"] = labels.get(level) if level is not None else None
    return record


@dataclass(frozen=True)
class CustomerTrend:
    """One customer's trend for charts and narratives.

    `series` (index month 'YYYY-MM'): revenue, seasonal, adjusted, trend (Theil–Sen line),
    level (running median), moving_avg_3, resid_z, is_anomaly, and stl_trend (statsmodels
    robust STL with period 12, only with at least 24 months; NaN otherwise).
    """

    customer_id: str
    metrics: dict[str, Any]
    series: pd.DataFrame

    def summary(self) -> dict[str, Any]:
        """Headline numbers (keys as the decompose_trend tool reports them)."""
        revenue = self.series["revenue"].dropna()
        return {
            "customer_id": self.customer_id,
            "status": self.metrics["status"],
            "decline_level": self.metrics["decline_level"],
            "decline_label": self.metrics["decline_label"],
            "decline_probability": self.metrics.get("decline_probability"),
            "decline_drivers": self.metrics.get("decline_drivers") or "",
            "decline_definition": self.metrics.get("decline_definition", DEFAULT_DEFINITION),
            "forecast_warning": self.metrics.get("forecast_warning", ""),
            "monthly_change": self.metrics["slope"],
            "relative_slope": self.metrics["relative_slope"],
            "p_value": self.metrics["p_value"],
            "latest_revenue": float(revenue.iloc[-1]) if len(revenue) else None,
            "n_months": len(revenue),
            "n_anomalies": self.metrics["n_anomalies"],
            "anomaly_months": self.metrics["anomaly_months"],
            "segment_id": self.metrics["segment_id"],
            "segment_name": self.metrics["segment_name"],
        }


def customer_trend(
    db_path: Path | str, customer_id: str, *, with_stl: bool = True
) -> CustomerTrend:
    """Metrics plus the monthly components of one customer, from the cache."""
    from analytics.trends import stl_components

    with cached(db_path) as con:
        customer_id = _stored_id(con, customer_id)
        info = store.cache_info(con)
        metrics = _metrics_row(con, customer_id, info)
        series = store.read_series(con, customer_id)
        currencies = _currencies(con, customer_id)
    metrics["currency"] = currencies[0] if len(currencies) == 1 else None
    metrics["decline_definition"] = info.get("decline_definition", DEFAULT_DEFINITION)
    metrics["forecast_warning"] = forecast_warning(info)
    metrics["forecast_learned"] = info.get("forecast_model") is not None
    metrics["decline_verdict"] = info.get("decline_verdict", "forecast")
    series["stl_trend"] = float("nan")
    if with_stl and len(series) >= 24 and metrics["status"] == "ok":
        series["stl_trend"] = stl_components(series["revenue"].to_numpy())["trend"].to_numpy()
    return CustomerTrend(customer_id, metrics, series)


_DECLINING_COLUMNS = [
    "customer_id",
    "decline_probability",
    "decline_level",
    "decline_label",
    "decline_drivers",
    "decline_score",
    "status",
    "monthly_change",
    "relative_slope",
    "p_value",
    "revenue_mean",
    "recent_ratio",
    "months_since_last_revenue",
    "n_anomalies",
    "segment_id",
    "segment_name",
]
_DECLINING_METRICS = (
    "decline_probability",
    "decline_level",
    "decline_drivers",
    "decline_score",
    "status",
    "slope",
    "relative_slope",
    "p_value",
    "mean_revenue",
    "recent_ratio",
    "months_since_last_revenue",
    "n_anomalies",
    "segment_id",
)
"""The metric columns `_declining_table` shows (slope and mean_revenue renamed), read alone."""
_DECLINING_ORDERS = {
    "probability": (
        "m.decline_probability DESC NULLS LAST, m.mean_revenue DESC NULLS LAST, m.account_id"
    ),
    "revenue": (
        "m.mean_revenue DESC NULLS LAST, m.decline_probability DESC NULLS LAST, m.account_id"
    ),
    "steepness": "m.slope ASC NULLS LAST, m.decline_probability DESC NULLS LAST, m.account_id",
}
"""domain.DECLINE_RANK_ORDERS -> the SQL order: most likely to decline, then largest revenue,
then id (the default); or largest average monthly revenue, then most likely, then id; or the
steepest fall per month (the Theil-Sen slope, money per month), then most likely. What
`find_declining_in` sorts by (its stable sort keeps the cache's account_id order among ties)."""
_SO_FAR_ORDERS = {
    "probability": "m.decline_score DESC NULLS LAST, m.mean_revenue DESC NULLS LAST, m.account_id",
    "revenue": "m.mean_revenue DESC NULLS LAST, m.decline_score DESC NULLS LAST, m.account_id",
    "steepness": "m.slope ASC NULLS LAST, m.decline_score DESC NULLS LAST, m.account_id",
}
"""`_DECLINING_ORDERS` where the levels describe the revenue so far: the decline score ranks
("most likely" is then "most clearly falling")."""
_SORT_KEYS = {
    "probability": ["decline_probability", "mean_revenue"],
    "revenue": ["mean_revenue", "decline_probability"],
    "steepness": ["slope", "decline_probability"],
}
_ASCENDING = {"steepness": [True, False]}
"""Sort directions where not every key is largest first: the steepest fall is the lowest slope."""


def _check_order(order_by: str) -> None:
    if order_by not in DECLINE_RANK_ORDERS:
        raise ValueError(
            f"order_by must be one of {', '.join(DECLINE_RANK_ORDERS)}, got {order_by!r}"
        )


def _declining_table(
    frame: pd.DataFrame, level_words: dict[int, str] = DECLINE_LABELS
) -> pd.DataFrame:
    frame = frame.reset_index().rename(
        columns={"slope": "monthly_change", "mean_revenue": "revenue_mean"}
    )
    labels = [
        outlook(label, status, silent)
        for label, status, silent in zip(
            frame["decline_level"].map(level_words),
            frame["status"],
            frame["months_since_last_revenue"],
            strict=True,
        )
    ]
    frame.insert(2, "decline_label", pd.Series(labels, index=frame.index, dtype=object))
    return frame[_DECLINING_COLUMNS]


def find_declining_in(
    metrics: pd.DataFrame,
    decline_level: int | None = None,
    segment_id: int | None = None,
    top_n: int = 10,
    order_by: str = "probability",
    labels: dict[int, str] = DECLINE_LABELS,
) -> pd.DataFrame:
    """`find_declining`'s table on a metrics frame already in memory (index customer_id);
    `labels`: `level_labels` of the scan (levels of the revenue so far rank by decline score)."""
    _check_order(order_by)
    levels = metrics["decline_level"]
    keep = (levels >= DECLINING_FROM_LEVEL) if decline_level is None else (levels == decline_level)
    if segment_id is not None:
        keep &= metrics["segment_id"] == segment_id
    frame = metrics[keep.fillna(False).astype(bool)]
    keys = _SORT_KEYS[order_by]
    if labels is SO_FAR_LABELS:
        keys = [key.replace("decline_probability", "decline_score") for key in keys]
    ascending = _ASCENDING.get(order_by, False)
    frame = frame.sort_values(keys, ascending=ascending, na_position="last").head(top_n)
    return _declining_table(frame, labels)


@dataclass(frozen=True)
class DecliningCustomers:
    """Customers matching a decline question: `table` holds the first `top_n` (columns as
    `find_declining` lists them); `n_customers` and `total_monthly_revenue` (their mean
    monthly revenue, summed) cover every match. `n_unknown`: with a tier or region limit,
    the customers that match the decline question but have no account row, so their tier
    and region are unknown and they are left out (customers of an imported revenue file)."""

    table: pd.DataFrame
    n_customers: int
    total_monthly_revenue: float
    definition: str = DEFAULT_DEFINITION
    warning: str = ""
    """`forecast_warning` of the cache the customers were read from."""
    n_unknown: int = 0
    region: str | None = None
    """The region limit as the warehouse spells it (None: no region limit)."""
    labels: dict[int, str] = field(default_factory=lambda: dict(DECLINE_LABELS))
    """The words for the decline levels (`level_labels` of the cache)."""
    already_fallen: tuple[int, tuple[str, ...]] = (0, ())
    """`_already_fallen`: customers whose revenue already fell sharply, not forecast to halve
    again (counted for the default list of a forecast book only)."""
    revenue_by_currency: dict[str, float] = field(default_factory=dict)
    """`total_monthly_revenue` split by the customers' currency ({} where the warehouse has no
    revenue table): amounts are never added across currencies. The table's `currency` column
    is each listed customer's."""


def find_declining(
    db_path: Path | str,
    decline_level: int | None = None,
    segment_id: int | None = None,
    top_n: int | None = 10,
    accounts: Population = EVERY_ACCOUNT,
    order_by: str = "probability",
) -> DecliningCustomers:
    """Customers likely to decline, most likely then largest revenue first (`order_by`
    "probability", the default) or largest average monthly revenue first ("revenue"; "the
    biggest declining customers by revenue"), and how many match.

    `decline_level=None` means every level from `DECLINING_FROM_LEVEL` up; a level picks
    exactly that level (0 lists customers without a significant decline). `accounts` keeps
    the customers whose warehouse account has its tier / region (the `accounts` table; an
    unknown region raises `UnknownRegionError` listing the known ones); a customer with no
    account row cannot be placed and is counted in `n_unknown`. Table columns:
    customer_id, decline_probability, decline_level, decline_label, decline_drivers,
    decline_score, status, monthly_change
    (Theil–Sen slope, currency per month), relative_slope (% per month), p_value,
    revenue_mean, recent_ratio, n_anomalies, segment_id, segment_name. Filtering, ordering
    and counting run in DuckDB: only the `top_n` rows are read.
    """
    _check_order(order_by)
    where = "m.decline_level >= ?" if decline_level is None else "m.decline_level = ?"
    params: list[Any] = [DECLINING_FROM_LEVEL if decline_level is None else decline_level]
    if segment_id is not None:
        where += " AND m.segment_id = ?"
        params.append(segment_id)
    with cached(db_path) as con:
        keep, kept, region = population(con, accounts.region, accounts.tier, column="m.account_id")
        n_unknown = 0
        if kept:
            unplaced = f"{where} AND m.account_id NOT IN (SELECT account_id FROM accounts)"
            n_unknown = store.count_metrics(con, unplaced, params)[0]
            where, params = f"{where} AND {keep}", params + kept
        info = store.cache_info(con)
        so_far = info.get("decline_verdict") == "so_far"
        top = store.read_metrics(
            con,
            where,
            params,
            columns=_DECLINING_METRICS,
            order_by=(_SO_FAR_ORDERS if so_far else _DECLINING_ORDERS)[order_by],
            limit=top_n,
            segment_names=True,
        )
        n_customers, revenue = store.count_metrics(con, where, params)
        currencies = store.revenue_currencies(con)
        if len(currencies) > 1:
            by_currency = store.revenue_by_currency(con, where, params) or dict.fromkeys(
                currencies, 0.0
            )  # no match: nothing in each currency, never "$0.00"
            of_customer = store.customer_currencies(con, [str(i) for i in top.index])
        else:
            by_currency = {currencies[0]: revenue} if currencies else {}
            of_customer = dict.fromkeys(map(str, top.index), currencies[0]) if currencies else {}
        fallen: tuple[int, tuple[str, ...]] = (0, ())
        if not so_far and decline_level is None:
            fallen = _already_fallen(con, segment_id, keep, kept)
    definition = SO_FAR_DEFINITION if so_far else info.get("decline_definition", DEFAULT_DEFINITION)
    table = _declining_table(top, level_labels(info))
    table["currency"] = table["customer_id"].map(of_customer).astype(object)
    return DecliningCustomers(
        table,
        n_customers,
        revenue,
        definition,
        forecast_warning(info),
        n_unknown=n_unknown,
        region=region,
        labels=level_labels(info),
        already_fallen=fallen,
        revenue_by_currency=by_currency,
    )


ALREADY_FALLEN_SCORE = 0.7
"""A decline score from which the revenue so far reads as a sharp decline (the scan's level 3,
`analytics.trends.decline.DeclineThresholds.level_cuts`)."""


def _already_fallen(
    con: duckdb.DuckDBPyConnection, segment_id: int | None, keep: str, kept: list[Any]
) -> tuple[int, tuple[str, ...]]:
    """(how many, the three largest by revenue) of the customers whose revenue already fell
    sharply (decline score from `ALREADY_FALLEN_SCORE`) but whom the forecast does not expect
    to halve again (level 0), still paying: the list answers the forecast's question, and
    these are what a reader also means by "declining" (rt8/rt10 D3: CUST-003, 20,000 a month
    down to 4,000, at 8.3 %). On the demo: 278 customers, beside the 153 forecast ones."""
    where = (
        "m.decline_score >= ? AND m.decline_level = 0 AND m.status = 'ok' "
        f"AND coalesce(m.months_since_last_revenue, 0) < {CHURNED_AFTER_MONTHS}"
    )
    params: list[Any] = [ALREADY_FALLEN_SCORE]
    if segment_id is not None:
        where, params = f"{where} AND m.segment_id = ?", [*params, segment_id]
    if kept:
        where, params = f"{where} AND {keep}", params + kept
    count = store.count_metrics(con, where, params)[0]
    largest = store.read_metrics(
        con,
        where,
        params,
        columns=("mean_revenue",),
        order_by="m.mean_revenue DESC NULLS LAST, m.account_id",
        limit=3,
    )
    return int(count), tuple(str(i) for i in largest.index)


class DeclineCounts(NamedTuple):
    """Customers per decline level, by label (every level, 0 when none, then "not judged":
    history too short), and how many are declining (levels from `DECLINING_FROM_LEVEL`)."""

    by_label: dict[str, int]
    declining: int


def decline_level_counts(db_path: Path | str, region: str | None = None) -> DeclineCounts:
    """Customers per decline level over the whole portfolio (or the accounts of `region`);
    from the trend cache."""
    with cached(db_path) as con:
        keep, kept, _ = population(con, region, column="m.account_id")
        counts = store.decline_level_counts(con, keep if kept else "", kept)
        labels = level_labels(store.cache_info(con))
    by_label = {label: counts.get(level, 0) for level, label in labels.items()}
    declining = sum(
        n for level, n in counts.items() if level is not None and level >= DECLINING_FROM_LEVEL
    )
    return DeclineCounts(by_label | {"not judged": counts.get(None, 0)}, declining)


def record_of(
    metrics: pd.DataFrame, customer_id: str, labels: dict[int, str] = DECLINE_LABELS
) -> dict[str, Any]:
    """One customer's row of a metrics frame as a plain dict (UnknownCustomerError if absent)."""
    if customer_id not in metrics.index:
        ids = [str(i) for i in metrics.index]
        raise UnknownCustomerError(
            customer_id, difflib.get_close_matches(customer_id, ids, n=5, cutoff=0.6)
        )
    return _record(metrics.loc[[customer_id]].iloc[0], customer_id, labels)


__all__ = [
    "DECLINE_LABELS",
    "DECLINING_FROM_LEVEL",
    "SO_FAR_LABELS",
    "CacheStatus",
    "CustomerTrend",
    "DeclineCounts",
    "DecliningCustomers",
    "SegmentOverview",
    "SegmentReport",
    "TrendResult",
    "UnknownCustomerError",
    "analyse_revenue",
    "customer_metrics",
    "customer_trend",
    "decline_level_counts",
    "find_declining",
    "find_declining_in",
    "forecast_warning",
    "level_labels",
    "list_segments",
    "outlook",
    "record_of",
    "refresh_trend_cache",
    "scan_file",
    "scan_warehouse",
    "segment_overview",
    "segment_report",
]
