"""`score_file`: batch leakage scoring of an uploaded account file.

Calls `services.leakage.service.score_file` with the run's risk thresholds and writes the scored
table as CSV and Excel next to the upload (the chat session's folder), or under
`<warehouse folder>/scored/` outside the chat. In the chat, only files inside the session's
upload folder may be read: the planner takes any path a user types, so the tool is where
that is enforced.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from analytics.leakage.scoring import RiskThresholds
from data.imports import ImportValidationError
from domain import RANK_LABELS
from services.leakage import service
from tools import results, views
from tools.schemas import ScoreFileArgs, agent_tool

NAME = "score_file"
_ROW_COLUMNS = (
    "account_id",
    "risk_level",
    "leakage_probability",
    "expected_loss",
    "predicted_leakage_type",
    "est_monthly_leakage",
    "top_factor",
)
_STEPS = ("Reading the file", "Scoring the accounts", "Writing the scored files", "Scored")


class OutsideUploadsError(ValueError):
    """A path outside the chat session's upload folder."""


def resolve_upload(file_path: str, upload_dir: str | None) -> Path:
    """The file to read: any path without an upload folder, else one inside it (a bare name
    is looked up there). Symlinks are resolved first, so a link cannot lead outside.

    Examples:
        >>> resolve_upload("a.csv", "/srv/uploads/t1").as_posix()
        '/srv/uploads/t1/a.csv'
        >>> resolve_upload("/etc/passwd", "/srv/uploads/t1")
        Traceback (most recent call last):
        ...
        tools.uploads.OutsideUploadsError: passwd is not among this chat's uploads; upload it first.
    """
    path = Path(file_path).expanduser()
    if upload_dir is None:
        return path
    folder = Path(upload_dir).expanduser().resolve()
    resolved = (folder / path).resolve()  # an absolute `path` replaces `folder`
    if not resolved.is_relative_to(folder):
        raise OutsideUploadsError(f"{path.name} is not among this chat's uploads; upload it first.")
    return resolved


def _progress(runtime: Any) -> Callable[[int, int], None]:
    """`progress(done, total)` for the service, streamed as `{"progress": {...}}` to the UI."""
    writer = getattr(runtime, "stream_writer", None)

    def report(done: int, total: int) -> None:
        if writer is not None:
            label = _STEPS[min(done, len(_STEPS) - 1)]
            writer({"progress": {"done": done, "total": total, "label": label}})

    return report


@agent_tool(NAME)
def score_file(args: ScoreFileArgs, runtime: results.RuntimeArg = None) -> results.ToolOutput:
    """Score the accounts of an UPLOADED or named file (CSV/Excel in the reference account
    format, or raw billing tables) for leakage risk: "score this file", "which of the
    uploaded accounts are high risk?", "how much leakage should we expect from these?".

    Use it for accounts in a file, never score_leakage (that scores the warehouse's own
    accounts). For a follow-up about an already scored file, call it again with the same
    file_path and a risk_level filter, top_n or order_by ("which uploaded account has the
    highest risk and why?": order_by probability, top_n 1). Returns accounts scored, counts
    per risk level (High/Medium/Low), combined expected loss next month (and per year if it
    recurs), column_sums and column_means (of each numeric column of the file itself, e.g.
    mrr: "total MRR of the uploaded accounts"), the top_n accounts (of risk_level when
    given) ranked by order_by with probability and main factor (all factors when one
    account is listed), and the scored file as CSV and Excel downloads. Money is per month
    in the file's currency. A file that fails validation comes back with every problem
    (row, column, value).
    """
    context = results.context_of(runtime)
    report = _progress(runtime)
    with results.refusals():
        try:
            path = resolve_upload(args.file_path, context.upload_dir)
            thresholds = RiskThresholds(context.high_risk_threshold, context.medium_risk_threshold)
            report(0, 3)
            result = service.score_file(
                context.db_path,
                path,
                model_dir=service.model_dir_for(context.db_path),
                output_dir=_output_dir(context.upload_dir, context.db_path),
                thresholds=thresholds,
                progress=report,
            )
        except OutsideUploadsError as exc:
            return results.tool_error(NAME, str(exc), error="forbidden")
        except ImportValidationError as exc:
            return results.tool_error(
                NAME,
                exc.report.render(),
                error="invalid_file",
                problems=[_problem(problem) for problem in exc.report.problems],
            )
    return _scored(
        result,
        args.risk_level,
        args.top_n,
        context.max_rows_to_model,
        args.account_id,
        args.order_by,
    )


FILE_BASIS = (
    "These scores come from the file's own columns, with the model for account files: the "
    "warehouse's scores of the same accounts also use their billing history, so they can "
    "differ. Factors compare with the median of this file."
)
"""Said under every scored account file (a red team scored the warehouse's own accounts as a
file and found other probabilities and medians, with nothing saying why)."""


def _output_dir(upload_dir: str | None, db_path: str) -> Path:
    return Path(upload_dir) if upload_dir else Path(db_path).parent / "scored"


def _problem(problem: Any) -> dict[str, Any]:
    return {
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "message": problem.message,
        "sheet": problem.sheet,
    }


def _scored(
    result: Any,
    risk_level: str | None,
    top_n: int,
    max_rows: int,
    account_id: str | None = None,
    order_by: str = "at_stake",
) -> results.ToolOutput:
    """Format a `FileScore`: every account's counts and totals, and the sums of the file's own
    numeric columns; the listed accounts filtered by `risk_level` and ranked by `order_by`
    (domain.RANK_ORDERS; default money at stake: expected loss plus detected leakage). When
    no account has that risk level, the riskiest accounts are listed instead, and the scope
    says so: "which are high risk?" is then answered with "none; these come closest". One
    account listed (`account_id`, or `top_n` 1) comes with all its risk factors: the "why"."""
    table = result.table
    head = result.summary
    detected = (
        table["detected_monthly_leakage"]
        if "detected_monthly_leakage" in table
        else pd.Series(0.0, index=table.index)  # an account file: nothing detected
    )
    keys = {  # domain.RANK_ORDERS (the schema admits no other)
        "at_stake": table["expected_monthly_loss"] + detected,
        "expected_loss": table["expected_monthly_loss"],
        "probability": table["leakage_probability"],
        "detected_leakage": detected,
    }
    ranked = table.assign(_rank=keys[order_by]).sort_values(
        ["_rank", "account_id"], ascending=[False, True]
    )
    ranked = ranked.drop(columns="_rank")
    scope = "All accounts"
    n_listed = len(ranked)
    if risk_level is not None:
        matching = ranked[ranked["risk_level"] == risk_level]
        n_listed = len(matching)
        if n_listed:
            ranked, scope = matching, f"{risk_level}-risk accounts"
        else:
            scope = f"No {risk_level}-risk accounts; the riskiest accounts instead"
    factors = account_id is not None or (top_n == 1 and n_listed > 0)
    if top_n == 1 and account_id is None and n_listed > 0:  # "which one is riskiest?"
        scope = "Highest-ranked account" + (f" of the {scope}" if risk_level else "")
    if account_id is not None:  # one account of the file, with every factor: "why is it risky?"
        one = ranked[ranked["account_id"].astype(str).str.upper() == account_id.upper()]
        n_listed = len(one)
        if n_listed:
            ranked, scope = one, f"Account {account_id} of the file"
        else:
            scope = f"{account_id} is not in the file; the riskiest accounts instead"
            factors = False
    counts = head["risk_levels"]
    summary = {
        "file": head["file"],
        "n_accounts": head["n_accounts"],
        "n_high_risk": counts.get("High", 0),
        "n_medium_risk": counts.get("Medium", 0),
        "n_low_risk": counts.get("Low", 0),
        "total_expected_loss": head["total_expected_monthly_loss"],
        "total_expected_annual_loss": head["total_expected_annual_loss"],
        "scope": scope,
        "ranked_by": RANK_LABELS[order_by],
        "n_listed": n_listed,
        "column_sums": head.get("column_sums") or {},
        "column_means": head.get("column_means") or {},
        "model_version": head.get("model_version"),
        "model_trained_on": head.get("model_trained_on"),
    }
    listed = ranked.head(top_n)
    rows = listed.rename(columns={"expected_monthly_loss": "expected_loss"}).assign(
        top_factor=listed["top_factors"].astype(str).str.split("; ").str[0]
    )
    names = ", ".join(Path(path).name for path in result.outputs)
    note = f"Scored files attached: {names}." if names else ""
    basis = FILE_BASIS if head.get("feature_set") == "reference" else ""
    return results.tool_result(
        NAME,
        summary=summary,
        rows=rows[
            [
                c
                for c in (*_ROW_COLUMNS, *(("top_factors",) if factors else ()))
                if c in rows.columns
            ]
        ],
        table=ranked,
        recommendations=views.catalogue_actions(head.get("by_predicted_type") or {}),
        message="\n".join(part for part in (note, basis, result.warning or "") if part),
        notice=result.warning,
        title=f"Scored {head['file']}: {summary['scope']}, ranked by {summary['ranked_by']}",
        chart=views.risk_distribution(
            counts,
            table["leakage_probability"].to_numpy(),
            title=f"{head['file']}: accounts by predicted leakage risk",
        ),
        files=[results.file_ref(path) for path in result.outputs],
        max_rows=max_rows,
    )
