"""Matching a file's header to a kind: canonical names, aliases, pivot month columns.

Used twice: to detect which kind a file holds (data.imports.loaders scores every kind) and, once the
kind is known, to report missing, doubled and ignored columns with the closest header the
file does have.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from data.imports.column_specs import KindSpec
from data.imports.finance_formats import header_currency
from data.imports.readers import HEADER_SCAN_ROWS
from data.imports.report import ProblemLog


def normalize_header(header: object) -> str:
    """Canonical form of a header: snake_case, CamelCase split, punctuation to '_'.

    Examples:
        >>> [normalize_header(h) for h in ("CustomerID", " Net Revenue ", "mrr")]
        ['customer_id', 'net_revenue', 'mrr']
    """
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(header).strip())
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")


@dataclass(frozen=True)
class HeaderMatch:
    """How a file's headers map onto a spec: canonical name -> column position."""

    positions: dict[str, int]
    missing: tuple[str, ...]
    doubled: dict[str, tuple[int, ...]]
    pivot_positions: tuple[int, ...]
    unused: tuple[int, ...]

    def score(self, spec: KindSpec) -> tuple[float, int]:
        """(share of required columns present, number of columns matched): higher fits better.

        A pivot counts its month columns as one required column.
        """
        n_required = len(spec.required_names) + (1 if spec.pivot else 0)
        found = (
            n_required - len(self.missing) - (1 if spec.pivot and not self.pivot_positions else 0)
        )
        return found / n_required, len(self.positions) + len(self.pivot_positions)


def match_headers(headers: tuple[str, ...], spec: KindSpec) -> HeaderMatch:
    """Map `headers` onto `spec` by canonical name or alias.

    Examples:
        >>> from data.imports.column_specs import specs_for
        >>> m = match_headers(("CustomerID", "2011-01", "2011-02"), specs_for("monthly_revenue")[0])
        >>> m.positions, m.pivot_positions, m.missing
        ({'customer_id': 0}, (1, 2), ())
    """
    names = {normalize_header(a): c.name for c in spec.columns for a in (c.name, *c.aliases)}
    found: dict[str, list[int]] = {}
    pivot: list[int] = []
    unused: list[int] = []
    for position, header in enumerate(headers):
        name = names.get(normalize_header(header))
        if name is None:  # 'Revenue (USD)': the column 'revenue', in USD
            name = names.get(normalize_header(header_currency(str(header))[0]))
        if name is not None:
            found.setdefault(name, []).append(position)
        elif spec.pivot and re.fullmatch(spec.pivot.header_pattern, str(header).strip()):
            pivot.append(position)
        else:
            unused.append(position)
    missing = tuple(name for name in spec.required_names if name not in found)
    doubled = {name: tuple(p) for name, p in found.items() if len(p) > 1}
    positions = {name: p[0] for name, p in found.items()}
    return HeaderMatch(positions, missing, doubled, tuple(pivot), tuple(unused))


HINT_CUTOFF = 0.6
"""Least `difflib` ratio between a header and a column's name or alias to suggest it."""


def closest_headers(headers: tuple[str, ...], spec: KindSpec, match: HeaderMatch) -> dict[str, str]:
    """The header the file most likely meant for each missing required column.

    A header not used by `spec` is suggested for the missing column whose name or alias it
    is closest to (`difflib` ratio of the normalised forms, at least `HINT_CUTOFF`), each
    header for one column, best pairs first. When one required column is missing and one
    header is unused, that header is suggested whatever its spelling (rt12 T-M12: 'Kunde',
    German for customer, shares no letters with 'customer_id' but is the only candidate).

    Examples:
        >>> from data.imports.column_specs import specs_for
        >>> long, pivot = specs_for("monthly_revenue")[1], specs_for("monthly_revenue")[0]
        >>> heads = ("Client", "Mnth", "Amt")
        >>> closest_headers(heads, long, match_headers(heads, long))
        {'month': 'Mnth', 'net_revenue': 'Amt'}
        >>> heads = ("Kunde", "2026-01", "2026-02")
        >>> closest_headers(heads, pivot, match_headers(heads, pivot))
        {'customer_id': 'Kunde'}
    """
    spare = [headers[p] for p in match.unused if str(headers[p]).strip()]
    pairs = []
    for name in match.missing:
        names = [normalize_header(a) for a in (name, *spec.column(name).aliases)]
        for header in spare:
            key = normalize_header(header)
            ratio = max(difflib.SequenceMatcher(None, key, n).ratio() for n in names)
            if ratio >= HINT_CUTOFF:
                pairs.append((-ratio, name, header))
    hints: dict[str, str] = {}
    for _, name, header in sorted(pairs, key=lambda p: p[0]):
        if name not in hints and header not in hints.values():
            hints[name] = header
    if len(match.missing) == 1 and len(spare) == 1 and not hints:
        hints[match.missing[0]] = spare[0]
    return hints


def check_headers(
    headers: tuple[str, ...], spec: KindSpec, match: HeaderMatch, log: ProblemLog
) -> None:
    """Log missing and doubled columns (with the closest unused header) and ignored ones."""
    row = log.source.header_row
    if not match.positions and not match.pivot_positions and spec.required_names:
        held = ", ".join(repr(h) for h in headers if h)[:200] or "nothing"
        where = (
            "; the file's columns are"
            if row is None
            else f" in the first {HEADER_SCAN_ROWS} rows; row {row} holds"
        )
        log.add(
            "header_not_found",
            f"no header with the columns of {spec.kind} found{where} {held}",
            row=row,
        )
    hints = closest_headers(headers, spec, match)
    for name in match.missing:
        hint = f"; did you mean {hints[name]!r}?" if name in hints else ""
        log.add("missing_column", f"required column is missing{hint}", row=row, column=name)
    for name, positions in match.doubled.items():
        shown = ", ".join(repr(headers[p]) for p in positions)
        log.add(
            "duplicate_column",
            f"several columns mean {name!r}: {shown}",
            row=row,
            column=headers[positions[0]],
        )
    if spec.pivot and not match.pivot_positions:
        log.add("missing_column", "no month columns (headers like 2011-03)", row=row)
    for position in match.unused:
        log.add(
            "ignored_column",
            "column not used by this kind; ignored",
            row=row,
            column=headers[position],
            warning=True,
        )
