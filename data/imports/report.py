"""What an import tells its user: problems (each naming file, row, column and value), warnings,
and the outcome. Shared by reading (loaders), validation and writing (staging).

Row numbers are the ones a spreadsheet user sees: the header is row 1 and the first data row
row 2 (in Excel, the sheet's own row numbers). Parquet files have no header row, so their rows
are called "record" and counted from 1. Column names are the file's own headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

DEFAULT_PROBLEM_CAP = 50
"""How many problems a report lists; it still counts every one."""

_VALUE_CHARS = 80
_ROWS_SHOWN = 5
"""Rows named on a line that stands for the same finding on many rows."""


@dataclass(frozen=True)
class Source:
    """Where rows come from, for messages: file name, Excel sheet, and what a row is called."""

    file: str
    sheet: str | None = None
    row_label: str = "row"
    header_row: int | None = 1

    @property
    def where(self) -> str:
        """'data.xlsx, sheet Accounts' or 'data.csv'."""
        return f"{self.file}, sheet {self.sheet!r}" if self.sheet else self.file


@dataclass(frozen=True)
class Problem:
    """One finding: `code` is stable for programs, `message` is for people.

    Examples:
        >>> Problem("bad_type", "expected a number", "a.csv", row=5, column="mrr", value="abc").text
        "a.csv, row 5, column 'mrr': expected a number (value 'abc')"
    """

    code: str
    message: str
    file: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None
    row_label: str = "row"

    @property
    def text(self) -> str:
        """One line naming file, sheet, row, column and value."""
        return self.text_for(None if self.row is None else f"{self.row_label} {self.row}")

    def text_for(self, rows: str | None) -> str:
        """`text`, with `rows` ("row 5", "rows 3, 4 (2 rows)") where its row is named."""
        parts = [f"{self.file}, sheet {self.sheet!r}" if self.sheet else self.file]
        if rows is not None:
            parts.append(rows)
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        line = ", ".join(parts) + f": {self.message}"
        return line if self.value is None else f"{line} (value {self.value!r})"


def show_value(value: object) -> str | None:
    """A cell value as text for a message: None for an empty cell, long text shortened."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def collapsed(findings: Sequence[Problem]) -> list[str]:
    """One line per distinct finding (code, message, file, sheet, column and value alike),
    naming its rows and, when several, how many: a warning repeated on 22 rows is one line
    "rows 46, 47, 48, 49, 50 … (22 rows)", not 22 (rt11 R-L2).

    Examples:
        >>> same = [Problem("w", "reads like an instruction", "a.csv", row=r, column="id",
        ...                 value="x") for r in (3, 4, 9)]
        >>> collapsed(same)
        ["a.csv, rows 3, 4, 9 (3 rows), column 'id': reads like an instruction (value 'x')"]
        >>> collapsed(same[:1]) == [same[0].text]
        True
    """
    groups: dict[tuple[Any, ...], list[Problem]] = {}
    for finding in findings:
        key = (finding.code, finding.message, finding.file, finding.sheet, finding.column,
               finding.value, finding.row_label, finding.row is None)  # fmt: skip
        groups.setdefault(key, []).append(finding)
    lines: list[str] = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1 or first.row is None:
            lines.extend(dict.fromkeys(f.text for f in group))
            continue
        rows = [str(f.row) for f in group]
        shown = ", ".join(rows[:_ROWS_SHOWN]) + (" …" if len(rows) > _ROWS_SHOWN else "")
        lines.append(
            first.text_for(f"{first.row_label}s {shown} ({len(rows):,} {first.row_label}s)")
        )
    return lines


class ProblemLog:
    """Collects problems and warnings: counts all of them, keeps the first `cap` of each."""

    def __init__(self, source: Source, cap: int = DEFAULT_PROBLEM_CAP) -> None:
        self.source = source
        self.cap = cap
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.n_problems = 0
        self.n_warnings = 0

    def add(
        self,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        warning: bool = False,
    ) -> None:
        """Record one problem (or warning)."""
        self.add_cells(code, message, column, [row], [value], warning=warning)

    def add_cells(
        self,
        code: str,
        message: str,
        column: str | None,
        rows: Sequence[int | None],
        values: Sequence[object] | None = None,
        *,
        total: int | None = None,
        warning: bool = False,
    ) -> None:
        """Record the same finding for many cells; `total` counts cells beyond `rows`."""
        kept = self.warnings if warning else self.problems
        room = max(0, self.cap - len(kept))
        for i, row in enumerate(rows[:room]):
            value = None if values is None else values[i]
            kept.append(
                Problem(
                    code,
                    message,
                    self.source.file,
                    None if row is None else int(row),
                    column,
                    show_value(value),
                    self.source.sheet,
                    self.source.row_label,
                )
            )
        count = len(rows) if total is None else total
        if warning:
            self.n_warnings += count
        else:
            self.n_problems += count

    def report(self, **outcome: Any) -> ImportReport:
        """An `ImportReport` with these findings and the given outcome fields."""
        problems = self.problems  # in the order found: the file's own problems first
        return ImportReport(
            file=self.source.file,
            sheet=self.source.sheet,
            problems=tuple(problems),
            n_problems=self.n_problems,
            warnings=tuple(self.warnings),
            n_warnings=self.n_warnings,
            **outcome,
        )


@dataclass(frozen=True)
class ImportReport:
    """Outcome of one import. `ok` is False when any problem was found (nothing was written).

    `n_rows` counts stored rows (a pivot's cells, melted); `import_id` numbers the batch in
    `import_log`; `replaced_import_ids` are earlier batches of the same file it replaced.
    """

    file: str
    kind: str | None = None
    sub_format: str | None = None
    sheet: str | None = None
    table: str | None = None
    n_rows: int = 0
    import_id: int | None = None
    sha256: str | None = None
    replaced_import_ids: tuple[int, ...] = ()
    seconds: float = 0.0
    problems: tuple[Problem, ...] = ()
    n_problems: int = 0
    warnings: tuple[Problem, ...] = field(default=())
    n_warnings: int = 0

    @property
    def ok(self) -> bool:
        """True when the import was accepted."""
        return self.n_problems == 0

    def with_outcome(self, **changes: Any) -> ImportReport:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: every field, problems and warnings as dicts with a `text` line."""
        payload = asdict(self)
        payload["ok"] = self.ok
        payload["problems"] = [{**asdict(p), "text": p.text} for p in self.problems]
        payload["warnings"] = [{**asdict(p), "text": p.text} for p in self.warnings]
        return payload

    def render(self, purpose: str = "import") -> str:
        """Human-readable report: a summary line, then one line per problem and warning.
        `purpose` "score" words a refusal for a scoring command (`revrisk score`): the file
        was not scored, rather than not imported."""
        lines = [self._summary(purpose)]
        lines += [f"  {p.text}" for p in self.problems]
        if self.n_problems > len(self.problems):
            lines.append(f"  … and {self.n_problems - len(self.problems):,} more problems")
        lines += [f"  warning: {text}" for text in collapsed(self.warnings)]
        if self.n_warnings > len(self.warnings):
            lines.append(f"  … and {self.n_warnings - len(self.warnings):,} more warnings")
        return "\n".join(lines)

    def _summary(self, purpose: str = "import") -> str:
        where = f"{self.file}, sheet {self.sheet!r}" if self.sheet else self.file
        kind = f" as {self.kind}" + (f" ({self.sub_format})" if self.sub_format else "")
        if not self.ok and purpose == "score":
            return (
                f"{where}: {self.n_problems:,} problem(s); the file was not scored and no "
                "output was written."
            )
        if not self.ok:
            return (
                f"{where}: {self.n_problems:,} problem(s); import refused, "
                "nothing was written." + ("" if self.kind is None else f" Read{kind}.")
            )
        return (
            f"{where}: imported {self.n_rows:,} rows{kind} into {self.table} "
            f"(import #{self.import_id}) in {self.seconds:.2f} s."
        )


class ImportValidationError(ValueError):
    """Raised when a file is refused; `report` lists every problem found (capped)."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.render())
        self.report = report


class FileUnreadableError(ImportValidationError):
    """The file is not what its extension says, or is damaged: a corrupt or truncated
    workbook, bytes in no supported text encoding, a Parquet column of nested values."""


class FileTooLargeError(ImportValidationError):
    """The file, or what it unpacks to, is over a read limit (bytes, rows, columns, cell
    length); refused before the part over the limit is parsed."""


def refuse(log: ProblemLog, **outcome: Any) -> ImportValidationError:
    """The error to raise for the problems in `log` (call only when `log.n_problems`)."""
    return ImportValidationError(log.report(**outcome))
