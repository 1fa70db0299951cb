"""File-level validation of imported rows against a `KindSpec`, vectorised with pandas.

Input is the file's cells as read (text for CSV and Excel, typed columns for Parquet) with
the rows numbered as the user sees them; output is a typed frame with canonical column names,
every problem logged with row, column and value. Invalid cells become missing, so the checks
that follow (database rules, keys, references) do not report the same cell twice. Parsing
itself (types, missing-value words) is data.imports.cell_parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.imports.cell_parsing import MAX_EXACT_INT, parse_cells
from data.imports.column_specs import ColumnSpec, KindSpec, PivotSpec
from data.imports.finance_formats import (
    ACCEPTED_AMOUNTS,
    ACCEPTED_MONTHS,
    header_currency,
    one_currency,
    parse_months,
    title_currencies,
)
from data.imports.headers import check_headers, match_headers
from data.imports.report import ProblemLog
from data.imports.total_rows import find_total_rows

FORMULA_START = r"[=+\-@]"
"""Cells starting with one of these run as formulas when a spreadsheet opens the data."""
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "decimal": f"an amount, such as {ACCEPTED_AMOUNTS}",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "month": f"a month, such as {ACCEPTED_MONTHS}",
}
_TOO_LARGE = (
    f"whole number out of range: must lie between -{MAX_EXACT_INT:,} and {MAX_EXACT_INT:,} "
    "(2^53, beyond which it cannot be stored exactly)"
)
_FORMULA_MESSAGE = (
    "starts with = + - or @: refused as a possible spreadsheet formula (formula injection)"
)
_INJECTION = r"(?i)\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompts?|rules)\b"
_INJECTION_MESSAGE = "text reads like an instruction; stored as plain data, never followed"


def check_column(cells: pd.Series, col: ColumnSpec, header: str, log: ProblemLog) -> pd.Series:
    """Parse one column and log every bad cell; returns typed values, bad cells missing.

    A cell starting with = + - or @ that is not a valid value of the column is reported as
    a formula, so '-12.5' in a number column is a value while '=SUM(A1)' anywhere and
    '-foo' in a text column are refused.

    Examples:
        >>> from annotated_types import Interval
        >>> from data.imports.report import Source
        >>> log = ProblemLog(Source("a.csv"))
        >>> cells = pd.Series(["5", "-2", "x", "=1+1", ""], index=[2, 3, 4, 5, 6])
        >>> seats = ColumnSpec("seats", "int", bounds=Interval(ge=0))
        >>> check_column(cells, seats, "Seats", log).tolist()
        [5, <NA>, <NA>, <NA>, <NA>]
        >>> sorted((p.row, p.code) for p in log.problems)
        [(3, 'out_of_range'), (4, 'bad_type'), (5, 'formula'), (6, 'missing_value')]
    """
    parsed = parse_cells(cells, col)
    bad, formula = parsed.bad, parsed.bad & False
    for note in parsed.notes:
        _log_cells(log, note.code, note.message, header, cells, note.mask & bad)
        bad = bad & ~note.mask
    noted = parsed.bad & ~bad
    if parsed.text is not None:
        formula = ~parsed.null & parsed.text.str.match(FORMULA_START)
        formula &= bad if col.dtype != "text" else True
        _log_cells(log, "formula", _FORMULA_MESSAGE, header, cells, formula)
    expected = f"expected {_EXPECTED.get(col.dtype)}"
    _log_cells(log, "bad_type", expected, header, cells, bad & ~formula & ~parsed.too_large)
    _log_cells(log, "out_of_range", _TOO_LARGE, header, cells, parsed.too_large)
    bad = bad | formula | noted
    if parsed.text is not None and col.accepts_free_text:
        suspicious = ~bad & parsed.text.str.contains(_INJECTION, regex=True)
        _log_cells(log, "instruction_text", _INJECTION_MESSAGE, header, cells, suspicious, True)
    missing = parsed.null & (not col.nullable)
    _log_cells(
        log, "missing_value", "empty cell; this column needs a value", header, cells, missing
    )
    valid = ~bad & ~parsed.null
    bad = bad | _check_domain(parsed.typed.where(valid), col, header, cells, log)
    typed = parsed.typed.where(~bad & ~parsed.null)
    typed = typed.astype("Int64") if col.dtype == "int" else typed
    typed.attrs["currency"] = parsed.currency  # the amounts' sign or code, if any
    return typed


def _check_domain(
    valid: pd.Series, col: ColumnSpec, header: str, cells: pd.Series, log: ProblemLog
) -> pd.Series:
    """Allowed values, pattern and bounds on valid cells; returns the mask of violations."""
    checks: list[tuple[str, str, pd.Series]] = []
    if col.allowed:
        shown = ", ".join(str(v) for v in col.allowed)
        checks.append(("not_allowed", f"not one of: {shown}", ~valid.isin(col.allowed)))
    if col.pattern:
        checks.append(
            (
                "bad_format",
                f"does not match the pattern {col.pattern}",
                ~valid.astype("str").str.fullmatch(col.pattern).fillna(False),
            )
        )
    bounds = (
        (col.bounds.ge, ">=", valid.lt),
        (col.bounds.gt, ">", valid.le),
        (col.bounds.le, "<=", valid.gt),
        (col.bounds.lt, "<", valid.ge),
    )
    for limit, sign, violates in bounds:
        if limit is not None:
            checks.append(("out_of_range", f"must be {sign} {limit:g}", violates(limit)))
    out = pd.Series(False, index=valid.index)
    for code, message, mask in checks:
        mask = valid.notna() & mask.fillna(False).astype(bool)
        _log_cells(log, code, message, header, cells, mask & ~out)
        out |= mask
    return out


def _log_cells(
    log: ProblemLog,
    code: str,
    message: str,
    header: str,
    cells: pd.Series,
    mask: pd.Series | bool,
    warning: bool = False,
) -> None:
    if not isinstance(mask, pd.Series) or not mask.any():
        return
    hits = mask[mask].index
    room = hits[: log.cap]
    log.add_cells(
        code,
        message,
        header,
        list(room),
        cells.loc[room].tolist(),
        total=len(hits),
        warning=warning,
    )


def check_keys(
    frame: pd.DataFrame, spec: KindSpec, headers: dict[str, str], log: ProblemLog
) -> None:
    """Log rows whose key repeats an earlier row of the same file (naming that row)."""
    for key in spec.keys:
        if not set(key) <= set(frame.columns):
            continue
        keyed = frame.loc[frame[list(key)].notna().all(axis=1), list(key)]
        repeated = keyed.duplicated(keep="first")
        if not repeated.any():
            continue
        first = keyed.index.to_series().groupby([keyed[k] for k in key]).transform("min")
        rows = repeated[repeated].index
        column = ", ".join(headers[k] for k in key)
        for row in rows[: log.cap]:
            value = " / ".join(show_key(keyed.at[row, k]) for k in key)
            log.add(
                "duplicate_key",
                f"duplicate {', '.join(key)}: same as row {first.at[row]}",
                row=int(row),
                column=column,
                value=value,
            )
        log.add_cells("duplicate_key", "", column, [], total=max(0, len(rows) - log.cap))


def show_key(value: object) -> str:
    """A key value as the file would show it (dates as YYYY-MM-DD)."""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


@dataclass(frozen=True)
class ValidatedRows:
    """Typed rows ready for the database: canonical columns, `__row` (the file's row number)
    and, for a pivot's cells, `__col` (the file's header of the cell's column)."""

    frame: pd.DataFrame
    headers: dict[str, str]
    header_problems: bool


def validate_rows(
    cells: pd.DataFrame,
    headers: tuple[str, ...],
    spec: KindSpec,
    log: ProblemLog,
    title: tuple[str, ...] = (),
) -> ValidatedRows:
    """Validate every cell of a file read as `cells` (columns by position, index = row number).
    `title`: the rows above the header (a currency they name counts as a header's does).

    Examples:
        >>> from data.imports.column_specs import specs_for
        >>> from data.imports.report import Source
        >>> log = ProblemLog(Source("t.csv"))
        >>> cells = pd.DataFrame({0: ["12347", "12348"], 1: ["10.5", ""]}, index=[2, 3])
        >>> pivot = specs_for("monthly_revenue")[0]
        >>> rows = validate_rows(cells, ("CustomerID", "2011-01"), pivot, log)
        >>> rows.frame[["customer_id", "net_revenue", "__row", "__col"]].values.tolist()
        [['12347', 10.5, 2, '2011-01']]
    """
    match = match_headers(headers, spec)
    check_headers(headers, spec, match, log)
    cells = cells.drop(index=find_total_rows(cells, headers, spec, match, log))
    names = {name: headers[p] for name, p in match.positions.items()}
    typed = {
        name: check_column(cells[p], spec.column(name), names[name], log)
        for name, p in match.positions.items()
    }
    frame = pd.DataFrame(typed, index=cells.index)
    check_keys(frame, spec, names, log)
    hints = {
        hint
        for name, values in typed.items()
        if spec.column(name).dtype == "decimal"
        for hint in (header_currency(names[name])[1], values.attrs.get("currency"))
    } | title_currencies(title)
    if spec.pivot is not None:
        frame = _melt(frame, cells, headers, match.pivot_positions, spec.pivot, log, hints)
        names |= {spec.pivot.month_column: "", spec.pivot.value.name: ""}
    else:
        frame["__row"] = frame.index
    if spec.table == "revenue_imports":
        _currency_hint(frame, hints, log)
    broken_header = bool(
        match.missing or match.doubled or (spec.pivot and not match.pivot_positions)
    )
    return ValidatedRows(frame.reset_index(drop=True), names, broken_header)


def _melt(
    frame: pd.DataFrame,
    cells: pd.DataFrame,
    headers: tuple[str, ...],
    positions: tuple[int, ...],
    pivot: PivotSpec,
    log: ProblemLog,
    hints: set[str | None],
) -> pd.DataFrame:
    """A pivot's month columns as long rows (id, month, value, __row, __col), empty cells
    dropped. Each month column is validated like any other column."""
    seen: dict[pd.Timestamp, str] = {}
    parts = [frame.assign(__row=frame.index, __col="").iloc[:0]]
    labels = pd.Series([str(headers[p]).strip() for p in positions], index=list(positions))
    months, _ = parse_months(labels)  # one day/month order for all headers
    for position in positions:
        header, month = labels[position], months[position]
        if pd.isna(month) or month in seen:
            why = (
                f"not a month: write {ACCEPTED_MONTHS}"
                if pd.isna(month)
                else f"same month as {seen[month]!r}"
            )
            log.add("bad_header", why, row=log.source.header_row, column=header)
            continue
        seen[month] = header
        values = check_column(cells[position], pivot.value, header, log)
        hints.add(values.attrs.get("currency"))
        part = frame.copy()
        part[pivot.month_column] = month
        part[pivot.value.name] = values
        part["__row"] = frame.index
        part["__col"] = header
        parts.append(part.loc[values.notna()])
    return pd.concat(parts)


def _currency_hint(frame: pd.DataFrame, hints: set[str | None], log: ProblemLog) -> None:
    """The currency the amounts' signs, headers or title name, as `__currency_hint` (the
    importer weighs it against the currency column and --currency:
    data.imports.revenue_checks)."""
    currency, conflict = one_currency(hints)
    if conflict:
        log.add("mixed_currency", conflict)
    elif currency:
        frame["__currency_hint"] = currency
