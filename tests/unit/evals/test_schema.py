"""The case format: what loads, what is rejected, and that errors name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.schema import CASES_DIR, CaseFileError, DbSpec, load_cases, load_file, parse_line

GOOD = {"id": "c1", "turns": [{"user": "hi", "expect": {"no_tool": True}}]}


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_minimal_case_defaults_to_the_demo_world() -> None:
    loaded = parse_line(json.dumps({"id": "x", "turns": [{"user": "hello"}]}), "f.jsonl", 1)
    assert loaded.case.db == DbSpec(accounts=2000, seed=7)
    assert loaded.case.turns[0].expect.tools == [] and loaded.case.turns[0].expect.refuse is None


def test_extra_keys_on_case_and_turn_are_ignored() -> None:
    case = {"id": "x", "note": "why", "tags": ["a"], "turns": [{"user": "hi", "comment": "c"}]}
    assert parse_line(json.dumps(case), "f.jsonl", 1).case.id == "x"


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "bad.jsonl",
        json.dumps(GOOD),
        json.dumps({**GOOD, "id": "c2"}),
        '{"id": "c3", "turns": [',
    )
    with pytest.raises(CaseFileError) as info:
        load_file(path)
    assert info.value.line == 3 and info.value.path == str(path)
    assert f"{path}:3" in str(info.value) and "invalid JSON" in str(info.value)


def test_unknown_expect_key_names_file_line_and_field(tmp_path: Path) -> None:
    typo = {"id": "c2", "turns": [{"user": "hi", "expect": {"tool": ["portfolio_summary"]}}]}
    path = write_lines(tmp_path / "typo.jsonl", json.dumps(GOOD), json.dumps(typo))
    with pytest.raises(CaseFileError) as info:
        load_file(path)
    message = str(info.value)
    assert f"{path}:2" in message and "turns.0.expect.tool" in message and "unknown key" in message


@pytest.mark.parametrize(
    ("expect", "fragment"),
    [
        ({"tools": ["portfolio_sumary"]}, "unknown tool 'portfolio_sumary'"),
        ({"args": {"score_leakage": {"teir": "Enterprise"}}}, "unknown argument(s) teir"),
        ({"tools": ["score_leakage"], "tools_not_called": ["score_leakage"]}, "both expected"),
        ({"tools": ["score_leakage"], "refuse": True}, "cannot also expect"),
        ({"answer_contains": "ACC000042"}, "answer_contains"),
    ],
)
def test_expectations_that_would_silently_weaken_a_case_are_errors(
    expect: dict[str, object], fragment: str
) -> None:
    with pytest.raises(CaseFileError, match=r"f\.jsonl:4") as info:
        parse_line(
            json.dumps({"id": "x", "turns": [{"user": "q", "expect": expect}]}), "f.jsonl", 4
        )
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "case",
    [
        {"turns": [{"user": "hi"}]},
        {"id": "x", "turns": []},
        {"id": "x", "turns": [{"expect": {}}]},
        {"id": "x", "db": {"acounts": 10}, "turns": [{"user": "hi"}]},
        ["not", "an", "object"],
    ],
)
def test_malformed_cases_are_rejected(case: object) -> None:
    with pytest.raises(CaseFileError, match=r"f\.jsonl:1"):
        parse_line(json.dumps(case), "f.jsonl", 1)


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first = write_lines(tmp_path / "a.jsonl", json.dumps(GOOD))
    second = write_lines(tmp_path / "b.jsonl", "", json.dumps(GOOD))
    with pytest.raises(CaseFileError, match=r"b\.jsonl:2: duplicate case id 'c1'"):
        load_cases([first, second])


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="no cases"):
        load_file(write_lines(tmp_path / "empty.jsonl", "", "  "))
    with pytest.raises(CaseFileError, match="cannot read"):
        load_file(tmp_path / "missing.jsonl")


def test_project_cases_meet_the_issue_minimums() -> None:
    cases = load_cases()
    turns = [turn for item in cases for turn in item.case.turns]
    assert len(cases) >= 150 and len(turns) >= 250
    from tools.schemas import TOOL_ARGS

    for tool in TOOL_ARGS:
        n = sum(
            1 for item in cases if any(tool in t.expect.required_tools for t in item.case.turns)
        )
        assert n >= 8, f"{tool} appears in only {n} cases"
    assert sum(1 for t in turns if t.expect.refuse) >= 15
    assert sum(1 for item in cases if len(item.case.turns) > 1) >= 30
    assert {p.name for p in CASES_DIR.glob("*.jsonl")} >= {
        "smoke.jsonl",
        "refusals.jsonl",
        "multi_turn.jsonl",
    }
