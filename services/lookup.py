"""Errors for ids that are not in the data, with close matches for "did you mean …?", and
the check of a region named as a filter against the regions the warehouse holds.

Regions are data (the accounts' `region` values), not a closed vocabulary of the code: a
region filter is matched case- and spacing-insensitively onto the warehouse's own values
(`emea` is `EMEA`, `north america` is `North America`), and an unknown one raises
`UnknownRegionError` listing the known regions, so the model or the person can ask again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from domain import TIERS


class UnknownIdError(LookupError):
    """An id that is not in the data; `value` is what was asked, `suggestions` close matches."""

    kind = "id"

    def __init__(self, value: str, suggestions: list[str]) -> None:
        self.value = value
        self.suggestions = suggestions
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Unknown {self.kind} {value!r}.{hint}")


class UnknownAccountError(UnknownIdError):
    """An account id that is not in the warehouse."""

    kind = "account"


class UnknownCustomerError(UnknownIdError):
    """A customer id that is not in the revenue data."""

    kind = "customer"


class UnknownRegionError(ValueError):
    """A region filter that no account of the warehouse has; `known` lists the ones it has."""

    def __init__(self, value: str, known: list[str]) -> None:
        self.value = value
        self.known = known
        listed = ", ".join(known) if known else "none (the warehouse has no accounts)"
        super().__init__(f"Unknown region {value!r}. Known regions: {listed}.")


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def canonical(value: str | None, choices: tuple[str, ...], what: str) -> str | None:
    """Case/spacing-insensitive match onto `choices` ('failed payment retry' works)."""
    if value is None:
        return None
    found = {_key(choice): choice for choice in choices}.get(_key(str(value)))
    if found is None:
        raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(choices)}")
    return found


def check_region(con: duckdb.DuckDBPyConnection, region: str | None) -> str | None:
    """`region` as the warehouse spells it (None stays None); `UnknownRegionError` when no
    account has it."""
    if region is None:
        return None
    known = [
        str(row[0])
        for row in con.execute(
            "SELECT DISTINCT region FROM accounts WHERE region IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    found = {_key(value): value for value in known}.get(_key(str(region)))
    if found is None:
        raise UnknownRegionError(str(region), known)
    return found


@dataclass(frozen=True)
class Population:
    """The accounts a question is limited to: a plan tier and/or a region, as the `accounts`
    table holds them (matched case-insensitively by `population`); neither means every
    account. The two travel together from a tool's arguments to the SQL condition."""

    tier: str | None = None
    region: str | None = None


EVERY_ACCOUNT = Population()
"""No tier or region limit."""


def population(
    con: duckdb.DuckDBPyConnection,
    region: str | None = None,
    tier: str | None = None,
    column: str = "account_id",
) -> tuple[str, list[Any], str | None]:
    """The SQL condition (on `column`, an account id) and parameters that keep the accounts
    of `region` and `tier` (the `accounts` table's values; "TRUE" when neither is given),
    and the region as the warehouse spells it (`UnknownRegionError` lists the known ones).
    An id with no `accounts` row (a customer of an imported revenue file) is not kept.
    """
    region = check_region(con, region)
    tier = canonical(tier, TIERS, "tier")
    tests = [(name, value) for name, value in (("region", region), ("tier", tier)) if value]
    if not tests:
        return "TRUE", [], region
    condition = " AND ".join(f"{name} = ?" for name, _ in tests)
    return (
        f"{column} IN (SELECT account_id FROM accounts WHERE {condition})",
        [value for _, value in tests],
        region,
    )


__all__ = [
    "EVERY_ACCOUNT",
    "Population",
    "UnknownAccountError",
    "UnknownCustomerError",
    "UnknownIdError",
    "UnknownRegionError",
    "canonical",
    "check_region",
    "population",
]
