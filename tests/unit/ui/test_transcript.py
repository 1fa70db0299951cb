"""The conversation record is rebuilt from the thread's messages."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.turns import GUARD_NOTE_NAME
from ui.transcript import ReportMeta, build_transcript, turns_from_messages

UPLOAD = "/srv/var/uploads/thread-1/accounts.csv"


def thread():
    return [
        HumanMessage(f"Score the file {UPLOAD}"),
        AIMessage(
            "", tool_calls=[{"name": "score_file", "args": {"file_path": UPLOAD}, "id": "c1"}]
        ),
        ToolMessage(
            '{"tool":"score_file","summary":{"n_accounts":3}}',
            tool_call_id="c1",
            name="score_file",
            artifact={
                "tool": "score_file",
                "title": "Scored accounts",
                "table": [{"account_id": "ACC000001"}],
                "chart": {"kind": "risk_distribution", "data": {"counts": {"High": 1}}},
            },
        ),
        AIMessage("3 accounts scored."),
        HumanMessage("why?"),
        HumanMessage("Use only the numbers in the tool results.", name=GUARD_NOTE_NAME),
        AIMessage("Because of failed payments."),
    ]


def test_turns_split_at_user_messages_not_guard_notes():
    turns = turns_from_messages(thread())
    assert [t.question for t in turns] == [f"Score the file {UPLOAD}", "why?"]
    assert turns[1].answer == "Because of failed payments." and turns[1].tools == []


def test_tool_calls_keep_args_content_and_artifact():
    record = turns_from_messages(thread())[0].tools[0]
    assert record.name == "score_file" and record.args == {"file_path": UPLOAD}
    assert '"n_accounts":3' in record.content
    assert (
        record.view.title == "Scored accounts" and record.view.chart["kind"] == "risk_distribution"
    )


def test_upload_paths_are_redacted_everywhere():
    turns = turns_from_messages(thread(), redact={UPLOAD: "accounts.csv"})
    assert turns[0].question == "Score the file accounts.csv"
    assert turns[0].tools[0].args == {"file_path": "accounts.csv"}


def test_missing_tool_result_is_tolerated():
    messages = [
        HumanMessage("q"),
        AIMessage("", tool_calls=[{"name": "t", "args": {}, "id": "x"}]),
        AIMessage("a"),
    ]
    record = turns_from_messages(messages)[0].tools[0]
    assert record.view is None and record.content == ""


def test_build_transcript_carries_meta():
    transcript = build_transcript(thread(), ReportMeta(model="offline-planner"))
    assert transcript.meta.model == "offline-planner" and len(transcript.turns) == 2
