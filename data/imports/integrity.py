"""Warehouse integrity rules that DuckDB does not enforce for the fact tables.

The schema keeps foreign keys and composite UNIQUEs off the fact tables (their indexes made
large loads slow, see data/schema.sql), so they are declared here once and used twice:
the importer checks a staged batch against them before writing (reporting file rows), and
`check_integrity` verifies the whole warehouse inside the import transaction before COMMIT.
Every query returns the offending keys, never a bare count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class ForeignKey:
    """`child.columns` must exist in `parent.parent_columns` (NULLs are allowed)."""

    child: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        """'usage_monthly.account_id -> accounts.account_id'."""
        return (
            f"{self.child}.{', '.join(self.columns)} -> "
            f"{self.parent}.{', '.join(self.parent_columns)}"
        )


@dataclass(frozen=True)
class UniqueKey:
    """No two rows of `table` share `columns`."""

    table: str
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        """'unique invoices(account_id, period)'."""
        return f"unique {self.table}({', '.join(self.columns)})"


def _fk(child: str, column: str, parent: str, parent_column: str | None = None) -> ForeignKey:
    return ForeignKey(child, (column,), parent, (parent_column or column,))


FOREIGN_KEYS: tuple[ForeignKey, ...] = (
    _fk("contracts", "account_id", "accounts"),
    _fk("usage_monthly", "account_id", "accounts"),
    _fk("invoices", "account_id", "accounts"),
    _fk("invoices", "contract_id", "contracts"),
    _fk("invoice_lines", "invoice_id", "invoices"),
    _fk("payment_methods", "account_id", "accounts"),
    _fk("payments", "invoice_id", "invoices"),
    _fk("payments", "account_id", "accounts"),
    _fk("payments", "method_id", "payment_methods"),
)
"""Every reference between raw tables (the dimension ones DuckDB also enforces itself)."""

UNIQUE_KEYS: tuple[UniqueKey, ...] = (
    UniqueKey("invoices", ("account_id", "period")),
    UniqueKey("payments", ("invoice_id", "attempt_no")),
)
"""Composite uniqueness the schema leaves to the importer."""


@dataclass(frozen=True)
class Violation:
    """A broken rule: `keys` are the first offending key values, `n_keys` how many there are."""

    rule: str
    table: str
    columns: tuple[str, ...]
    keys: tuple[tuple[object, ...], ...]
    n_keys: int


def orphans_query(fk: ForeignKey, relation: str | None = None, extra: str = "") -> str:
    """SELECT of `relation` rows (default: the child table) whose reference has no parent.

    `extra` prepends more select items (the importer's row numbers).

    Examples:
        >>> print(orphans_query(FOREIGN_KEYS[1]))  # doctest: +NORMALIZE_WHITESPACE
        SELECT c."account_id" FROM "usage_monthly" c WHERE c."account_id" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "accounts" p WHERE p."account_id" = c."account_id")
    """
    joined = " AND ".join(
        f'p."{pc}" = c."{cc}"' for cc, pc in zip(fk.columns, fk.parent_columns, strict=True)
    )
    present = " AND ".join(f'c."{cc}" IS NOT NULL' for cc in fk.columns)
    items = ", ".join([*([extra] if extra else []), *(f'c."{cc}"' for cc in fk.columns)])
    return (
        f'SELECT {items} FROM "{relation or fk.child}" c WHERE {present} '
        f'AND NOT EXISTS (SELECT 1 FROM "{fk.parent}" p WHERE {joined})'
    )


def duplicates_query(key: UniqueKey) -> str:
    """SELECT of key values held by more than one row of the table."""
    columns = ", ".join(f'"{c}"' for c in key.columns)
    return f'SELECT {columns} FROM "{key.table}" GROUP BY {columns} HAVING count(*) > 1'


def rules_for(tables: Iterable[str] | None = None) -> list[ForeignKey | UniqueKey]:
    """The rules a write to `tables` can break (all rules when None).

    Examples:
        >>> [rule.name for rule in rules_for(["payment_methods"])]
        ['payment_methods.account_id -> accounts.account_id']
    """
    wanted = None if tables is None else set(tables)
    rules: list[ForeignKey | UniqueKey] = [
        fk for fk in FOREIGN_KEYS if wanted is None or fk.child in wanted
    ]
    rules += [key for key in UNIQUE_KEYS if wanted is None or key.table in wanted]
    return rules


def check_integrity(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str] | None = None, limit: int = 20
) -> list[Violation]:
    """Every broken rule of `rules_for(tables)`, with up to `limit` offending keys each.

    Examples:
        >>> from data.warehouse import ensure_schema
        >>> con = duckdb.connect()
        >>> ensure_schema(con)
        >>> _ = con.execute("INSERT INTO usage_monthly VALUES "
        ...                 "('ACC000009', DATE '2025-01-01', 1, 1, NULL, 50, 0)")
        >>> [(v.rule, v.keys) for v in check_integrity(con)]
        [('usage_monthly.account_id -> accounts.account_id', (('ACC000009',),))]
    """
    found = []
    for rule in rules_for(tables):
        if isinstance(rule, ForeignKey):
            query, table, columns = orphans_query(rule), rule.child, rule.columns
        else:
            query, table, columns = duplicates_query(rule), rule.table, rule.columns
        distinct = f"SELECT DISTINCT * FROM ({query})"
        n_keys = int(con.execute(f"SELECT count(*) FROM ({distinct})").fetchall()[0][0])
        if n_keys:
            keys = con.execute(f"{distinct} ORDER BY ALL LIMIT {int(limit)}").fetchall()
            found.append(Violation(rule.name, table, columns, tuple(map(tuple, keys)), n_keys))
    return found
