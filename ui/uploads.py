"""Chat uploads: where a session's files live, what is accepted, and how an upload becomes a turn.

Each chat session gets its own folder under `<var_dir>/uploads/<session id>/` (removed when
the session ends), so one user's file is never visible to another session. An accepted file
is copied there and scored by the agent's `score_file` tool in an ordinary turn
("Score the file <path>"), so the tool call shows as a step, the scored table and files come
back as its artifact, and follow-up questions about "the uploaded accounts" are answered from
the same thread. Validation (missing columns, text in numeric columns) is the importer's job
(`data/imports/loaders.py`); its findings arrive in the tool result and are shown as they are.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ACCEPTED_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".xlsx")
ACCEPTED_MIME: dict[str, list[str]] = {
    "text/csv": [".csv"],
    "text/plain": [".csv", ".tsv"],
    "text/tab-separated-values": [".tsv"],
    "application/vnd.ms-excel": [".csv", ".xlsx"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
    "application/octet-stream": [".csv", ".tsv", ".xlsx"],
}
"""For Chainlit's `AskFileMessage(accept=...)`: MIME type → allowed extensions."""

SCORE_FILE_STARTER = "Score a file"
"""The starter / action text that asks for a file instead of answering."""

_NAME_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXPORT = re.compile(r"\b(export|download|save)\b.*\b(report|conversation|transcript)\b", re.I)
_FILE_ONLY = re.compile(
    r"^\s*(?:please\s+)?"
    r"(?:(?:here\s+(?:is|are)|here's|attached\s+(?:is|are)|this\s+is|these\s+are)\s+)?"
    r"(?:(?:score|scan|check|analy[sz]e|process|upload(?:ed)?|rate|import|load|add|use|ingest)"
    r"\b\s*)?"
    r"(?:(?:this|these|them|my|our|the|attached|uploaded|new|stripe|to|into|in)\b\s*)*"
    r"(?:file|files|accounts|spreadsheet|csv|xlsx|excel|sheet|upload|list|it|export|zip|data"
    r"|one|warehouse)?"
    r"\s*(?:please)?[.!?]*\s*$",
    re.I,
)
"""Text that asks only to handle the file: "import this", "please load this", "upload this
one", "add this to our data" (rt10 N-L5: "import this" with a revenue file was answered,
after the import, with "Sorry, that's outside what I can help with")."""

_PRESENTED = re.compile(
    r"^\s*(?:here\s+(?:is|are)|here's|attached\s+(?:is|are)|this\s+is|these\s+are)\s+"
    r"(?!(?:what|which|who|whom|whose|how|why|where|when|whether)\b)"
    r"(?:[\w'&-]+\s+){0,7}[\w'&-]+\s*[.!]*\s*$",
    re.I,
)
"""A file presented in words ("here is our monthly revenue export", "attached is the Q3 billing
data", "here is our revenue by customer"): a presenter and a few words that describe the file,
no question mark, comma or colon, no question word first ("here is what happened" asks). The
file noun is not required: "here is our revenue by customer" with a revenue file was answered
after its import as a follow-up on the previous list ("No customer ACC000585 in the warehouse";
found in a make-run session)."""

_SURE_IMPORT = r"import|load|ingest|upload"
"""The verbs that name an import for sure ("add" may ask to bill)."""

_IMPORT_ONLY = re.compile(
    rf"^\s*(?:please\s+)?(?:{_SURE_IMPORT}|add)\s+"
    r"(?!.*\b(?:and|then|but|what|which|who|whom|whose|how|why|where|when|whether|show|list"
    r"|tell|give|compare|find|rank|is|are|was|were|do|does|did)\b)"
    r"(?:[\w'&-]+\s+){0,7}[\w'&-]+\s*(?:please)?[.!]*\s*$",
    re.I,
)
"""An import asked in words, with a few words about the file and nothing else ("import our EU
revenue", "import this one too", "import this instead": rt12 T-L13, each answered after the
import as a question). "import this and show the top customers" asks more."""

_IMPORT_VERB = re.compile(rf"^\s*(?:please\s+)?(?:{_SURE_IMPORT})\b", re.I)
"""A message that opens with an import verb (`_SURE_IMPORT`)."""
_SCORABLE = re.compile(r"\b(?:file|files|spreadsheet|csv|xlsx|excel|sheet)\b")


class UploadError(ValueError):
    """A file the chat does not take (type or size); the message is shown to the user."""


@dataclass(frozen=True)
class StagedUpload:
    """An accepted upload, copied into the session's folder."""

    path: Path
    name: str
    size_bytes: int

    @property
    def size_text(self) -> str:
        """ "12.3 MB" or "9 KB".

        Examples:
            >>> StagedUpload(Path("a.csv"), "a.csv", 9_000).size_text
            '9 KB'
        """
        if self.size_bytes >= 1_048_576:
            return f"{self.size_bytes / 1_048_576:,.1f} MB"
        return f"{max(1, round(self.size_bytes / 1024)):,} KB"


def session_dir(var_dir: Path, session_id: str) -> Path:
    """The session's private upload folder (created)."""
    folder = Path(var_dir) / "uploads" / _NAME_SAFE.sub("_", session_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_session_dir(var_dir: Path, session_id: str) -> None:
    """Delete the session's uploads and scored files."""
    shutil.rmtree(Path(var_dir) / "uploads" / _NAME_SAFE.sub("_", session_id), ignore_errors=True)


def safe_name(name: str) -> str:
    """A file name without directories or odd characters.

    Examples:
        >>> safe_name("../../etc/Q3 accounts (final).csv")
        'Q3_accounts_final_.csv'
    """
    base = Path(name.replace("\\", "/")).name
    return _NAME_SAFE.sub("_", base).strip("._") or "upload"


def check_upload(name: str, size_bytes: int, max_mb: float) -> None:
    """Raise `UploadError` (plain words) for a type or size the chat does not take."""
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        kinds = ", ".join(ACCEPTED_SUFFIXES)
        raise UploadError(
            f"{name} is a {suffix or 'file without extension'}, which I can neither import "
            f"nor score. I can score {kinds} files of accounts, and import {kinds} files of "
            "monthly revenue and Stripe exports (a .zip, or Stripe's .jsonl/.csv files)."
        )
    if size_bytes > max_mb * 1_048_576:
        raise UploadError(
            f"{name} is {size_bytes / 1_048_576:,.1f} MB; the limit is {max_mb:,.0f} MB."
        )


def stage_upload(source: Path, name: str, folder: Path, max_mb: float) -> StagedUpload:
    """Check and copy an uploaded file into the session folder (never overwriting)."""
    size = Path(source).stat().st_size
    check_upload(name, size, max_mb)
    target = folder / safe_name(name)
    counter = 2
    while target.exists():
        target = folder / f"{Path(safe_name(name)).stem}-{counter}{Path(name).suffix.lower()}"
        counter += 1
    shutil.copyfile(source, target)
    return StagedUpload(target, safe_name(name), size)


def scoring_question(upload: StagedUpload, question: str = "") -> str:
    """The turn that scores an upload (the planner reads the path; the UI shows the name),
    with the question sent along, if any, so one scoring answers it.

    Examples:
        >>> up = StagedUpload(Path("/u/t/a.csv"), "a.csv", 9)
        >>> scoring_question(up), scoring_question(up, "Which are high risk?")
        ('Score the file /u/t/a.csv', 'Score the file /u/t/a.csv. Which are high risk?')
    """
    head = f"Score the file {upload.path}"
    return f"{head}. {question.strip()}" if question.strip() else head


def is_file_only(text: str) -> bool:
    """True when the text sent with a file asks for nothing beyond handling the file (scoring
    an account list, importing a Stripe export): no question to answer after it.

    Examples:
        >>> is_file_only(""), is_file_only("score this file please")
        (True, True)
        >>> is_file_only("Import my Stripe export"), is_file_only("which of them are high risk?")
        (True, False)
        >>> is_file_only("here is our stripe export"), is_file_only("here's the file")
        (True, True)
        >>> is_file_only("here is our monthly revenue export")
        True
        >>> is_file_only("here is our revenue export: who is declining?")
        False
        >>> is_file_only("here is our revenue by customer"), is_file_only("these are Q3 accounts")
        (True, True)
        >>> is_file_only("here are the accounts, which are high risk")
        False
        >>> is_file_only("import our EU revenue"), is_file_only("import this one too")
        (True, True)
        >>> is_file_only("import this and show the top customers")
        False
    """
    text = text or ""
    return bool(_FILE_ONLY.match(text) or _PRESENTED.match(text) or _IMPORT_ONLY.match(text))


def wants_import(text: str) -> bool:
    """True when a message with no file attached only asks to import one ("import this"):
    the file did not arrive (refused at the upload, such as an empty one, or never
    attached), so there is nothing to import and no question to answer (rt13 U-L4: it got
    the off-topic refusal).

    Examples:
        >>> asked = ("import this", "load this file", "score this file", "import this and list")
        >>> [wants_import(text) for text in asked]
        [True, True, False, False]
    """
    plain = (text or "").strip()
    return is_file_only(plain) and bool(_IMPORT_VERB.match(plain))


def wants_export(text: str) -> bool:
    """True for "export report", "download the conversation report", ….

    Examples:
        >>> wants_export("Export report"), wants_export("export the revenue trend")
        (True, False)
    """
    return bool(_EXPORT.search(text or ""))


def wants_file(text: str) -> bool:
    """True when the message is the "Score a file" starter, or asks only to score a file
    of accounts that did not come with it ("score this file" after a refused upload was
    answered with the capability list, rt6 #8): ask for the file. A Stripe export is
    dropped, not asked for.

    Examples:
        >>> wants_file("Score a file"), wants_file("score this file"), wants_file("hi")
        (True, True, False)
        >>> wants_file("import our stripe export"), wants_file("score a file of Q3 accounts")
        (False, False)
    """
    plain = (text or "").strip().rstrip(".!").lower()
    if plain == SCORE_FILE_STARTER.lower():
        return True
    return bool(
        plain
        and is_file_only(plain)
        and _SCORABLE.search(plain)
        and not re.search(r"\b(?:stripe|export|zip)\b", plain)
    )
