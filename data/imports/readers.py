"""Reading import files (CSV, Excel, Parquet) into cells numbered as their user sees them.

CSV and Excel cells are read as text, so validation can quote the offending value; Parquet
columns keep their types. Nothing here interprets a cell: formulas and any other text stay
plain strings. Files over the size limit are refused before a byte of them is parsed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from data.imports.finance_formats import parse_amounts
from data.imports.limits import (
    ReadLimits,
    check_parquet_metadata,
    check_text_shape,
    check_workbook_archive,
    describe_error,
    too_large,
    unreadable,
)
from data.imports.report import (
    FileTooLargeError,
    FileUnreadableError,
    ImportValidationError,
    ProblemLog,
    Source,
    refuse,
)

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

EMPTY_FILE = "the file is empty (0 bytes)"
"""How an empty file is refused, by the CLI and by the chat's upload (ui.upload_guard)."""

_DELIMITERS = (",", ";", "\t", "|")
_LINE_END = re.compile(r"\r\n|\r|\n")
"""Where a line of a CSV ends: Windows, old Mac and Unix endings alike (as `splitlines`)."""
HEADER_SCAN_ROWS = 20
"""Rows of a file searched for its header (title rows above it are skipped)."""


@dataclass(frozen=True)
class RawTable:
    """A file's cells: `headers` by position, `cells` with integer columns (positions) and the
    row numbers as index; `notes` are warnings about how it was read."""

    source: Source
    headers: tuple[str, ...]
    cells: pd.DataFrame
    file_format: str
    notes: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    """The non-blank rows above the header that were skipped (a title such as "ACME - monthly
    revenue (USD)"), each as its cells' text joined by spaces."""


HeaderFit = Callable[[tuple[str, ...]], tuple[float, int]]
"""How well a row of cells reads as a header (higher is better; data.imports.loaders scores
it against the kinds' columns): picks the header row of a sheet, then the sheet."""


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
        log.add("not_found", f"no such file: {path.name}")
    elif (size := path.stat().st_size) == 0:
        log.add("empty_file", EMPTY_FILE)
    elif size > max_mb * 1e6:
        log.add(
            "file_too_large",
            f"the file is {size / 1e6:,.1f} MB, over the import limit of "
            f"{max_mb:g} MB (setting max_import_mb, env REVRISK_MAX_IMPORT_MB)",
        )
    if log.n_problems:
        raise refuse(log)


def read_cells(
    path: Path,
    fmt: str,
    fit: HeaderFit,
    sheet: str | None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read a supported file within `limits`; refuses files without a header or without data
    rows. The header is the row of the first 20 that `fit`s best (the first non-empty one
    when none fits: title rows above the header are skipped, with a note), and in a
    workbook without `sheet` the sheet whose header fits best is read. Every refusal is an
    `ImportValidationError` (`FileUnreadableError`, `FileTooLargeError`)."""
    limits = limits or ReadLimits()
    if fmt == "csv":
        table = _read_csv(path, fit, limits)
    elif fmt == "excel":
        table = _read_excel(path, fit, sheet, limits)
    else:
        table = _read_parquet(path, limits)
    if table.cells.empty:
        log = ProblemLog(table.source)
        what = "records" if fmt == "parquet" else "data rows"
        log.add(
            "empty_file",
            f"no {what}" + ("" if not table.headers else " under the header"),
            row=table.source.header_row,
        )
        raise refuse(log)
    _check_cell_lengths(table, limits)
    return table


def _fail(source: Source, code: str, message: str, row: int | None = None) -> ImportValidationError:
    log = ProblemLog(source)
    log.add(code, message, row=row)
    return refuse(log)


def _check_cell_lengths(table: RawTable, limits: ReadLimits) -> None:
    """Refuse the file at its first cell longer than `limits.max_cell_chars`, naming it."""
    for position, header in enumerate(table.headers):
        column = table.cells[position]
        if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
            continue
        lengths = column.astype("str").str.len()
        over = lengths[lengths > limits.max_cell_chars]
        if len(over):
            log = ProblemLog(table.source)
            log.add(
                "cell_too_long",
                f"a cell of {int(over.iloc[0]):,} characters, over the limit of "
                f"{limits.max_cell_chars:,}",
                row=int(over.index[0]),
                column=header,
            )
            raise FileTooLargeError(log.report())


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, source: Source) -> tuple[str, tuple[str, ...]]:
    """The file's text and notes on how it was decoded.

    UTF-8 (with or without a byte-order mark) and UTF-16 with one are read as such; other
    bytes as Windows-1252 (Excel's "CSV" on Windows), with a note. Bytes that are neither,
    and NUL bytes outside UTF-16, are refused naming the line of the first bad byte.

    Examples:
        >>> decode_text("naïve".encode("cp1252"), Source("a.csv"))
        ('naïve', ('the file is not UTF-8; read it as Windows-1252',))
        >>> try:
        ...     decode_text(b"id\\n\\x81", Source("a.csv"))
        ... except FileUnreadableError as error:
        ...     print(error.report.problems[0].text)
        a.csv, row 2: the text is neither UTF-8 nor Windows-1252 (byte 0x81): save the file as UTF-8
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), ()
            except UnicodeDecodeError as error:
                raise _undecodable(data, error.start, source, encoding.upper()) from None
    if (nul := data.find(b"\x00")) >= 0:
        raise unreadable(
            source,
            "the file holds NUL bytes: a binary file, or UTF-16 without a byte-order mark "
            "(save it as UTF-8 CSV)",
            row=data.count(b"\n", 0, nul) + 1,
        )
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ("the file is not UTF-8; read it as Windows-1252",)
    except UnicodeDecodeError as error:
        raise _undecodable(data, error.start, source, "UTF-8 nor Windows-1252") from None


def _undecodable(data: bytes, position: int, source: Source, what: str) -> FileUnreadableError:
    return unreadable(
        source,
        f"the text is neither {what} (byte 0x{data[position]:02x}): save the file as UTF-8"
        if "nor" in what
        else f"the text is not valid {what} (byte 0x{data[position]:02x})",
        row=data.count(b"\n", 0, position) + 1,
    )


def _read_csv(path: Path, fit: HeaderFit, limits: ReadLimits) -> RawTable:
    tsv = path.suffix.lower() == ".tsv"
    text, notes = decode_text(path.read_bytes(), Source(path.name))
    header_row, start, titled = _csv_header_line(text, fit, tsv)
    title = _title_lines(text[:start], tsv) if titled else ()
    text = text[start:] if start else text  # lines above the header are not read
    if titled:
        notes += (f"the header is row {header_row}; the rows above it (a title?) were skipped",)
    source = Source(path.name, header_row=header_row)
    found = _LINE_END.search(text, 0, 100_000)
    sep = "\t" if tsv else _sniff_delimiter(text[: 100_000 if found is None else found.start()])
    check_text_shape(text, sep, source, limits)
    frame = _parse_csv(text, sep, source, header_row - 1)
    if frame.empty:
        raise _fail(source, "empty_file", "the file has no header row (only blank lines)")
    headers = tuple(str(h).strip() for h in frame.iloc[0])
    cells = frame.iloc[1:].fillna("")
    cells.index = cells.index + header_row  # line 0 is the header, shown as its row
    return RawTable(source, headers, _drop_blank_rows(cells), "csv", notes, title)


def _title_lines(text: str, tsv: bool) -> tuple[str, ...]:
    """The non-blank lines of `text` (the lines above a CSV's header), their cells joined."""
    lines = (line for line in _LINE_END.split(text) if line.strip())
    rows = (
        next(csv.reader([line], delimiter="\t" if tsv else _sniff_delimiter(line)), [])
        for line in lines
    )
    return tuple(" ".join(c.strip() for c in row if c.strip()) for row in rows)


def _csv_header_line(text: str, fit: HeaderFit, tsv: bool) -> tuple[int, int, bool]:
    """(row number, character offset, whether non-blank lines above it were skipped) of the
    header: of the first `HEADER_SCAN_ROWS` lines (each split on its own likeliest
    delimiter), the non-blank one that `header_choice` picks."""
    scanned: list[tuple[int, int, tuple[str, ...]]] = []
    offset = 0
    for number in range(1, HEADER_SCAN_ROWS + 1):
        found = _LINE_END.search(text, offset)
        end = -1 if found is None else found.start()
        line = (text[offset:] if end < 0 else text[offset:end])[:100_000]
        sep = "\t" if tsv else _sniff_delimiter(line)
        cells = [c.strip() for c in next(csv.reader([line], delimiter=sep), [])]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            scanned.append((number, offset, tuple(cells)))
        if found is None:
            break
        offset = found.end()
    if not scanned:
        return 1, 0, False
    chosen = header_choice([cells for _, _, cells in scanned], fit)
    number, offset, _ = scanned[chosen]
    return number, offset, chosen > 0


def header_choice(rows: list[tuple[str, ...]], fit: HeaderFit) -> int:
    """Which of a file's first non-blank rows is its header: rows holding no amount (a data
    row has "1,200.00" or "504"; a header has names) before rows that do; then the one that
    `fit`s best; among equals (no row fits any kind, as with unfamiliar headers), the first
    that is not a title-like narrow row, one with at most half as many non-empty cells as
    most rows have ("Monthly revenue export - Globo (USD)" above "Cust. Name,Period,Amount").

    Measured reason (rt11 R-M4): the first non-empty row won every tie, so a CSV whose title
    line sat above an unfamiliar header was read with the title as its one-column header
    and refused with "row has 3 cells but the header has 1"; and a data row whose month
    cell fitted a pivot's month column ("Acme,2025-01,$1,200.00") beat such a header.

    Examples:
        >>> no_fit = lambda cells: (0.0, 0)
        >>> header_choice([("Revenue export (USD)",), ("Cust. Name", "Period", "Amount"),
        ...                ("Wayne", "Jan-2025", "$12.00")], no_fit)
        1
        >>> header_choice([("customer", "month"), ("Acme", "2025-01", "1")], no_fit)
        0
    """
    widths = Counter(sum(1 for c in cells if c) for cells in rows)
    modal = max(widths, key=lambda width: (widths[width], width))
    amounts = parse_amounts(pd.Series([c for cells in rows for c in cells if c], dtype="object"))
    flags = iter(amounts.values.notna().tolist())
    holds_amount = [any([next(flags) for c in cells if c]) for cells in rows]

    def key(index: int) -> tuple[bool, tuple[float, int], bool]:
        filled = sum(1 for c in rows[index] if c)
        return not holds_amount[index], fit(rows[index]), filled * 2 > modal

    return max(range(len(rows)), key=lambda index: (key(index), -index))


def _sniff_delimiter(line: str) -> str:
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _parse_csv(text: str, sep: str, source: Source, skipped: int = 0) -> pd.DataFrame:
    """The text's cells (line 0 first); `skipped` lines above it count in row numbers."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise _fail(source, "empty_file", "the file has no header row (only blank lines)") from None
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if not found:
            raise unreadable(source, f"not a readable CSV file ({describe_error(error)})") from None
        expected, line, saw = (int(g) for g in found.groups())
        line += skipped
        raise _fail(
            source,
            "bad_row",
            f"row has {saw} cells but the header has {expected} "
            "(a stray delimiter or an unquoted comma?)",
            row=line,
        ) from None
    except (ValueError, OverflowError, UnicodeError) as error:  # pandas' other refusals
        raise unreadable(source, f"not a readable CSV file ({describe_error(error)})") from None


def _drop_blank_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """Rows without a single non-empty cell (blank lines) are not data; their numbers are
    kept by the others."""
    return cells.loc[~(cells == "").all(axis=1)]


def _read_excel(path: Path, fit: HeaderFit, sheet: str | None, limits: ReadLimits) -> RawTable:
    check_workbook_archive(path, limits)
    with _openpyxl_errors(path):
        return _read_workbook(path, fit, sheet, limits)


@contextmanager
def _openpyxl_errors(path: Path) -> Iterator[None]:
    """openpyxl parses the workbook's XML lazily, and a damaged part surfaces as whatever the
    parser or openpyxl's descriptors raise (KeyError, ValueError, TypeError, zlib.error,
    ParseError, defusedxml's refusals, ...). At this boundary, and only here, any of them
    means "not a readable workbook"; the import's own refusals pass through."""
    try:
        yield
    except ImportValidationError:
        raise
    except MemoryError:
        raise
    except Exception as error:  # a damaged file; see the docstring
        raise unreadable(
            Source(path.name), f"not a readable .xlsx workbook ({describe_error(error)})"
        ) from None


def workbook_sheets(path: Path, limits: ReadLimits | None = None) -> list[str]:
    """The worksheet names of a workbook, read within `limits` (typed refusals only)."""
    from openpyxl import load_workbook

    limits = limits or ReadLimits()
    check_size(path, limits.max_mb)  # first, as `read_table` does: the same refusal either way
    check_workbook_archive(path, limits)
    with _openpyxl_errors(path):
        book = load_workbook(path, read_only=True, data_only=False)
        try:
            return [ws.title for ws in book.worksheets]
        finally:
            book.close()


def _read_workbook(path: Path, fit: HeaderFit, sheet: str | None, limits: ReadLimits) -> RawTable:
    from openpyxl import load_workbook  # imported here: only Excel imports pay for it

    book = load_workbook(path, read_only=True, data_only=False)
    width_cap = limits.max_columns + 1
    try:
        names = [ws.title for ws in book.worksheets]
        if sheet is not None and sheet not in names:
            raise _fail(
                Source(path.name),
                "unknown_sheet",
                f"no sheet {sheet!r}; sheets: {', '.join(names)}",
            )
        found = {
            ws.title: _sheet_header(
                ws.iter_rows(max_row=HEADER_SCAN_ROWS, max_col=width_cap, values_only=True),
                fit,
            )
            for ws in book.worksheets
        }
        headed = {name: header.headers for name, header in found.items() if header.headers}
        if not headed:
            raise _fail(Source(path.name), "empty_file", "no sheet has a header row")
        # max keeps the first of equals
        chosen = sheet if sheet is not None else max(headed, key=lambda n: fit(headed[n]))
        header_row, headers, title = found[chosen]
        notes: tuple[str, ...] = ()
        if header_row < 0:
            header_row = -header_row
            notes = (f"the header is row {header_row}; the rows above it (a title?) were skipped",)
        source = Source(path.name, sheet=chosen, header_row=header_row)
        if len(headers) > limits.max_columns:
            raise too_large(
                source, f"the header has over {limits.max_columns:,} columns", row=header_row
            )
        rows = book[chosen].iter_rows(
            min_row=header_row + 1, max_col=max(1, len(headers)), values_only=True
        )
        cells = _excel_cells(rows, len(headers), header_row + 1, limits.max_rows, source)
    finally:
        book.close()
    return RawTable(source, headers, _drop_blank_rows(cells), "excel", notes, title)


class _SheetHeader(NamedTuple):
    row: int
    headers: tuple[str, ...]
    title: tuple[str, ...]


def _sheet_header(rows: Iterator[tuple[object, ...]], fit: HeaderFit) -> _SheetHeader:
    """(row number, headers, title) of the header row `header_choice` picks among the
    non-empty rows (trailing empty headers dropped). Row 0 when every row is empty; a
    negative number when non-empty rows above the header were skipped (a title, whose rows'
    texts are `title`), the header then being on row -number."""
    found: list[tuple[int, tuple[str, ...]]] = []
    for number, row in enumerate(rows, start=1):
        texts = [_excel_text(v) for v in row]
        if any(texts):
            while texts and not texts[-1]:
                texts.pop()
            found.append((number, tuple(texts)))
    if not found:
        return _SheetHeader(0, (), ())
    chosen = header_choice([cells for _, cells in found], fit)
    number, header = found[chosen]
    above = tuple(" ".join(t.strip() for t in cells if t.strip()) for _, cells in found[:chosen])
    return _SheetHeader(-number if chosen else number, header, above)


def _excel_cells(
    rows: Iterator[tuple[object, ...]], width: int, first_row: int, max_rows: int, source: Source
) -> pd.DataFrame:
    """The rows as text, refused as soon as there are more than `max_rows`."""
    data: list[list[str]] = []
    for row in rows:
        if len(data) == max_rows:
            raise too_large(source, f"over {max_rows:,} rows under the header")
        data.append([_excel_text(v) for v in (row + (None,) * width)[:width]])
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


def _read_parquet(path: Path, limits: ReadLimits) -> RawTable:
    """Typed columns of single values (checked in the footer first); timestamps and dates
    stay Python objects, so a year 9999 is a value to validate, not an overflow."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = Source(path.name, row_label="record", header_row=None)
    check_parquet_metadata(path, limits)
    try:
        frame = pq.read_table(path).to_pandas(timestamp_as_object=True, date_as_object=True)
    except (pa.ArrowException, OSError, ValueError, TypeError, OverflowError) as error:
        raise unreadable(source, f"not a readable Parquet file ({describe_error(error)})") from None
    headers = tuple(str(name) for name in frame.columns)
    frame.columns = pd.RangeIndex(len(headers))
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    for position in frame.columns:  # dictionary columns: their values, not a Categorical
        if isinstance(frame[position].dtype, pd.CategoricalDtype):
            frame[position] = frame[position].astype(object)
    return RawTable(source, headers, frame, "parquet")
