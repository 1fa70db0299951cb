"""The tools' contract: argument schemas (what the model may pass) and result specs (what
comes back).

Argument models carry the exact argument names other code depends on (planner, evals, UI);
`account_id` names an account in every tool (decompose_trend's old `customer_id` is still
accepted, `ARGUMENT_ALIASES`). Their field descriptions are part of the JSON schema the model
reads. Validators normalise what a model or a person types (`acc42`, `enterprise`,
`failed payment retry`, `2026/3`) to the canonical values, so tools receive clean arguments.

Strict by design (issue 13): an unknown argument is a validation error, not ignored — with
`extra="ignore"`, `detect_leakage(month=…, billing_system="legacy")` returned every system as if
filtered. ToolNode hands the error back; `invalid_arguments_message` names the bad
arguments and the valid ones so the model's next call can be right. `strict_parameters` /
`openai_tool_spec` give the OpenAI strict-mode form the graph binds (`additionalProperties:
false`, every property required, optional ones nullable, `null` meaning the default), so
a strict endpoint cannot produce an invented argument at all.

`RESULT_SPECS` (tools/result_specs.toml, loaded by tools/result_specs.py, re-exported here)
says which `summary` keys and row columns each tool puts in its content (see tools/results.py)
and how to format them; the offline planner's narrative templates (`prompts/narrative_<tool>.md`)
use exactly the narrative keys, which a unit test checks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, get_type_hints

from langchain_core.tools import BaseTool, tool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from domain import (
    LEAKAGE_TYPES,
    RISK_LEVELS,
    TIERS,
    DeclineRankBy,
    LeakageType,
    RankBy,
    RiskLevel,
    Tier,
    normalise_account_id,
)
from tools import results
from tools.result_specs import RESULT_SPECS, Column, Kind, ResultSpec, spec_of

_TIER_ALIASES = {"pro": "Professional", "ent": "Enterprise", "biz": "Business"}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _canonical(value: Any, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> Any:
    """Case/spacing-insensitive match onto `choices`; unknown values pass through to fail."""
    if not isinstance(value, str):
        return value
    lookup = {_key(choice): choice for choice in choices} | {
        _key(alias): target for alias, target in (aliases or {}).items()
    }
    return lookup.get(_key(value), value)


class _Args(BaseModel):
    """Base of every argument model: unknown arguments are errors, `null` means "not given".

    `extra="forbid"` makes an invented argument (`billing_system="legacy"`) a validation error that
    ToolNode hands back to the model, instead of a silently unfiltered answer. The injected
    `runtime` is not an argument: it is set aside before validation, and LangChain passes it
    to the tools whose function declares it (`runtime: RuntimeArg = None`).
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        """Strict-mode models send every argument, `null` for "not given": use the default.
        The injected runtime is dropped here (LangChain adds it back for the tool)."""
        if not isinstance(data, dict):
            return data
        return {
            key: value
            for key, value in data.items()
            if key not in _INJECTED and (value is not None or key not in cls.model_fields)
        }

    @field_validator("account_id", mode="before", check_fields=False)
    @classmethod
    def _normalise_id(cls, value: Any) -> Any:
        return normalise_account_id(value) if isinstance(value, str) else value

    @field_validator("tier", mode="before", check_fields=False)
    @classmethod
    def _normalise_tier(cls, value: Any) -> Any:
        return _canonical(value, TIERS, _TIER_ALIASES)

    @field_validator("leakage_type", mode="before", check_fields=False)
    @classmethod
    def _normalise_leakage_type(cls, value: Any) -> Any:
        return _canonical(value, LEAKAGE_TYPES)

    @field_validator("risk_level", mode="before", check_fields=False)
    @classmethod
    def _normalise_risk_level(cls, value: Any) -> Any:
        return _canonical(value, RISK_LEVELS)

    @field_validator("region", mode="before", check_fields=False)
    @classmethod
    def _strip_region(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("month", "since", "until", mode="before", check_fields=False)
    @classmethod
    def _normalise_month(cls, value: Any) -> Any:
        return _month_text(value) if isinstance(value, str) else value


_INJECTED = frozenset({"runtime"})
"""Keys the graph injects into a tool call (never the model's arguments)."""

_MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _month_text(value: str) -> str:
    """`2026-03`, `2026-3`, `2026-03-01` and `2026/03` all mean `2026-03`; other text is kept
    (and fails the pattern, with an error the model reads)."""
    match = re.fullmatch(r"\s*([0-9]{4})[-/]([0-9]{1,2})(?:[-/][0-9]{1,2})?\s*", value)
    return f"{match.group(1)}-{int(match.group(2)):02d}" if match else value.strip()


_ACCOUNT = "Account id such as ACC000042 (case and zero-padding are fixed automatically)."
_TOP_N = "How many rows to return, largest first (1-100); null means 10."
_DECLINE = "Decline level: 0 stable, 1 mild, 2 moderate, 3 sharply declining."
_SEGMENT = "Customer segment (cluster) number, as listed by list_segments."
_MONTH = "One calendar month as YYYY-MM (e.g. 2026-03); must lie in the months the data covers."
_SINCE = "First month included, YYYY-MM (e.g. since March 2026: 2026-03)."
_UNTIL = "Last month included, YYYY-MM."
_NULL = " null: no filter."
_TIER = "Only accounts on this plan tier." + _NULL
_REGION = (
    "Only accounts in this region, as the warehouse names it (e.g. EMEA, APAC, LATAM, North "
    "America; case does not matter); an unknown region comes back as an error listing the "
    "known ones." + _NULL
)


def _region() -> Any:
    return Field(default=None, min_length=1, max_length=80, description=_REGION)


def _top_n() -> Any:
    return Field(default=10, ge=1, le=100, description=_TOP_N)


class PortfolioSummaryArgs(_Args):
    """Optional month: detected leakage of that month (predictions are always as of now).

    Keep at least one field: LangChain calls a tool whose schema has no fields with no
    arguments at all, which would drop the injected runtime (and read the default warehouse).
    """

    month: str | None = Field(
        default=None,
        pattern=_MONTH_PATTERN,
        description="Month whose DETECTED leakage to report (YYYY-MM); null: the latest month. "
        "Predicted risk is always as of the latest month.",
    )
    region: str | None = _region()


class ScoreLeakageArgs(_Args):
    account_id: str | None = Field(default=None, description=_ACCOUNT + _NULL)
    tier: Tier | None = Field(default=None, description=_TIER)
    region: str | None = _region()
    risk_level: RiskLevel | None = Field(
        default=None, description="Only this predicted risk." + _NULL
    )
    leakage_type: LeakageType | None = Field(
        default=None,
        description="Only accounts whose most likely leakage is this type." + _NULL,
    )
    top_n: int = _top_n()
    order_by: RankBy = Field(
        default="expected_loss",
        description="Rank by expected_loss next month (most at risk, riskiest: the default), "
        "probability (most likely to leak), detected_leakage (leaking now, biggest leaks) or "
        "at_stake (both: most money at stake); null: expected_loss.",
    )


class ExplainRiskFactorsArgs(_Args):
    account_id: str = Field(description=_ACCOUNT)


class DetectLeakageArgs(_Args):
    leakage_type: LeakageType | None = Field(
        default=None, description="Only this leakage type." + _NULL
    )
    account_id: str | None = Field(default=None, description=_ACCOUNT + _NULL)
    month: str | None = Field(
        default=None, pattern=_MONTH_PATTERN, description=_MONTH + " Use instead of since/until."
    )
    since: str | None = Field(default=None, pattern=_MONTH_PATTERN, description=_SINCE + _NULL)
    until: str | None = Field(default=None, pattern=_MONTH_PATTERN, description=_UNTIL + _NULL)
    tier: Tier | None = Field(default=None, description=_TIER)
    region: str | None = _region()
    top_n: int = _top_n()

    @model_validator(mode="after")
    def _one_way_to_say_when(self) -> DetectLeakageArgs:
        if self.month is not None and (self.since is not None or self.until is not None):
            raise ValueError("give either month, or since/until, not both")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self


class DecomposeTrendArgs(_Args):
    account_id: str = Field(
        validation_alias=AliasChoices("account_id", "customer_id"),
        description=_ACCOUNT + " Imported customers keep their own ids.",
    )


class FindDecliningCustomersArgs(_Args):
    decline_level: int | None = Field(default=None, ge=0, le=3, description=_DECLINE + _NULL)
    segment_id: int | None = Field(default=None, ge=0, description=_SEGMENT + _NULL)
    tier: Tier | None = Field(
        default=None,
        description="Only customers whose warehouse account is on this plan tier (customers "
        "without an account row are left out, and counted)." + _NULL,
    )
    region: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description=_REGION.replace("Only accounts", "Only customers whose account is", 1),
    )
    top_n: int = _top_n()
    order_by: DeclineRankBy = Field(
        default="probability",
        description="Rank by probability (most likely to decline first: the default), "
        'revenue (largest average monthly revenue first: "the biggest declining customers by '
        'revenue", "which of our biggest customers are declining?") or steepness (steepest '
        'fall in revenue per month first: "who is declining fastest?"); null: probability.',
    )


class ListSegmentsArgs(_Args):
    segment_id: int | None = Field(
        default=None, ge=0, description=_SEGMENT + " null: every segment."
    )


class SegmentReportArgs(_Args):
    segment_id: int = Field(ge=0, description=_SEGMENT)
    decline_level: int | None = Field(default=None, ge=0, le=3, description=_DECLINE + _NULL)


class QueryDuckdbArgs(_Args):
    sql: str = Field(
        min_length=1,
        max_length=10_000,
        description="One read-only DuckDB SELECT (a WITH … SELECT is fine) over the warehouse.",
    )


class ScoreFileArgs(_Args):
    file_path: str = Field(min_length=1, description="Path of the uploaded CSV/Excel file.")
    risk_level: RiskLevel | None = Field(
        default=None,
        description="Only list accounts of this predicted risk (counts cover all)." + _NULL,
    )
    top_n: int = _top_n()
    account_id: str | None = Field(
        default=None,
        description="One account OF THE FILE, with all its risk factors: 'why is the third "
        "uploaded account risky?' (never explain_risk_factors, which reads the warehouse)." + _NULL,
    )
    order_by: RankBy = Field(
        default="at_stake",
        description="Rank the listed accounts by at_stake (the default: expected loss next "
        "month plus leakage detected now), expected_loss, probability ('which uploaded account "
        "has the highest risk?': probability with top_n 1 lists it with its risk factors) or "
        "detected_leakage; null: at_stake.",
    )


TOOL_ARGS: dict[str, type[_Args]] = {
    "portfolio_summary": PortfolioSummaryArgs,
    "score_leakage": ScoreLeakageArgs,
    "explain_risk_factors": ExplainRiskFactorsArgs,
    "detect_leakage": DetectLeakageArgs,
    "decompose_trend": DecomposeTrendArgs,
    "find_declining_customers": FindDecliningCustomersArgs,
    "list_segments": ListSegmentsArgs,
    "segment_report": SegmentReportArgs,
    "query_duckdb": QueryDuckdbArgs,
    "score_file": ScoreFileArgs,
}
"""Tool name → argument model, for all ten tools (the planner emits exactly these)."""

ARGUMENT_ALIASES: dict[str, dict[str, str]] = {"decompose_trend": {"customer_id": "account_id"}}
"""Old argument names still accepted (old name → name), so older plans and threads replay."""


def model_arguments(name: str) -> list[str]:
    """The arguments the model may pass to tool `name`, in schema order.

    Examples:
        >>> model_arguments("segment_report")
        ['segment_id', 'decline_level']
    """
    return [field for field in TOOL_ARGS[name].model_fields if field not in _INJECTED]


def strict_parameters(name: str) -> dict[str, Any]:
    """The JSON schema of tool `name`'s arguments in OpenAI strict mode's subset.

    Every object has `additionalProperties: false`; every property is `required`, the
    optional ones nullable (`null` means the default, see `_Args`); `default`, `title` and
    string-length keywords and the injected `runtime` are left out (the args model still
    enforces lengths); `$ref`s are inlined (enums).

    Examples:
        >>> schema = strict_parameters("list_segments")
        >>> schema["required"], schema["additionalProperties"]
        (['segment_id'], False)
        >>> [branch["type"] for branch in schema["properties"]["segment_id"]["anyOf"]]
        ['integer', 'null']
    """
    model = TOOL_ARGS[name]
    shown = {
        field: (model.model_fields[field].annotation, model.model_fields[field])
        for field in model_arguments(name)
    }
    schema = create_model(f"{name}_arguments", **shown).model_json_schema()  # type: ignore[call-overload]
    defs = schema.pop("$defs", {})
    properties: dict[str, Any] = {}
    for field in model_arguments(name):
        prop = _inline(schema["properties"][field], defs)
        prop.pop("default", None)
        prop.pop("title", None)
        if not model.model_fields[field].is_required() and not _nullable(prop):
            prop = {"anyOf": [_without_description(prop), {"type": "null"}]} | (
                {"description": prop["description"]} if "description" in prop else {}
            )
        properties[field] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_NOT_IN_STRICT = frozenset({"title", "minLength", "maxLength"})
"""Keywords OpenAI's strict subset does not take for strings (pydantic still checks them)."""


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = defs[node["$ref"].rsplit("/", 1)[-1]]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**target, **rest}, defs)
        return {k: _inline(v, defs) for k, v in node.items() if k not in _NOT_IN_STRICT}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def _nullable(prop: dict[str, Any]) -> bool:
    return any(branch.get("type") == "null" for branch in prop.get("anyOf", ())) or (
        prop.get("type") == "null"
        or (isinstance(prop.get("type"), list) and "null" in prop["type"])
    )


def _without_description(prop: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in prop.items() if k != "description"}


def openai_tool_spec(tool: BaseTool) -> dict[str, Any]:
    """The OpenAI function-tool definition the graph binds: strict schema, `strict: true`."""
    if tool.name not in TOOL_ARGS:
        return convert_to_openai_tool(tool)
    return {
        "type": "function",
        "function": {
            "name": tool.name,
            "description": tool.description,
            "parameters": strict_parameters(tool.name),
            "strict": True,
        },
    }


def invalid_arguments_message(name: str, errors: Iterable[Mapping[str, Any]]) -> str:
    """What the model reads when its arguments to tool `name` failed validation.

    Names every bad argument with the reason and lists the valid arguments, so the next call
    can be right; a model that invented a filter learns that the filter does not exist.

    Examples:
        >>> print(invalid_arguments_message("list_segments",
        ...       [{"loc": ("region",), "msg": "Extra inputs are not permitted"}]))
        list_segments was not run: `region` is not an argument of list_segments. \
Valid arguments: segment_id. Call it again with valid arguments only, or tell the user \
that this filter is not available.
    """
    valid = model_arguments(name) if name in TOOL_ARGS else []
    problems = []
    for error in errors:
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "runtime")
        if error.get("type") == "extra_forbidden" or "Extra inputs" in str(error.get("msg")):
            problems.append(f"`{field}` is not an argument of {name}")
        elif field:
            problems.append(f"`{field}`: {error.get('msg')}")
        else:
            problems.append(str(error.get("msg")))
    listed = ", ".join(valid) if valid else "none"
    return (
        f"{name} was not run: {'; '.join(problems)}. Valid arguments: {listed}. "
        "Call it again with valid arguments only, or tell the user that this filter is not "
        "available."
    )


__all__ = [
    "ARGUMENT_ALIASES",
    "RESULT_SPECS",
    "TOOL_ARGS",
    "Column",
    "Kind",
    "ResultSpec",
    "invalid_arguments_message",
    "model_arguments",
    "openai_tool_spec",
    "spec_of",
    "strict_parameters",
]


def agent_tool(name: str) -> Callable[[Callable[..., Any]], BaseTool]:
    """The decorator every tool uses: its name, its `TOOL_ARGS` schema and two channels.

    `@agent_tool("score_leakage")` on `def score_leakage(args: ScoreLeakageArgs, runtime:
    RuntimeArg = None)` returning `(content, artifact)` makes the LangChain tool the graph
    binds, so a tool's contract is declared once, in `TOOL_ARGS`: the function receives its
    arguments as that model, validated (a direct call with keywords is validated the same
    way), never as a second list of parameters with types and defaults of its own. A
    function whose `args` is not its tool's model is refused here. A service error raised
    inside the tool's `results.refusals()` block becomes the tool's `results.service_error`
    result here.
    """
    schema = TOOL_ARGS[name]

    def decorate(func: Callable[..., Any]) -> BaseTool:
        if get_type_hints(func).get("args") is not schema:
            raise TypeError(f"tool {name} must take `args: {schema.__name__}`")

        @functools.wraps(func)
        def run(runtime: results.RuntimeArg = None, **arguments: Any) -> Any:
            try:
                return func(schema.model_validate(arguments), runtime)
            except results.RefusalError as refusal:
                return results.service_error(name, refusal.error)

        made: BaseTool = tool(name, args_schema=schema, response_format="content_and_artifact")(run)
        return made

    return decorate
