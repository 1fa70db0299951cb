"""What each tool's content carries: `summary` keys, row label and row columns, with formats.

The offline planner's narrative templates (`prompts/narrative_<tool>.md`) use exactly the
summary keys (plus `rows`, `actions`, `note`), which a unit test checks; the tools in this
package fill them. Re-exported by `tools.schemas`. A key has one kind (money, percent, count,
text) in every tool that reports it: `_KINDS` says which, so the specs give only key and label.
The labels are data (tools/result_specs.toml, one table per tool), read and checked once at
import with pydantic: the same table as Python keyword calls was ten near-identical blocks.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

Kind = Literal["money", "percent", "count", "number", "text"]


@dataclass(frozen=True)
class Column:
    """One value in a tool's content: JSON key, reader-facing label, how to format it.

    Kinds: money (account currency, per month unless the key says annual), percent (a
    fraction 0-1), count (integer), number, text.
    """

    key: str
    label: str
    kind: Kind = "text"


@dataclass(frozen=True)
class ResultSpec:
    """What a tool's content carries: `summary` keys, and per row a label plus columns.

    `summary` is what the narrative template renders; `extra` names further summary keys the
    model reads but the narrative leaves out (breakdowns, model versions). A tool's summary
    has exactly these keys.
    """

    summary: tuple[Column, ...] = ()
    row_label: tuple[str, ...] = ()
    rows: tuple[Column, ...] = ()
    extra: tuple[str, ...] = ()
    variants: Mapping[str, ResultSpec] = field(default_factory=dict)
    """Other shapes of the same tool's content, by the name its content gives as `variant`
    (portfolio_summary's "unscored": a book the leakage model cannot score); each has its
    template `prompts/narrative_<tool>_<variant>.md`."""

    @property
    def summary_keys(self) -> frozenset[str]:
        """Every key of the tool's summary: the narrative's and the extra ones."""
        return frozenset(column.key for column in self.summary) | frozenset(self.extra)


_KINDS: dict[Kind, tuple[str, ...]] = {
    "money": (
        "amount",
        "detected_leakage",
        "detected_monthly_leakage",
        "est_monthly_leakage",
        "expected_annual_loss",
        "expected_loss",
        "latest_month_amount",
        "latest_revenue",
        "monthly_change",
        "mrr",
        "previous_mean",
        "recent_mean",
        "revenue",
        "revenue_mean",
        "total_amount",
        "total_detected_leakage",
        "total_expected_annual_loss",
        "total_expected_loss",
        "total_monthly_revenue",
        "total_mrr",
        "trend",
        "year_ago_mean",
    ),
    "percent": (
        "decline_probability",
        "leakage_probability",
        "previous_change",
        "recent_change",
        "relative_change",
        "share",
        "share_declining",
        "share_of_revenue",
        "year_ago_change",
    ),
    "number": ("decline_score",),
    "count": (
        "decline_level",
        "n_accounts",
        "n_anomalies",
        "n_customers",
        "n_declining",
        "n_findings",
        "n_high_risk",
        "n_low_risk",
        "n_medium_risk",
        "n_months",
        "n_rows",
        "n_segments",
        "segment_id",
    ),
}
"""Every key that is not text, by kind: one kind per key, in whichever tool it appears."""

_KIND_OF: dict[str, Kind] = {key: kind for kind, keys in _KINDS.items() for key in keys}


def _columns(labels: dict[str, str]) -> tuple[Column, ...]:
    """Columns in the order given, key -> label; each key's kind comes from `_KINDS`.

    Examples:
        >>> _columns({"n_rows": "rows returned", "scope": "accounts"})[0]
        Column(key='n_rows', label='rows returned', kind='count')
    """
    return tuple(Column(key, label, _KIND_OF.get(key, "text")) for key, label in labels.items())


class _SpecEntry(BaseModel):
    """One `[tool]` table of the spec file, as written (unknown keys refused)."""

    model_config = ConfigDict(extra="forbid")

    summary: dict[str, str] = {}
    row_label: tuple[str, ...] = ()
    rows: dict[str, str] = {}
    extra: tuple[str, ...] = ()
    variants: dict[str, _SpecEntry] = {}


SPEC_FILE = Path(__file__).with_name("result_specs.toml")
"""The tools' labels as data: summary keys, row label and row columns per tool."""


def load_specs(path: Path = SPEC_FILE) -> dict[str, ResultSpec]:
    """Tool name -> `ResultSpec`, from the spec file, in the file's order.

    Raises ValueError naming the file, tool and key on unreadable TOML, an unknown key or a
    value of the wrong type (pydantic checks each table against `_SpecEntry`).

    Examples:
        >>> load_specs()["query_duckdb"].summary
        (Column(key='n_rows', label='rows returned', kind='count'),)
    """
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = TypeAdapter(dict[str, _SpecEntry]).validate_python(tables)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    return {tool: _spec(entry) for tool, entry in entries.items()}


def _spec(entry: _SpecEntry) -> ResultSpec:
    return ResultSpec(
        summary=_columns(entry.summary),
        row_label=entry.row_label,
        rows=_columns(entry.rows),
        extra=entry.extra,
        variants={name: _spec(variant) for name, variant in entry.variants.items()},
    )


def spec_of(tool: str, content: Mapping[str, object]) -> ResultSpec | None:
    """The spec a tool's content follows: the tool's, or the variant its content names.

    Examples:
        >>> spec_of("portfolio_summary", {"variant": "unscored"}).summary[1].key
        'as_of_month'
        >>> spec_of("no_such_tool", {}) is None
        True
    """
    spec = RESULT_SPECS.get(tool)
    variant = content.get("variant")
    return spec.variants.get(str(variant)) if spec is not None and variant else spec


RESULT_SPECS: dict[str, ResultSpec] = load_specs()
"""Tool name → what its content carries (tools/result_specs.toml). Rows of query_duckdb are
free-form (any columns)."""
