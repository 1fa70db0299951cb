"""Upload staging: per-session folders, accepted types and sizes, safe names, intents."""

from __future__ import annotations

import pytest

from ui import uploads


def test_session_folders_are_separate_and_removable(tmp_path):
    first = uploads.session_dir(tmp_path, "thread-1")
    second = uploads.session_dir(tmp_path, "thread/../2")
    assert first != second and first.is_dir() and second.parent == first.parent
    uploads.remove_session_dir(tmp_path, "thread-1")
    assert not first.exists() and second.exists()


def test_stage_copies_without_overwriting(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("account_id\nACC000001\n")
    folder = uploads.session_dir(tmp_path, "s")
    one = uploads.stage_upload(source, "Q3 accounts.csv", folder, max_mb=1)
    two = uploads.stage_upload(source, "Q3 accounts.csv", folder, max_mb=1)
    assert one.path.name == "Q3_accounts.csv" and two.path.name == "Q3_accounts-2.csv"
    assert one.path.read_text() == source.read_text() and one.size_bytes == source.stat().st_size


@pytest.mark.parametrize(
    ("name", "size", "needle"),
    [
        ("notes.pdf", 10, "I can score .csv, .tsv, .xlsx"),
        ("big.csv", 3 * 1_048_576, "limit is 2 MB"),
        ("noext", 1, "file without extension"),
    ],
)
def test_rejections_are_plain_words(name, size, needle):
    with pytest.raises(uploads.UploadError, match=needle):
        uploads.check_upload(name, size, max_mb=2)


def test_scoring_question_names_the_staged_path(tmp_path):
    staged = uploads.StagedUpload(tmp_path / "a.csv", "a.csv", 10)
    assert uploads.scoring_question(staged) == f"Score the file {tmp_path / 'a.csv'}"


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("", True),
        ("Score this file", True),
        ("please analyse the attached spreadsheet!", True),
        ("which of the uploaded accounts are high risk?", False),
        ("show revenue by region", False),
        ("Import my Stripe export", True),
        ("import our stripe data please.", True),
        ("what is in our stripe data?", False),
        ("here is our stripe export", True),
        ("Here are the files.", True),
        ("here is what happened last month", False),
        ("here is our revenue by customer", True),  # make-run session, 2026-12-05
        ("here are the accounts, which are high risk", False),
        # rt10 N-L5: "import this" sent with rev_us.csv was answered after the import with
        # "Sorry, that's outside what I can help with"
        ("import this", True),
        ("Import this.", True),
        ("please load this", True),
        ("upload this one", True),
        ("import them", True),
        ("add this to our data", True),
        ("use this file", True),
        ("import this and show CUST-003's trend", False),
        ("import this: who is declining?", False),
    ],
)
def test_is_file_only(text, only):
    assert uploads.is_file_only(text) is only


@pytest.mark.parametrize(
    ("text", "export"),
    [
        ("export report", True),
        ("Please download the conversation report", True),
        ("export the trend", False),
        ("report for segment 2", False),
    ],
)
def test_wants_export(text, export):
    assert uploads.wants_export(text) is export


def test_wants_file_only_for_the_starter():
    assert uploads.wants_file("Score a file") and uploads.wants_file(" score a file. ")
    assert not uploads.wants_file("score a file of Q3 accounts")


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("score this file", True),  # sent without the file (rt6 #8: got the capability list)
        ("please check the attached spreadsheet", True),
        ("", False),
        ("which accounts are high risk?", False),
        ("import our stripe export", False),  # a zip is dropped, not asked for as CSV/XLSX
    ],
)
def test_a_file_request_without_a_file_asks_for_it(text, asks):
    assert uploads.wants_file(text) is asks


def test_an_unsupported_file_is_told_what_can_be_imported_and_scored() -> None:
    """rt13 U-L4: notes.txt was told only "I can score .csv, .tsv, .xlsx files"."""
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_upload("notes.txt", 10, max_mb=2)
    text = str(refused.value)
    assert text.startswith("notes.txt is a .txt, which I can neither import nor score.")
    assert "import .csv, .tsv, .xlsx files of monthly revenue and Stripe exports" in text


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("import this", True),
        ("Import this.", True),
        ("please load this file", True),
        ("upload our revenue", True),
        ("score this file", False),  # asks for the file to score (`wants_file`)
        ("import this and show the top customers", False),
        ("Add the overage charges we missed to next month's invoice for ACC000042", False),
        ("what is our revenue?", False),
    ],
)
def test_import_words_without_a_file_are_told_none_arrived(text: str, wanted: bool) -> None:
    """rt13 U-L4: "import this" after an empty upload got the off-topic refusal."""
    assert uploads.wants_import(text) is wanted
    from ui import copy

    assert "nothing to import" in copy.NO_FILE_TO_IMPORT and ".zip" in copy.NO_FILE_TO_IMPORT
