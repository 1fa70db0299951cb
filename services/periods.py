"""The months the warehouse covers, and checking a requested month or period against them.

Contract: `data_period(db_path)` is the first and last month with usage data (the last one is
the warehouse's last complete month, the month scores are "as of"); `check_period` turns a
tool's `month` / `since` / `until` into an inclusive `(since, until)` pair of `YYYY-MM` texts
inside that range, or raises `PeriodError` naming the covered range, so a model that asks for
"last month" against a stale anchor hears which months exist instead of getting an empty
answer. A period that overlaps the data is clipped to it ("2026" is 2026-01 to the last month
of data: the year so far; rt8 D22 found every "in 2026" leakage question refused); only a month
or period wholly outside the data is refused. The tool states the clipped period in its
summary, and the answer says it was cut (agent/offline/model.py). Method: one `min/max(month)`
over `usage_monthly`, remembered per file version (path, size, mtime): reading it costs one
read-only open (~10 ms at 100k accounts), which the agent would otherwise pay on every model
call for its system prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from data.warehouse import connect


class PeriodError(ValueError):
    """A requested month outside the data (or an impossible period); says what is covered."""


@dataclass(frozen=True)
class DataPeriod:
    """First and last month with data, as `YYYY-MM` (None when the warehouse is empty)."""

    first_month: str | None
    last_month: str | None

    def describe(self) -> str:
        """Words for prompts and errors.

        Examples:
            >>> DataPeriod("2024-11", "2026-10").describe()
            '2024-11 to 2026-10'
        """
        if self.first_month is None:
            return "no months (the warehouse has no usage data)"
        return f"{self.first_month} to {self.last_month}"


_CACHE: dict[tuple[str, int, int], DataPeriod] = {}


def data_period(db_path: Path | str) -> DataPeriod:
    """The months `usage_monthly` covers.

    Raises:
        WarehouseMissingError: no warehouse file.
        PeriodError: the file has no readable `usage_monthly`.
    """
    path = Path(db_path)
    stat = path.stat() if path.exists() else None
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns) if stat else ("", 0, 0)
    if stat is not None and key in _CACHE:
        return _CACHE[key]
    with connect(path, read_only=True) as con:
        try:
            first, last = con.execute(
                "SELECT strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m') "
                "FROM usage_monthly"
            ).fetchall()[0]
        except duckdb.Error as exc:
            raise PeriodError(f"cannot read the months of the data: {exc}") from exc
    period = DataPeriod(first, last)
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = period
    return period


def check_period(
    period: DataPeriod,
    month: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> tuple[str | None, str | None]:
    """The inclusive `(since, until)` a request means; `(None, None)` when it names no month.

    Examples:
        >>> covered = DataPeriod("2024-11", "2026-10")
        >>> check_period(covered, month="2026-03")
        ('2026-03', '2026-03')
        >>> check_period(covered, since="2026-03")
        ('2026-03', None)
        >>> check_period(covered, since="2026-01", until="2026-12")  # 2026 so far
        ('2026-01', '2026-10')
        >>> try:
        ...     check_period(covered, month="2027-01")
        ... except PeriodError as exc:
        ...     print(exc)
        month 2027-01 is outside the data, which covers 2024-11 to 2026-10.
    """
    if month is not None:
        if since is not None or until is not None:
            raise PeriodError("give either month, or since/until, not both")
        since = until = month
    if since is not None and until is not None and since > until:
        raise PeriodError(f"since {since} is after until {until}.")
    first, last = period.first_month, period.last_month
    if since is not None or until is not None:
        before = until is not None and (first is None or until < first)
        after = since is not None and (last is None or since > last)
        if before or after:  # wholly outside: no month of the period has data
            name = "month" if month else "until" if before else "since"
            value = month or (until if before else since)
            raise PeriodError(
                f"{name} {value} is outside the data, which covers {period.describe()}."
            )
    if first is not None and since is not None and since < first:
        since = first
    if last is not None and until is not None and until > last:
        until = last
    return since, until


__all__ = ["DataPeriod", "PeriodError", "check_period", "data_period"]
