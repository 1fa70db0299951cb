"""The evaluation case format and its loader.

A case file is JSON Lines: one case per non-blank line.

    {"id": "portfolio-001",
     "db": {"accounts": 2000, "seed": 7},
     "turns": [{"user": "How are we doing overall?",
                "expect": {"tools": ["portfolio_summary"], "refuse": false}}]}

Turns of one case share a thread. Every `expect` key is optional. `clarify: true` expects the
agent to ask instead of guessing: no tool called, and the answer asks the user a question
(`clarify: false`: it must not ask back). Argument names follow `TOOL_ARGS`; an old name listed
in `tools.schemas.ARGUMENT_ALIASES` (`customer_id` for decompose_trend) is read as its new
name. Unknown keys on a case or a
turn are allowed and ignored (`note`, `tags`, ...); unknown keys inside `expect` or `db` are
errors, because a typo there would silently weaken a case. Tool and argument names are
checked against `tools.schemas.TOOL_ARGS` for the same reason.

`load_cases(paths)` raises `CaseFileError` naming the file, the line and the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tools.schemas import ARGUMENT_ALIASES, TOOL_ARGS, model_arguments

CASES_DIR = Path(__file__).parent / "cases"
"""The project's case files (`evals/cases/*.jsonl`)."""


class CaseFileError(ValueError):
    """A case file that cannot be used: unreadable, bad JSON, or not the case format."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class DbSpec(BaseModel):
    """Which synthetic warehouse a case runs against (the default demo: 2,000 accounts, seed 7)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts: int = Field(default=2000, ge=1)
    seed: int = 7


def _check_tool(name: str) -> str:
    if name not in TOOL_ARGS:
        raise ValueError(f"unknown tool {name!r}; tools: {', '.join(TOOL_ARGS)}")
    return name


class Expect(BaseModel):
    """What one turn must do. Empty lists mean "no expectation" (as if the key were absent)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tools: list[str] = Field(default_factory=list)
    tools_not_called: list[str] = Field(default_factory=list)
    args: dict[str, dict[str, Any]] = Field(default_factory=dict)
    no_tool: bool | None = None
    answer_contains: list[str] = Field(default_factory=list)
    refuse: bool | None = None
    clarify: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _current_argument_names(cls, data: Any) -> Any:
        """Old argument names (`ARGUMENT_ALIASES`) become the current ones."""
        if not isinstance(data, dict) or not isinstance(data.get("args"), dict):
            return data
        args = {
            tool: {ARGUMENT_ALIASES.get(tool, {}).get(key, key): value for key, value in a.items()}
            if isinstance(a, dict)
            else a
            for tool, a in data["args"].items()
        }
        return {**data, "args": args}

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        for name in [*self.tools, *self.tools_not_called]:
            _check_tool(name)
        for name, arguments in self.args.items():
            fields = model_arguments(_check_tool(name))
            unknown = sorted(set(arguments) - set(fields))
            if unknown:
                raise ValueError(
                    f"args.{name}: unknown argument(s) {', '.join(unknown)}; "
                    f"{name} takes: {', '.join(fields) or 'no arguments'}"
                )
        required = self.required_tools
        clash = sorted(required & set(self.tools_not_called))
        if clash:
            raise ValueError(f"{', '.join(clash)} both expected and in tools_not_called")
        if required and (self.no_tool or self.refuse or self.clarify):
            raise ValueError(
                "a turn that expects tools cannot also expect no_tool, refuse or clarify"
            )
        if self.clarify and self.refuse:
            raise ValueError("a turn cannot expect both a refusal and a clarifying question")
        if self.clarify and self.no_tool is False:
            raise ValueError("clarify means no tool is called; no_tool: false contradicts it")
        return self

    @property
    def expects_no_tool(self) -> bool:
        """Any tool call is wrong here: `no_tool`, `refuse` or `clarify` is true."""
        return bool(self.no_tool or self.refuse or self.clarify)

    @property
    def required_tools(self) -> set[str]:
        """Tools that must be called: `tools` plus every tool named in `args`."""
        return set(self.tools) | set(self.args)


class Turn(BaseModel):
    """One user message and what the agent must do with it."""

    model_config = ConfigDict(extra="allow", frozen=True)

    user: str = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)


class Case(BaseModel):
    """A conversation: turns in order, on one thread, against one warehouse."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    db: DbSpec = Field(default_factory=DbSpec)
    turns: list[Turn] = Field(min_length=1)


@dataclass(frozen=True)
class LoadedCase:
    """A case with where it came from (for reports and error messages)."""

    case: Case
    file: str
    line: int


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(case)"


def _explain(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (typo?)"
        problems.append(f"{_field(item['loc'])}: {message}")
    return "; ".join(problems)


def parse_line(text: str, path: Path | str, line: int) -> LoadedCase:
    """One JSON Lines record as a case, or `CaseFileError` at `path:line`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(path, line, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise CaseFileError(path, line, f"a case must be a JSON object, got {type(data).__name__}")
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(path, line, _explain(exc)) from None
    return LoadedCase(case, str(path), line)


def load_file(path: Path | str) -> list[LoadedCase]:
    """Every case of one JSON Lines file (blank lines skipped)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseFileError(path, None, f"cannot read: {exc}") from None
    cases = [
        parse_line(raw, path, number)
        for number, raw in enumerate(text.splitlines(), start=1)
        if raw.strip()
    ]
    if not cases:
        raise CaseFileError(path, None, "no cases in file")
    return cases


def load_cases(paths: Iterable[Path | str] | None = None) -> list[LoadedCase]:
    """Cases of `paths` (default: every `evals/cases/*.jsonl`); ids must be unique."""
    files = list(paths) if paths is not None else sorted(CASES_DIR.glob("*.jsonl"))
    if not files:
        raise CaseFileError(CASES_DIR, None, "no case files found")
    seen: dict[str, LoadedCase] = {}
    loaded = []
    for file in files:
        for item in load_file(file):
            first = seen.get(item.case.id)
            if first is not None:
                raise CaseFileError(
                    item.file,
                    item.line,
                    f"duplicate case id {item.case.id!r} (first at {first.file}:{first.line})",
                )
            seen[item.case.id] = item
            loaded.append(item)
    return loaded


__all__ = [
    "CASES_DIR",
    "Case",
    "CaseFileError",
    "DbSpec",
    "Expect",
    "LoadedCase",
    "Turn",
    "load_cases",
    "load_file",
    "parse_line",
]
