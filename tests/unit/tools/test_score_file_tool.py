"""`score_file`: uploads folder confinement, files, filters, thresholds, validation, progress."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from agent.offline.narratives import narrate
from tools.context import Context
from tools.uploads import OutsideUploadsError, resolve_upload

ToolCall = Callable[..., tuple[dict[str, Any], dict[str, Any]]]


@pytest.fixture
def uploads(tmp_path: Path, sample_file: Path) -> Path:
    """A chat session's upload folder holding the reference sample file."""
    folder = tmp_path / "uploads" / "thread-1"
    folder.mkdir(parents=True)
    shutil.copy(sample_file, folder / "accounts.csv")
    return folder


def _context(world: Path, uploads: Path, **knobs: Any) -> Context:
    return Context(db_path=str(world), upload_dir=str(uploads), **knobs)


def test_scored_files_land_in_the_upload_folder(world: Path, uploads: Path, call: ToolCall) -> None:
    events: list[Any] = []
    content, artifact = call(
        "score_file",
        {"file_path": str(uploads / "accounts.csv")},
        _context(world, uploads),
        events.append,
    )
    summary = content["summary"]
    assert summary["file"] == "accounts.csv" and summary["n_accounts"] == 100
    levels = summary["n_high_risk"] + summary["n_medium_risk"] + summary["n_low_risk"]
    assert levels == 100
    names = {item["name"]: item for item in artifact["files"]}
    assert set(names) == {"accounts_scored.csv", "accounts_scored.xlsx"}
    for item in names.values():
        assert Path(item["path"]).parent == uploads and Path(item["path"]).is_file()
    assert names["accounts_scored.csv"]["mime"] == "text/csv"
    assert len(pd.read_csv(names["accounts_scored.csv"]["path"])) == 100
    counts = artifact["chart"]["data"]["counts"]
    assert artifact["chart"]["kind"] == "risk_distribution" and sum(counts.values()) == 100
    assert len(artifact["chart"]["data"]["probabilities"]) == 100 and len(artifact["table"]) == 100
    steps = [event["progress"] for event in events]
    assert [s["done"] for s in steps] == [0, 1, 2, 3] and {s["total"] for s in steps} == {3}
    assert all(s["label"] for s in steps)


def test_a_bare_name_is_looked_up_in_the_upload_folder(
    world: Path, uploads: Path, call: ToolCall
) -> None:
    content, _ = call("score_file", {"file_path": "accounts.csv"}, _context(world, uploads))
    assert content["summary"]["n_accounts"] == 100


@pytest.mark.parametrize("path", ["SAMPLE", "../secret.csv", "/etc/passwd", "link.csv"])
def test_paths_outside_the_upload_folder_are_refused(
    world: Path, uploads: Path, path: str, call: ToolCall, sample_file: Path
) -> None:
    os.symlink(sample_file, uploads / "link.csv")
    (uploads.parent / "secret.csv").write_text("account_id\nACC000001\n")
    target = str(sample_file) if path == "SAMPLE" else path
    content, artifact = call("score_file", {"file_path": target}, _context(world, uploads))
    assert content["error"] == "forbidden" and artifact["kind"] == "error"
    assert "upload it first" in content["message"] and str(uploads) not in content["message"]


def test_resolve_upload_allows_any_path_outside_the_chat() -> None:
    assert resolve_upload("../x.csv", None) == Path("../x.csv")
    with pytest.raises(OutsideUploadsError):
        resolve_upload("../x.csv", "/srv/uploads/t1")


def test_follow_up_filters_by_risk_level_and_caps_the_list(
    world: Path, uploads: Path, call: ToolCall
) -> None:
    _, first = call("score_file", {"file_path": "accounts.csv"}, _context(world, uploads))
    fifth = sorted((row["leakage_probability"] for row in first["table"]), reverse=True)[4]
    fifth -= 0.001  # the table rounds probabilities to four decimals
    context = _context(world, uploads, high_risk_threshold=fifth, medium_risk_threshold=fifth / 2)
    everything, _ = call("score_file", {"file_path": "accounts.csv"}, context)
    high, artifact = call(
        "score_file", {"file_path": "accounts.csv", "risk_level": "high", "top_n": 3}, context
    )
    n_high = everything["summary"]["n_high_risk"]
    assert n_high >= 5, "the lowered thresholds make the top five accounts High"
    assert (
        high["summary"]["scope"] == "High-risk accounts" and high["summary"]["n_listed"] == n_high
    )
    assert len(high["rows"]) == 3 and {r["risk_level"] for r in high["rows"]} == {"High"}
    assert {row["risk_level"] for row in artifact["table"]} == {"High"} and len(
        artifact["table"]
    ) == n_high
    losses = [row["expected_loss"] for row in high["rows"]]
    assert losses == sorted(losses, reverse=True)


def test_thresholds_come_from_the_context(world: Path, uploads: Path, call: ToolCall) -> None:
    default, _ = call("score_file", {"file_path": "accounts.csv"}, _context(world, uploads))
    strict, _ = call(
        "score_file",
        {"file_path": "accounts.csv"},
        _context(world, uploads, medium_risk_threshold=0.02),
    )
    assert strict["summary"]["n_medium_risk"] > default["summary"]["n_medium_risk"]
    bad, _ = call(
        "score_file",
        {"file_path": "accounts.csv"},
        _context(world, uploads, high_risk_threshold=0.1, medium_risk_threshold=0.2),
    )
    assert bad["error"] == "invalid_request" and "medium < high" in bad["message"]


def test_invalid_workbook_returns_every_problem(world: Path, uploads: Path, call: ToolCall) -> None:
    frame = pd.read_csv(uploads / "accounts.csv").head(10)
    frame["mrr"] = frame["mrr"].astype(object)
    frame.loc[3, "mrr"] = "abc"
    frame.loc[5, "tier"] = "Gold"
    frame.to_excel(uploads / "bad.xlsx", index=False)
    content, artifact = call("score_file", {"file_path": "bad.xlsx"}, _context(world, uploads))
    assert content["error"] == "invalid_file" and "import refused" in content["message"]
    problems = {(p["row"], p["column"], p["value"]) for p in artifact["problems"]}
    assert problems == {(5, "mrr", "abc"), (7, "tier", "Gold")}
    assert all(
        set(p) == {"row", "column", "value", "message", "sheet"} for p in artifact["problems"]
    )
    assert artifact["message"] == content["message"]


def test_missing_file_names_the_file(world: Path, call: ToolCall) -> None:
    content, _ = call(
        "score_file", {"file_path": "nowhere/does_not_exist.csv"}, Context(db_path=str(world))
    )
    assert content["error"] == "invalid_request" and "does_not_exist.csv" in content["message"]
    assert json.loads(json.dumps(content)) == content


def test_an_empty_risk_level_lists_the_riskiest_accounts_instead(
    world: Path, uploads: Path, call: ToolCall
) -> None:
    context = _context(world, uploads, high_risk_threshold=0.99, medium_risk_threshold=0.98)
    content, artifact = call(
        "score_file", {"file_path": "accounts.csv", "risk_level": "High"}, context
    )
    summary = content["summary"]
    assert summary["n_high_risk"] == 0 and summary["n_listed"] == 0
    assert summary["scope"] == "No High-risk accounts; the riskiest accounts instead"
    assert len(content["rows"]) == 10 and len(artifact["table"]) == 100
    assert "No High-risk accounts" in narrate("score_file", json.dumps(content))


def test_a_scored_file_says_what_its_scores_and_medians_rest_on(
    world: Path, uploads: Path, call: ToolCall
) -> None:
    """Scored as a file, an account can differ from the warehouse's score of it (other model,
    other columns), and its factors compare with the file's medians: the answer says both."""
    content, artifact = call(
        "score_file", {"file_path": str(uploads / "accounts.csv")}, _context(world, uploads)
    )
    assert "billing history" in content["message"] and "median of this file" in content["message"]
    factors = " ".join(str(row.get("top_factors", "")) for row in artifact["table"])
    assert "median of this file" in factors and "portfolio median" not in factors
    assert "median of this file" in narrate("score_file", content)
