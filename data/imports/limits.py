"""Read limits, checked before the bytes they guard are parsed.

Contract: a file over a limit is refused with `FileTooLargeError`, a damaged one with
`FileUnreadableError` (both `ImportValidationError`s naming the file, and the row or column where
there is one), and never reaches the parser that would spend the time or memory.

Method, per format:
- `.xlsx` is a zip archive: the declared uncompressed size of every member is summed from the
  central directory (Python's zipfile never inflates a member past its declared size, so the
  sum bounds what parsing can unpack), and each XML part's prolog is scanned for a DOCTYPE,
  where entity declarations live (an entity bomb needs one; spreadsheet XML never has one).
  openpyxl also parses through defusedxml when it is installed (it is a dependency).
- A zipped Stripe export (`check_zip_archive`): the same member count and declared-size sum,
  and every member's name checked before anything is unpacked (no absolute or '..' path, no
  symbolic link, no encrypted member), each refusal naming the zip and the member.
- CSV: the header line's field count and the file's line count are counted on the decoded
  text, before pandas tokenises it.
- Parquet: rows, columns and uncompressed column-chunk bytes come from the footer metadata.

Measured reason (issue 11): a 6.4 MB workbook holding 1.3 GB of XML ran over 300 s in
`revrisk score`, and a 0.7 MB CSV with 100,000 header names took 75 s to be refused; both are
now refused in milliseconds (tests/redteam/test_files_corpus.py).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from data.imports.report import (
    FileTooLargeError,
    FileUnreadableError,
    ImportValidationError,
    ProblemLog,
    Source,
)

EXCEL_CELL_CHARS = 32_767
"""Excel's own limit on the characters of one cell."""


@dataclass(frozen=True)
class ReadLimits:
    """What one import or scored file may hold (sizes in MB = 10^6 bytes).

    `max_unpacked_mb` bounds what a compressed file (.xlsx, Parquet) unpacks to; `max_rows`
    counts data rows (CSV: lines), `max_columns` header cells, `max_cell_chars` one cell.

    Examples:
        >>> ReadLimits(max_mb=5).max_unpacked_mb
        250.0
    """

    max_mb: float = 200.0
    max_unpacked_mb: float = 250.0
    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_cell_chars: int = EXCEL_CELL_CHARS
    max_archive_members: int = 5_000


def too_large(source: Source, message: str, row: int | None = None) -> FileTooLargeError:
    """A `FileTooLargeError` with one problem."""
    log = ProblemLog(source)
    log.add("file_too_large", message, row=row)
    return FileTooLargeError(log.report())


def unreadable(
    source: Source, message: str, row: int | None = None, column: str | None = None
) -> FileUnreadableError:
    """A `FileUnreadableError` with one problem."""
    log = ProblemLog(source)
    log.add("unreadable", message, row=row, column=column)
    return FileUnreadableError(log.report())


def check_text_shape(text: str, sep: str, source: Source, limits: ReadLimits) -> None:
    """Refuse CSV text whose header has more fields, or which has more lines, than allowed.

    Counting separators over-counts a quoted one, so a header near the limit is re-checked by
    the parser; what this must never do is let 100,000 header names reach it.

    Examples:
        >>> check_text_shape("a,b\\n1,2\\n", ",", Source("t.csv"), ReadLimits(max_columns=2))
        >>> try:
        ...     check_text_shape("a,b,c\\n", ",", Source("t.csv"), ReadLimits(max_columns=2))
        ... except FileTooLargeError as error:
        ...     print(error.report.problems[0].text)
        t.csv, row 1: the header has 3 columns, over the limit of 2
    """
    end = text.find("\n")
    header = text if end < 0 else text[:end]
    n_columns = header.count(sep) + 1
    if n_columns > limits.max_columns:
        raise too_large(
            source,
            f"the header has {n_columns:,} columns, over the limit of {limits.max_columns:,}",
            row=1,
        )
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if n_lines - 1 > limits.max_rows:
        raise too_large(
            source,
            f"the file has {n_lines - 1:,} data lines, over the limit of {limits.max_rows:,}",
        )


_XML_PROLOG_BYTES = 1 << 20
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_START_TAG = re.compile(rb"<[A-Za-z_]")


def check_workbook_archive(path: Path, limits: ReadLimits) -> None:
    """Refuse a workbook that is not a readable zip, unpacks past `max_unpacked_mb`, has too
    many members, or declares a DOCTYPE (entity definitions) in any XML part."""
    source = Source(path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_archive_size(
                members,
                source,
                limits,
                ("the workbook", "parts"),
                "a decompression bomb, or a sheet too large to read: save it as CSV",
            )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _check_prolog(archive, member, source)
    except ImportValidationError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as error:
        raise unreadable(source, f"not a readable .xlsx workbook ({_reason(error)})") from None
    except (ValueError, KeyError, RuntimeError) as error:  # zipfile's other refusals
        raise unreadable(source, f"not a readable .xlsx workbook ({_reason(error)})") from None


def _check_archive_size(
    members: list[zipfile.ZipInfo],
    source: Source,
    limits: ReadLimits,
    noun: tuple[str, str],
    why: str,
) -> None:
    """Refuse an archive of more than `max_archive_members` members, or whose members'
    declared sizes sum past `max_unpacked_mb` (`noun`: what the archive and its members are
    called; `why`: the likely cause, shown in brackets)."""
    archive, parts = noun
    if len(members) > limits.max_archive_members:
        raise too_large(
            source,
            f"{archive} holds {len(members):,} {parts}, over the limit of "
            f"{limits.max_archive_members:,}",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_mb * 1e6:
        raise too_large(
            source,
            f"{archive} unpacks to {unpacked / 1e6:,.1f} MB, over the limit of "
            f"{limits.max_unpacked_mb:g} MB ({why})",
        )


_DRIVE = re.compile(r"^[A-Za-z]:")
_SYMLINK = 0o120000


def zip_member_problem(member: zipfile.ZipInfo) -> str | None:
    """Why a zip member may not be extracted, or None: a path that is absolute (or names a
    Windows drive) or climbs out with '..', a symbolic link, an encrypted member.

    Python's `extractall` would rewrite such a path silently (and an unpacker that does not
    could write outside its folder); a link could point anywhere. Both are refused, naming
    the member.

    Examples:
        >>> zip_member_problem(zipfile.ZipInfo("export/customers.jsonl")) is None
        True
        >>> zip_member_problem(zipfile.ZipInfo("../../tmp/x"))
        "unsafe path in the zip: '../../tmp/x' (leaves the archive's folder)"
    """
    name = member.filename
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
        return f"unsafe path in the zip: {name!r} (leaves the archive's folder)"
    if (member.external_attr >> 16) & 0o170000 == _SYMLINK:
        return f"symbolic link in the zip: {name!r} (links are not extracted)"
    if member.flag_bits & 0x1:
        return f"encrypted member in the zip: {name!r} (save the export without a password)"
    return None


def check_zip_archive(path: Path, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    """The members of a zip archive to extract, checked before a byte is unpacked: a readable
    central directory, at most `max_archive_members` members, at most `max_unpacked_mb`
    declared in all (Python's zipfile never inflates a member past its declared size), no
    member `zip_member_problem` refuses. Raises `FileUnreadableError` / `FileTooLargeError`
    naming the archive (and the member)."""
    source = Source(path.name, header_row=None)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise unreadable(source, f"not a readable zip file ({_reason(error)})") from None
    _check_archive_size(
        members, source, limits, ("the zip", "files"), "a decompression bomb, or too large"
    )
    for member in members:
        problem = zip_member_problem(member)
        if problem is not None:
            raise unreadable(source, problem)
    return members


def _check_prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo, source: Source) -> None:
    """Read the part up to its root element (at most 1 MB) and refuse a DOCTYPE there."""
    seen = b""
    with archive.open(member) as part:
        while len(seen) < _XML_PROLOG_BYTES:
            chunk = part.read(65536)
            if not chunk:
                break
            seen += chunk.replace(b"\x00", b"")  # UTF-16 text as ASCII
            head = _skip_declarations(seen)
            if _DOCTYPE.search(head):
                raise unreadable(
                    source,
                    f"part {member.filename!r} declares a DOCTYPE (XML entities); "
                    "refused as a possible entity bomb",
                )
            if _START_TAG.search(seen):
                return
    if len(seen) >= _XML_PROLOG_BYTES:
        raise unreadable(source, f"part {member.filename!r} has no element in its first MB")


def _skip_declarations(seen: bytes) -> bytes:
    """The bytes before the root element's start tag (all of `seen` if none yet)."""
    found = _START_TAG.search(seen)
    return seen if found is None else seen[: found.start()]


_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/[^\s'\"]+")
"""An absolute path (not a member name such as xl/worksheets/sheet1.xml)."""


_PLAIN_REASONS = {
    "BadZipFile": "not a zip archive, as an .xlsx file must be: damaged, or another kind of file",
    "EOFError": "the file ends too early: truncated",
    "UnicodeDecodeError": "bytes in no supported text encoding",
}
"""Words for errors whose own text says little to a user."""


def _reason(error: BaseException) -> str:
    """An exception as a short reason in words: its first line, paths removed, never the
    Python class name (which means nothing to the user: rt8 D16)."""
    name = type(error).__name__
    if name in _PLAIN_REASONS:
        return _PLAIN_REASONS[name]
    said = error.args[0] if isinstance(error, KeyError) and error.args else error
    text = str(said).splitlines()[0] if str(said) else ""
    text = _ABSOLUTE_PATH.sub("<path>", text)[:160].strip()
    return text or "the file could not be parsed"


def describe_error(error: BaseException) -> str:
    """Public form of `_reason`: the exception's first line in words, paths removed.

    Examples:
        >>> describe_error(FileNotFoundError("no such file: /srv/x/a.csv"))
        'no such file: <path>'
        >>> describe_error(KeyError("no item named 'xl/workbook.xml'"))
        "no item named 'xl/workbook.xml'"
        >>> import zipfile
        >>> describe_error(zipfile.BadZipFile("File is not a zip file"))
        'not a zip archive, as an .xlsx file must be: damaged, or another kind of file'
    """
    return _reason(error)


def check_parquet_metadata(path: Path, limits: ReadLimits) -> None:
    """Refuse a Parquet file whose footer is unreadable or declares too many rows, columns or
    uncompressed bytes, or a column of values that are not scalars (lists, structs, maps,
    binary), naming the column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = Source(path.name, row_label="record", header_row=None)
    try:
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
        unpacked = sum(
            meta.row_group(g).column(c).total_uncompressed_size
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        )
    except (pa.ArrowException, OSError, ValueError, IndexError) as error:
        raise unreadable(source, f"not a readable Parquet file ({_reason(error)})") from None
    if meta.num_columns > limits.max_columns:
        raise too_large(
            source, f"{meta.num_columns:,} columns, over the limit of {limits.max_columns:,}"
        )
    if meta.num_rows > limits.max_rows:
        raise too_large(source, f"{meta.num_rows:,} records, over the limit of {limits.max_rows:,}")
    if unpacked > limits.max_unpacked_mb * 1e6:
        raise too_large(
            source,
            f"the file unpacks to {unpacked / 1e6:,.1f} MB, over the limit of "
            f"{limits.max_unpacked_mb:g} MB",
        )
    for field in schema:
        if not scalar_arrow_type(field.type):
            raise unreadable(
                source,
                f"column of {field.type} values: only single values (text, numbers, "
                "booleans, dates) can be imported",
                column=str(field.name),
            )


def scalar_arrow_type(dtype: object) -> bool:
    """True for Arrow types a cell can hold as one value (text, number, bool, date, time
    stamp, decimal, null; a dictionary of those).

    Examples:
        >>> import pyarrow as pa
        >>> scalar_arrow_type(pa.int64()), scalar_arrow_type(pa.list_(pa.int64()))
        (True, False)
    """
    import pyarrow as pa
    import pyarrow.types as t

    assert isinstance(dtype, pa.DataType)
    if t.is_dictionary(dtype):
        return scalar_arrow_type(dtype.value_type)
    checks = (
        t.is_string,
        t.is_large_string,
        t.is_boolean,
        t.is_integer,
        t.is_floating,
        t.is_decimal,
        t.is_date,
        t.is_timestamp,
        t.is_null,
    )
    return any(check(dtype) for check in checks) and not t.is_float16(dtype)


__all__ = [
    "EXCEL_CELL_CHARS",
    "ReadLimits",
    "check_parquet_metadata",
    "check_text_shape",
    "check_workbook_archive",
    "check_zip_archive",
    "describe_error",
    "scalar_arrow_type",
    "too_large",
    "unreadable",
    "zip_member_problem",
]
