"""rt9 D7: questions about an uploaded file after it was scored. "Which uploaded account has
the highest risk and why?" names the account of highest leakage probability first, with its
factors, even when the thread listed only part of the file; "what is the total MRR of the
uploaded accounts?" is the sum of the file's own mrr column, said to be that. Figures are
checked against pandas on the file itself, never against the tool's own output."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from agent.run import Agent
from tools.context import Context


@pytest.fixture
def uploaded(tmp_path: Path, sample_file: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    return Path(shutil.copy(sample_file, folder / "accounts.csv"))


def test_the_tool_ranks_the_file_by_probability_and_sums_its_columns(
    world: Path, uploaded: Path, call: Any
) -> None:
    context = Context(db_path=str(world), upload_dir=str(uploaded.parent))
    content, artifact = call(
        "score_file",
        {"file_path": str(uploaded), "order_by": "probability", "top_n": 1},
        context,
    )
    scored = pd.DataFrame(artifact["table"])
    (row,) = content["rows"]
    assert row["account_id"] == scored.loc[scored["leakage_probability"].idxmax(), "account_id"]
    assert row["top_factors"]  # the "why": every factor of that account
    assert "probability" in content["summary"]["ranked_by"]
    raw = pd.read_csv(uploaded)
    sums = content["summary"]["column_sums"]
    assert sums["mrr"] == pytest.approx(raw["mrr"].sum(), abs=0.005)
    assert content["summary"]["column_means"]["mrr"] == pytest.approx(raw["mrr"].mean(), abs=0.005)
    assert "probability_of_leak" not in sums and "leakage_probability" not in sums


def test_follow_ups_about_the_scored_file_in_the_chat(
    world: Path, uploaded: Path, tmp_path: Path
) -> None:
    raw = pd.read_csv(uploaded)
    context = Context(db_path=str(world), upload_dir=str(uploaded.parent), max_rows_to_model=10)
    with Agent.open(context=context, checkpoint=tmp_path / "threads.sqlite") as agent:
        agent.ask(f"Score the file {uploaded}", "t1")  # 100 accounts, 10 listed
        riskiest = agent.ask("which uploaded account has the highest risk and why?", "t1")
        total = agent.ask("What is the total MRR of the uploaded accounts?", "t1")
    (call,) = riskiest.tool_calls
    assert call["name"] == "score_file" and call["args"]["order_by"] == "probability"
    scored = pd.read_csv(uploaded.parent / "accounts_scored.csv")  # the whole scored file
    expected_first = str(scored.loc[scored["leakage_probability"].idxmax(), "account_id"])
    first_named = next(
        word.strip("*:,") for word in riskiest.answer.split() if word.strip("*:,")[:3] == "ACC"
    )
    assert first_named == expected_first, riskiest.answer
    assert "factors" in riskiest.answer and riskiest.faithful
    assert f"{raw['mrr'].sum():,.2f}" in total.answer, total.answer
    assert "sum" in total.answer and "mrr" in total.answer and total.faithful
    assert str(uploaded.parent) not in total.answer  # no server path


def test_a_file_named_accounts5_names_no_account_s5(
    world: Path, tmp_path: Path, sample_file: Path
) -> None:
    """rt12 T-L4: "Score the file …/accounts5.csv" was read as naming account "s5" (the word
    "account" then "s5"): the scoring said "S5 is not in the file", and so did "which of these
    accounts is riskiest?" after it. Both answer for the file's accounts."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    raw = pd.read_csv(sample_file).head(5)
    raw.to_csv(folder / "accounts5.csv", index=False)
    context = Context(db_path=str(world), upload_dir=str(folder))
    with Agent.open(context=context, checkpoint=tmp_path / "threads.sqlite") as agent:
        scored = agent.ask(f"Score the file {folder / 'accounts5.csv'}", "t1")
        riskiest = agent.ask("which of these accounts is riskiest?", "t1")
    for turn in (scored, riskiest):
        assert [c["name"] for c in turn.tool_calls] == ["score_file"], turn.tool_calls
        assert "account_id" not in turn.tool_calls[0]["args"], turn.tool_calls
        assert "S5" not in turn.answer and "not in the file" not in turn.answer, turn.answer
    table = pd.read_csv(folder / "accounts5_scored.csv")
    top = str(table.loc[table["leakage_probability"].idxmax(), "account_id"])
    ids = set(table["account_id"].astype(str))
    first_named = next(w.strip("*:,") for w in riskiest.answer.split() if w.strip("*:,") in ids)
    assert first_named == top, riskiest.answer
