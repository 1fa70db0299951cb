"""What the chat says on its own (not the agent): starters, notices, button labels.

Kept apart from the handlers so app.py holds no text, and tests can click exactly these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ui.uploads import SCORE_FILE_STARTER


@dataclass(frozen=True)
class StarterSpec:
    """A suggested first question (label on the button, message sent when clicked)."""

    label: str
    message: str
    icon: str


STARTERS: tuple[StarterSpec, ...] = (
    StarterSpec("Portfolio health", "How are we doing overall?", "/public/icons/portfolio.svg"),
    StarterSpec(
        "Riskiest accounts",
        "Which accounts are most at risk of leaking revenue next month?",
        "/public/icons/risk.svg",
    ),
    StarterSpec(
        "Failed-payment leakage",
        "Where are we leaking revenue from failed payments?",
        "/public/icons/leak.svg",
    ),
    StarterSpec(
        "Declining customers",
        "Which customers are sharply declining?",
        "/public/icons/trend.svg",
    ),
    StarterSpec("Revenue by region", "Show revenue by region", "/public/icons/region.svg"),
    StarterSpec(SCORE_FILE_STARTER, SCORE_FILE_STARTER, "/public/icons/upload.svg"),
)

ASSISTANT = "RevRisk Copilot"

OFFLINE_NOTICE = (
    "Offline planner answering: tools are chosen by rules and answers written from templates. "
    "Configure OPENAI_API_KEY or OPENAI_BASE_URL for a language model."
)
OFFLINE_FOOTNOTE = "_Answered by the offline planner (no language model configured)._"
MODEL_FOOTNOTE = (
    "_Written by a language model from the tool results above; it can make mistakes, so check "
    "a figure against its step before you forward it._"
)

ASK_FOR_FILE = (
    "Attach a CSV or Excel file of accounts (the reference account format, or a raw billing "
    "table). I will validate it, score every account and hand back the scored file."
)
EMPTY_UPLOAD = (
    "**{name}**: {reason}, so there is nothing to score or import. Export it again with its "
    "rows and attach it."
)
"""Said in the conversation when an attached file is empty (rt11 R-L4: the upload toast alone
went unseen). `reason` is the importer's own words (`data.imports.readers.EMPTY_FILE`)."""
UPLOAD_RECEIVED = "Received **{name}** ({size}). Scoring it now…"
NO_FILE = "No file arrived, so there is nothing to score. Attach one whenever you like."
NO_FILE_TO_IMPORT = (
    "No file came with this message, so there is nothing to import (a file refused at the "
    "upload, such as an empty one, does not arrive). Attach it to the message: I import "
    "monthly revenue (.csv, .tsv, .xlsx: a customer column and a column per month, or "
    "customer, month and revenue columns) and Stripe exports (.zip) into this chat's own "
    "warehouse, and score account lists (.csv, .tsv, .xlsx)."
)
"""Said for "import this" sent without a file (rt13 U-L4: it got the off-topic refusal)."""
EXPORT_DONE = (
    "Here is the report of this conversation ({n_turns} {questions}): Markdown and HTML "
    "with every question, tool call, table and chart."
)
EXPORT_EMPTY = "Nothing to export yet: ask a question first."
EXPORT_WORKING = "_Building the report of this conversation…_"
EXPORT_NOT_ATTACHED = "its files could not be attached. Please try again."
GROUP_REPORT_DONE = "Group report for segment {segment_id}{level}: Markdown and plain text."
REPORT_FAILED = "I couldn't build that report: {error}"

EXPORT_LABEL = "Export report"
GROUP_REPORT_LABEL = "Group report (Markdown/TXT)"
SCORE_FILE_LABEL = "Score a file"

STRIPE_CONFIRM = (
    "**{names}** looks like a Stripe export. Import it into a new warehouse for this chat? "
    "Your questions in this session will then be answered from that data; the shared "
    "warehouse is not touched."
)
STRIPE_CANCELLED = "Not imported. Answers still come from the current warehouse."
STRIPE_IMPORTED = "Imported. From now on this session's answers come from your Stripe data."
IMPORT_DETAILS = "Full import report"
IMPORT_DETAILS_NOTE = (
    f"The table-by-table counts and the Stripe fields left unused are in the {IMPORT_DETAILS}."
)
STRIPE_REFUSED = "I could not import it; nothing was stored. What needs fixing:"
REVENUE_CONFIRM = (
    "**{name}** is a monthly-revenue file ({layout}), not a list of accounts to score. Import "
    "it into this chat's own warehouse, with the same checks as `revrisk import`? Your "
    "questions in this session will then be answered from it; the shared warehouse is not "
    "touched."
)
REVENUE_LAYOUTS = {"pivot": "a column per month", "long": "one row per customer and month"}
REVENUE_CANCELLED = (
    "Not imported, and not scored: a revenue file has no account columns to score. To add it "
    "to the shared warehouse, run `revrisk import {name}`; answers here still come from the "
    "current warehouse."
)
DATA_CHANGED = (
    "The data changed: an import in this chat switched the warehouse. Answers from here on come "
    "from the imported data; the lists and accounts of earlier answers belong to the data before "
    "it."
)
"""The note the agent gets with the next question after an import (`agent.turns.DATA_NOTE_NAME`):
"the first one" no longer points at a list of the previous warehouse."""
REVENUE_IMPORTED = (
    "Imported. From now on this session's answers come from your imported revenue, in this "
    "chat's own warehouse: ask for a customer's revenue trend or which customers are declining."
)
REVENUE_REFUSED = (
    "This is a revenue file, but I could not import it; nothing was stored. What needs fixing "
    "(the same report as `revrisk import`):"
)


ASK_LABEL_MAX = 80
_QUOTED = re.compile(r"[\"“]([^\"“”\n]{6,80}\?)[\"”]")  # 80 = ASK_LABEL_MAX


def suggested_questions(answer: str, limit: int = 3) -> list[str]:
    """The questions an answer offers in quotes ("You could ask, for example, "…?""), so the
    chat can show them as buttons: a question it cannot map ends in 2–3 clickable next steps.

    Examples:
        >>> suggested_questions('Try "Which accounts are most at risk?" or “Show MRR by tier?”.')
        ['Which accounts are most at risk?', 'Show MRR by tier?']
        >>> suggested_questions("No quotes here?")
        []
    """
    found = list(dict.fromkeys(m.strip() for m in _QUOTED.findall(answer or "")))
    return found[:limit]


STRIPE_COMPUTED = {
    "all": (
        "**Computed:** leakage findings, next month's leakage risk per customer, and revenue "
        "trends."
    ),
    "findings and trends": (
        "**Computed:** leakage findings from the invoices and payments, and revenue trends "
        "per customer. **Not computed:** risk scores, because the data lacks what they need "
        "({why})."
    ),
    "trends": (
        "**Computed:** revenue trends per customer. **Not computed:** leakage findings and "
        "risk scores, because the data lacks what they need ({why}). You can still ask about "
        "revenue, customers, invoices and payments."
    ),
    "nothing": (
        "**Not computed:** leakage findings, risk scores and trends, because {why}. You can "
        "still ask about customers, invoices and payments."
    ),
}
"""What a Stripe import's summary says was computed from it (`ui.stripe_upload.cfo_summary`),
by what the refresh after it could compute; `{why}` is the reason it gave."""
