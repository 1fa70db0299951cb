"""Reading import files (CSV, Excel, Parquet) into cells numbered as their user sees them.

CSV and Excel cells are read as text, so validation can quote the offending value; Parquet
columns keep their types. Nothing here interprets a cell: formulas and any other text stay
plain strings. Files over the size limit are refused before a byte of them is parsed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from data.imports.report import ImportValidationError, ProblemLog, Source, refuse

FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
}
"""Supported extensions (lower case) and the reader each one uses."""

_DELIMITERS = (",", ";", "\t", "|")
_HEADER_SCAN_ROWS = 20


@dataclass(frozen=True)
class RawTable:
    """A file's cells: `headers` by position, `cells` with integer columns (positions) and the
    row numbers as index; `notes` are warnings about how it was read."""

    source: Source
    headers: tuple[str, ...]
    cells: pd.DataFrame
    file_format: str
    notes: tuple[str, ...] = ()


SheetChooser = Callable[[dict[str, tuple[str, ...]]], str]
"""Given each sheet's headers, names the sheet to read."""


def file_format(path: Path) -> str:
    """'csv', 'excel' or 'parquet' for a supported extension, else refuse with the list.

    Examples:
        >>> file_format(Path("Accounts.XLSX"))
        'excel'
    """
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        log = ProblemLog(Source(path.name, header_row=None))
        shown = ", ".join(FORMATS)
        log.add(
            "unsupported_format",
            f"unsupported file type {path.suffix or '(none)'!r}; "
            f"supported: {shown}" + (" (save .xls as .xlsx)" if path.suffix == ".xls" else ""),
        )
        raise refuse(log)
    return found


def check_size(path: Path, max_mb: float) -> None:
    """Refuse a missing file, an empty (0 byte) one, or one over `max_mb` megabytes (10^6 B)."""
    log = ProblemLog(Source(path.name, header_row=None))
    if not path.is_file():
        log.add("not_found", f"no such file: {path}")
    elif (size := path.stat().st_size) == 0:
        log.add("empty_file", "the file is empty (0 bytes)")
    elif size > max_mb * 1e6:
        log.add(
            "file_too_large",
            f"the file is {size / 1e6:,.1f} MB, over the import limit of "
            f"{max_mb:g} MB (setting max_import_mb, env REVRISK_MAX_IMPORT_MB)",
        )
    if log.n_problems:
        raise refuse(log)


def read_cells(path: Path, fmt: str, choose_sheet: SheetChooser, sheet: str | None) -> RawTable:
    """Read a supported file; refuses files without a header or without data rows."""
    if fmt == "csv":
        table = _read_csv(path)
    elif fmt == "excel":
        table = _read_excel(path, choose_sheet, sheet)
    else:
        table = _read_parquet(path)
    if table.cells.empty:
        log = ProblemLog(table.source)
        what = "records" if fmt == "parquet" else "data rows"
        log.add(
            "empty_file",
            f"no {what}" + ("" if not table.headers else " under the header"),
            row=table.source.header_row,
        )
        raise refuse(log)
    return table


def _fail(source: Source, code: str, message: str, row: int | None = None) -> ImportValidationError:
    log = ProblemLog(source)
    log.add(code, message, row=row)
    return refuse(log)


def _read_csv(path: Path) -> RawTable:
    source = Source(path.name)
    with open(path, "rb") as handle:
        head = handle.read(65536).decode("utf-8-sig", errors="replace")
    first_line = head.splitlines()[0] if head.strip() else ""
    sep = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(first_line)
    notes: tuple[str, ...] = ()
    try:
        frame = _parse_csv(path, sep, "utf-8-sig", source)
    except UnicodeDecodeError:
        frame = _parse_csv(path, sep, "cp1252", source)
        notes = ("the file is not UTF-8; read it as Windows-1252",)
    if frame.empty:
        raise _fail(source, "empty_file", "the file has no header row (only blank lines)")
    headers = tuple(str(h).strip() for h in frame.iloc[0])
    cells = frame.iloc[1:].fillna("")
    cells.index = cells.index + 1  # line 0 is the header, shown as row 1
    return RawTable(source, headers, _drop_blank_rows(cells), "csv", notes)


def _sniff_delimiter(line: str) -> str:
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _parse_csv(path: Path, sep: str, encoding: str, source: Source) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=encoding,
        )
    except pd.errors.EmptyDataError:
        raise _fail(source, "empty_file", "the file has no header row (only blank lines)") from None
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if not found:
            raise _fail(source, "unreadable", f"not a readable CSV file: {error}") from None
        expected, line, saw = (int(g) for g in found.groups())
        raise _fail(
            source,
            "bad_row",
            f"row has {saw} cells but the header has {expected} "
            "(a stray delimiter or an unquoted comma?)",
            row=line,
        ) from None


def _drop_blank_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows without a single non-empty cell (blank lines) are not data; their numbers are
    kept by the others."""
    return cells.loc[~(cells == "").all(axis=1)]


def _read_excel(path: Path, choose_sheet: SheetChooser, sheet: str | None) -> RawTable:
    from openpyxl import load_workbook  # imported here: only Excel imports pay for it

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises zipfile, KeyError, ValueError, ...
        raise _fail(
            Source(path.name),
            "unreadable",
            f"not a readable .xlsx workbook: {type(error).__name__}: {error}",
        ) from None
    try:
        names = [ws.title for ws in book.worksheets]
        if sheet is not None and sheet not in names:
            raise _fail(
                Source(path.name),
                "unknown_sheet",
                f"no sheet {sheet!r}; sheets: {', '.join(names)}",
            )
        found = {
            ws.title: _sheet_header(ws.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True))
            for ws in book.worksheets
        }
        headed = {name: header[1] for name, header in found.items() if header[1]}
        if not headed:
            raise _fail(Source(path.name), "empty_file", "no sheet has a header row")
        chosen = sheet if sheet is not None else choose_sheet(headed)
        header_row, headers = found[chosen]
        rows = book[chosen].iter_rows(min_row=header_row + 1, values_only=True)
        cells = _excel_cells(rows, len(headers), header_row + 1)
    finally:
        book.close()
    source = Source(path.name, sheet=chosen, header_row=header_row)
    return RawTable(source, headers, _drop_blank_rows(cells), "excel")


def _sheet_header(rows: Iterator[tuple[object, ...]]) -> tuple[int, tuple[str, ...]]:
    """(row number, headers) of the first non-empty row; trailing empty headers dropped."""
    for number, row in enumerate(rows, start=1):
        texts = [_excel_text(v) for v in row]
        if any(texts):
            while texts and not texts[-1]:
                texts.pop()
            return number, tuple(texts)
    return 0, ()


def _excel_cells(rows: Iterator[tuple[object, ...]], width: int, first_row: int) -> pd.DataFrame:
    data = [[_excel_text(v) for v in (row + (None,) * width)[:width]] for row in rows]
    index = pd.RangeIndex(first_row, first_row + len(data))
    return pd.DataFrame(data, index=index, columns=range(width), dtype="str")


def _excel_text(value: object) -> str:
    """An Excel cell as the text a CSV export would hold (whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    formula = getattr(value, "text", None)  # array and data-table formulas are objects
    if isinstance(formula, str):
        return formula if formula.startswith("=") else "=" + formula
    return str(value).strip()


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    source = Source(path.name, row_label="record", header_row=None)
    try:
        frame = pq.read_table(path).to_pandas()
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise _fail(source, "unreadable", f"not a readable Parquet file: {error}") from None
    headers = tuple(str(name) for name in frame.columns)
    frame.columns = pd.RangeIndex(len(headers))
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return RawTable(source, headers, frame, "parquet")
