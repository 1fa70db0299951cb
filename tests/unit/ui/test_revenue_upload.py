"""A monthly-revenue file dropped in the chat (rt8 D4): recognised from its header as
`revrisk import` recognises it, imported into the session's own warehouse after a
confirmation with the CLI's checks, its problems shown as the CLI shows them; an account file
is still scored."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from cli.main import app
from data.imports import ImportValidationError, import_file, read_table, specs_for
from data.warehouse import connect
from ui import chat, copy, revenue_upload
from ui.revenue_upload import import_revenue, session_warehouse, upload_kind

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


def _pivot_xlsx(path: Path) -> Path:
    """A CFO's workbook: a title row, a blank row, then customer × month (and a Notes column)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Revenue"
    sheet.append(["ACME Corp — monthly recurring revenue by customer (USD)"])
    sheet.append([])
    sheet.append(["Customer", *MONTHS, "Notes"])
    for number in range(1, 6):
        sheet.append([f"CUST-{number:03d}", *[1000.0 * number + m for m in range(12)], ""])
    book.save(path)
    return path


def _long_csv(path: Path) -> Path:
    rows = [f"CUST-{c:03d},{m},{100 * c}" for c in range(1, 4) for m in MONTHS]
    path.write_text("customer_id,month,revenue\n" + "\n".join(rows) + "\n")
    return path


def _bad_csv(path: Path) -> Path:
    path.write_text(
        "customer_id,month,revenue\n"
        "CUST-001,2026-01,100.00\n"
        "CUST-001,2026-02,n/a\n"
        "CUST-002,2026-13,50\n"
        "CUST-001,2026-01,100.00\n"
        ",2026-03,10\n"
    )
    return path


def _accounts_csv(path: Path) -> Path:
    spec = specs_for("leakage_accounts")[0]
    names = [c.name for c in spec.columns]
    row = [
        "ACC000001" if n == "account_id" else "Professional" if n == "tier" else "1" for n in names
    ]
    path.write_text(",".join(names) + "\n" + ",".join(row) + "\n")
    return path


def test_a_revenue_file_is_told_from_its_header_pivot_or_long(tmp_path: Path) -> None:
    pivot = upload_kind(_pivot_xlsx(tmp_path / "rev.xlsx"))
    long = upload_kind(_long_csv(tmp_path / "rev.csv"))
    assert pivot is not None and (pivot.kind, pivot.sub_format) == ("monthly_revenue", "pivot")
    assert long is not None and (long.kind, long.sub_format) == ("monthly_revenue", "long")
    bad = upload_kind(_bad_csv(tmp_path / "bad.csv"))  # bad cells, a revenue header
    assert bad is not None and bad.kind == "monthly_revenue"


def test_an_account_file_or_an_unknown_header_is_not_taken_for_revenue(tmp_path: Path) -> None:
    accounts = upload_kind(_accounts_csv(tmp_path / "accounts.csv"))
    assert accounts is not None and accounts.kind == "leakage_accounts"
    (tmp_path / "odd.csv").write_text("colour,shape\nred,round\n")
    assert upload_kind(tmp_path / "odd.csv") is None


def test_a_revenue_file_is_imported_into_a_new_session_warehouse(tmp_path: Path) -> None:
    shared = tmp_path / "shared.duckdb"
    session = tmp_path / "session"
    session.mkdir()
    outcome = import_revenue(_pivot_xlsx(session / "rev.xlsx"), session, shared)
    assert outcome.db_path == session / revenue_upload.SESSION_DB
    assert not shared.exists()  # the shared warehouse is never written
    assert "imported 60 rows as monthly_revenue (pivot)" in outcome.text
    assert "the header is row 3" in outcome.text  # the CLI's warnings come along
    with connect(outcome.db_path, read_only=True) as con:
        assert con.execute("SELECT count(*), sum(net_revenue) FROM revenue_imports").fetchone() == (
            60,
            sum(1000.0 * n + m for n in range(1, 6) for m in range(12)),
        )


def test_a_second_file_goes_into_the_same_session_warehouse(tmp_path: Path) -> None:
    first = import_revenue(_pivot_xlsx(tmp_path / "rev.xlsx"), tmp_path, None)
    assert first.db_path is not None
    assert session_warehouse(tmp_path, first.db_path) == first.db_path
    other = tmp_path / "other.csv"
    other.write_text("customer_id,month,revenue\n" + "\n".join(f"NEW-1,{m},5" for m in MONTHS))
    second = import_revenue(other, tmp_path, first.db_path)
    assert second.db_path == first.db_path
    with connect(second.db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM revenue_imports").fetchone() == (72,)


def test_a_bad_revenue_file_shows_the_cli_report_and_stores_nothing(tmp_path: Path) -> None:
    bad = _bad_csv(tmp_path / "rev_bad.csv")
    outcome = import_revenue(bad, tmp_path, None)
    assert outcome.db_path is None
    assert not (tmp_path / revenue_upload.SESSION_DB).exists()
    with pytest.raises(ImportValidationError) as cli:  # what `revrisk import` prints
        import_file(bad, tmp_path / "cli.duckdb")
    assert outcome.text == cli.value.report.render()
    for seen in (
        "4 problem(s); import refused",
        "row 4, column 'month': expected a month",
        "row 5, column 'customer_id, month': duplicate",
        "row 6, column 'customer_id': empty cell",
        "row 3, column 'revenue'",
    ):
        assert seen in outcome.text


def test_a_refused_file_leaves_the_session_warehouse_as_it_was(tmp_path: Path) -> None:
    earlier = tmp_path / "rev.csv"
    earlier.write_text("customer_id,month,revenue\nCUST-001,2026-01,100\nCUST-002,2026-01,7\n")
    first = import_revenue(earlier, tmp_path, None)
    assert first.db_path is not None
    outcome = import_revenue(_bad_csv(tmp_path / "rev_bad.csv"), tmp_path, first.db_path)
    assert outcome.db_path is None
    assert "already in revenue_imports" in outcome.text  # CUST-001 2026-01 is there now
    assert outcome.text.endswith(revenue_upload.CHAT_REPLACE_NOTE)
    with connect(first.db_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM revenue_imports").fetchone() == (2,)


# ------------------------------------------------------------------------------ the chat's routing
@dataclass
class _Chat:
    """What the chat sent: messages, confirmations asked, and the turns it ran."""

    said: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    turns: list[str] = field(default_factory=list)
    confirm: bool = True


def _fake_chainlit(seen: _Chat) -> Any:
    class Message:
        def __init__(self, content: str = "", **_: Any) -> None:
            self.content = content

        async def send(self) -> Message:
            seen.said.append(self.content)
            return self

    class AskActionMessage:
        def __init__(self, content: str, actions: list[Any], **_: Any) -> None:
            self.content, self.actions = content, actions

        async def send(self) -> dict[str, Any]:
            seen.asked.append(self.content)
            return {"payload": {"go": seen.confirm}}

    return SimpleNamespace(Message=Message, AskActionMessage=AskActionMessage, Action=dict)


@pytest.fixture
def in_chat(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[_Chat, chat.SessionState]:
    seen, session = _Chat(), chat.SessionState()
    folder = tmp_path / "session"
    folder.mkdir()

    async def answer(question: str) -> str:
        seen.turns.append(question)
        return ""

    monkeypatch.setattr(chat, "cl", _fake_chainlit(seen))
    monkeypatch.setattr(chat, "state", lambda: session)
    monkeypatch.setattr(chat, "upload_dir", lambda: folder)
    monkeypatch.setattr(chat, "answer", answer)
    return seen, session


def _drop(chat_session: tuple[_Chat, chat.SessionState], file: Path, text: str) -> _Chat:
    """The file dropped in the chat with `text`, as `ui.chat.score_uploads` takes it."""
    asyncio.run(chat.score_uploads([(file, file.name)], text))
    return chat_session[0]


def test_the_chat_imports_a_dropped_revenue_file_instead_of_scoring_it(
    in_chat: tuple[_Chat, chat.SessionState], tmp_path: Path
) -> None:
    session = in_chat[1]
    seen = _drop(in_chat, _pivot_xlsx(tmp_path / "rev.xlsx"), "here is our monthly revenue export")
    assert seen.asked and "is a monthly-revenue file (a column per month)" in seen.asked[0]
    assert not any(turn.startswith("Score the file") for turn in seen.turns)
    assert seen.said[-1].startswith(copy.REVENUE_IMPORTED)
    assert "imported 60 rows as monthly_revenue" in seen.said[-1]
    assert session.db_path is not None and Path(session.db_path).name == "revenue.duckdb"
    assert "required column is missing" not in "\n".join(seen.said)


def test_the_chat_shows_a_bad_revenue_file_s_problems_and_keeps_its_warehouse(
    in_chat: tuple[_Chat, chat.SessionState], tmp_path: Path
) -> None:
    session = in_chat[1]
    seen = _drop(in_chat, _bad_csv(tmp_path / "rev_bad.csv"), "which customers are declining?")
    assert seen.said[-1].startswith(copy.REVENUE_REFUSED)
    assert (
        "column 'month': expected a month, such as 2026-05, 2026-05-01, 2026-05-31, "
        "01/05/2026 or 31/05/2026 (first or last day), May-2026 or May 2026 (value '2026-13')"
        in (seen.said[-1])
    )
    assert session.db_path is None
    assert seen.turns == []  # the question is not answered from other data


def test_a_cancelled_revenue_import_says_what_to_do_and_scores_nothing(
    in_chat: tuple[_Chat, chat.SessionState], tmp_path: Path
) -> None:
    in_chat[0].confirm = False
    seen, session = _drop(in_chat, _long_csv(tmp_path / "rev_long.csv"), ""), in_chat[1]
    assert "revrisk import rev_long.csv" in seen.said[-1]
    assert seen.turns == [] and session.db_path is None


def test_an_account_file_is_still_scored(
    in_chat: tuple[_Chat, chat.SessionState], tmp_path: Path
) -> None:
    seen = _drop(in_chat, _accounts_csv(tmp_path / "accounts.csv"), "which are high risk?")
    assert seen.asked == []
    assert len(seen.turns) == 1 and seen.turns[0].startswith("Score the file ")
    assert seen.turns[0].endswith(". which are high risk?")


def test_the_demo_badge_goes_when_the_revenue_import_says_so() -> None:
    """public/revrisk.js removes the "Synthetic demo data" badge on the import's own words."""
    phrase = "answers come from your imported revenue"
    script = (Path(__file__).parents[3] / "public" / "revrisk.js").read_text()
    assert phrase in copy.REVENUE_IMPORTED and f'"{phrase}"' in script


def test_the_title_currency_is_the_same_in_the_chat_and_the_cli(tmp_path: Path) -> None:
    """rt9 N4: the chat's import of a workbook titled "… by customer (USD)" took GBP (the
    default of an empty warehouse) and the CLI took USD; the title now names it for both."""
    book = _pivot_xlsx(tmp_path / "rev_pivot_title.xlsx")
    assert read_table(book).title == ("ACME Corp — monthly recurring revenue by customer (USD)",)
    cli_db = tmp_path / "cli.duckdb"
    result = CliRunner().invoke(app, ["import", str(book), "--db", str(cli_db)])
    assert result.exit_code == 0 and "GBP" not in result.output, result.output
    (tmp_path / "session").mkdir()
    chat_import = import_revenue(book, tmp_path / "session", None)
    assert chat_import.db_path is not None and "GBP" not in chat_import.text, chat_import.text
    for db in (cli_db, chat_import.db_path):
        with connect(db, read_only=True) as con:
            assert con.execute("SELECT DISTINCT currency FROM revenue_imports").fetchall() == [
                ("USD",)
            ]


def test_an_unlabelled_file_gets_one_default_currency_in_the_chat_and_the_cli(
    tmp_path: Path,
) -> None:
    """rt12 T-M13: a file naming no currency became GBP in the chat (a new session warehouse,
    whose default was GBP) and USD through the CLI into the demo warehouse (its only currency).
    Both now take `domain.DEFAULT_CURRENCY`, the currency money without one is written in."""
    from domain import DEFAULT_CURRENCY, format_money

    book = tmp_path / "rev.csv"  # no currency column, no title
    book.write_text(
        "customer_id,month,revenue\n"
        + "".join(f"CUST-00{c},{m},{150 * c + 7}\n" for c in (1, 2, 3) for m in MONTHS)
    )
    demo = tmp_path / "demo.duckdb"  # a warehouse holding the demo's dollars
    dollars = tmp_path / "usd.csv"
    dollars.write_text("customer_id,month,revenue,currency\nACC000001,2025-01,10,USD\n")
    import_file(dollars, demo)
    result = CliRunner().invoke(app, ["import", str(book), "--db", str(demo)])
    assert result.exit_code == 0, result.output
    (tmp_path / "session").mkdir()
    chat_import = import_revenue(book, tmp_path / "session", None)
    assert chat_import.db_path is not None, chat_import.text
    assert f"{DEFAULT_CURRENCY} is the default" in chat_import.text, chat_import.text
    found = []
    for db in (demo, chat_import.db_path):
        with connect(db, read_only=True) as con:
            found.append(
                con.execute(
                    "SELECT DISTINCT currency FROM revenue_imports WHERE customer_id = 'CUST-001'"
                ).fetchall()
            )
    assert found[0] == found[1] == [(DEFAULT_CURRENCY,)], found
    assert format_money(5.0) == format_money(5.0, DEFAULT_CURRENCY)


def _eu_csv(path: Path) -> Path:
    rows = [f"CUST-{c:03d},{m},{150 * c + 7}" for c in range(1, 4) for m in MONTHS]
    path.write_text("customer_id,month,revenue,currency\n" + ",EUR\n".join(rows) + ",EUR\n")
    return path


@pytest.mark.parametrize(
    "text", ["import our EU revenue", "import this one too", "import this instead."]
)
def test_the_words_of_an_import_are_not_answered_as_a_question(
    in_chat: tuple[_Chat, chat.SessionState], tmp_path: Path, text: str
) -> None:
    """rt12 T-L13: after "Import" was clicked, "import our EU revenue" was also answered, with
    an unrequested decline list ("Which account do you mean?", an off-topic refusal)."""
    seen = _drop(in_chat, _eu_csv(tmp_path / "rev_eu.csv"), text)
    assert seen.said[-1].startswith(copy.REVENUE_IMPORTED), seen.said
    assert seen.turns == []


def test_a_question_sent_with_an_import_is_still_answered(
    in_chat: tuple[_Chat, chat.SessionState], tmp_path: Path
) -> None:
    seen = _drop(in_chat, _eu_csv(tmp_path / "rev_eu.csv"), "import this and show the trend")
    assert seen.turns == ["import this and show the trend"]
