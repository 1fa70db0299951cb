"""Types of the import specs: a column, a pivot layout, a kind (see data.imports.column_specs).

Frozen dataclasses, so a spec can be shared and compared; validation reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from annotated_types import Interval

from data.imports.finance_formats import NAMED_MONTH

Dtype = Literal["text", "int", "float", "decimal", "bool", "date", "month"]
"""Cell types: `decimal` is money (DECIMAL in DuckDB), `month` a first-of-month DATE that may
also be written YYYY-MM, `bool` accepts true/false/yes/no/1/0 in any case."""

MONTH_HEADER = rf"\d{{4}}-\d{{2}}(-\d{{2}})?|\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{4}}|{NAMED_MONTH}"
"""Header of a pivot's month column: 2011-03, a date on the first or last day of the month
(2011-03-01, 2011-03-31, 31/03/2011; data.imports.finance_formats.parse_months decides), or
a named month (Mar-2011, March 2011)."""

NO_BOUNDS = Interval()
"""The range of a column whose numbers may take any value."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column: its canonical (warehouse) name, type and the values it may hold.

    `bounds` (an `annotated_types.Interval`: ge, gt, le, lt) apply to numbers; `allowed` to
    text or integers; `pattern` (a full-match regex) to text.

    Examples:
        >>> ColumnSpec("tier", "text", allowed=("Starter", "Business")).accepts_free_text
        False
        >>> ColumnSpec("name", "text").accepts_free_text
        True
    """

    name: str
    dtype: Dtype
    required: bool = True
    nullable: bool = False
    allowed: tuple[str | int, ...] = ()
    bounds: Interval = NO_BOUNDS
    pattern: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def accepts_free_text(self) -> bool:
        """True for text columns without allowed values or pattern (names, codes, notes)."""
        return self.dtype == "text" and not self.allowed and self.pattern is None


@dataclass(frozen=True)
class PivotSpec:
    """Wide layout: an id column, then one value column per month whose header is the month.

    Rows are melted to (id, `month_column`, `value_column`) before they are stored; empty
    cells mean "no value" and are skipped.
    """

    value: ColumnSpec
    month_column: str = "month"
    header_pattern: str = MONTH_HEADER


@dataclass(frozen=True)
class KindSpec:
    """One importable kind: target table, columns, keys and how batches are stored.

    `keys` must be unique within a file (the first is the table's primary key); when
    `keys_span_imports`, `stored_keys` (default: `keys`; a pivot's are per cell) must also be
    unique against rows already in the table.
    `per_import` kinds carry an `import_id` column, and re-importing a file with the same
    sha256 replaces its earlier batch.
    """

    kind: str
    table: str
    description: str
    columns: tuple[ColumnSpec, ...]
    keys: tuple[tuple[str, ...], ...] = ()
    sub_format: str | None = None
    per_import: bool = False
    keys_span_imports: bool = True
    pivot: PivotSpec | None = None
    cell_keys: tuple[tuple[str, ...], ...] = ()

    @property
    def stored_keys(self) -> tuple[tuple[str, ...], ...]:
        """Keys of the stored rows (a pivot's cells become rows with their own key)."""
        return self.cell_keys or self.keys

    def column(self, name: str) -> ColumnSpec:
        """The spec of column `name` (KeyError when the kind has none)."""
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def required_names(self) -> tuple[str, ...]:
        """Columns a file of this kind must have."""
        return tuple(spec.name for spec in self.columns if spec.required)
