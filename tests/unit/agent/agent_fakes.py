"""Test doubles for agent tests: a scripted chat model, stand-in domain tools, a tiny warehouse."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from data.warehouse import connect
from tools.results import tool_result
from tools.schemas import TOOL_ARGS


class ReplayChatModel(BaseChatModel):
    """A chat model double: each answer is `reply(messages)`, and it records what it was sent.

    Stop words, callbacks and call options mean nothing to a double, so `_generate` takes
    them as `*_`/`**__` (LangChain passes them by keyword from `invoke`, by position from
    `ainvoke`)."""

    received: list[list[BaseMessage]] = Field(default_factory=list)

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        raise NotImplementedError

    def _generate(self, messages: list[BaseMessage], *_: Any, **__: Any) -> ChatResult:
        self.received.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.reply(list(messages)))])


class ScriptedChatModel(ReplayChatModel):
    """Replays scripted AIMessages and records what it was sent (simonw/llm's mock pattern)."""

    script: list[AIMessage]
    bound: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        self.bound = [f["function"]["name"] for f in formatted]
        return self.bind(tools=formatted, **kwargs)

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        if not self.script:
            raise AssertionError("The scripted model ran out of replies")
        return copy.deepcopy(self.script.pop(0))


def call(name: str, **args: Any) -> AIMessage:
    """A scripted AIMessage calling one tool."""
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{name}"}])


SAMPLE_CONTENT: dict[str, dict[str, Any]] = {
    "portfolio_summary": {
        "summary": {
            "scope": "all accounts",
            "n_accounts": 1200,
            "total_mrr": 2456789.5,
            "detected_leakage": 84321.4,
            "expected_loss": 51234.75,
            "n_high_risk": 87,
            "expected_annual_loss": 614817.0,
            "as_of_month": "2025-03",
            "n_declining": 212,
        },
        "rows": [
            {
                "dimension": "risk_level",
                "value": "High",
                "n_accounts": 87,
                "mrr": 402113.0,
                "expected_loss": 30211.2,
            }
        ],
    },
    "score_leakage": {
        "summary": {
            "scope": "High-risk accounts",
            "n_accounts": 87,
            "n_high_risk": 87,
            "total_expected_loss": 30211.2,
            "total_detected_leakage": 12500.0,
            "ranked_by": "expected loss next month (predicted: probability x amount)",
            "as_of_month": "2026-10",
        },
        "rows": [
            {
                "account_id": "ACC000042",
                "tier": "Business",
                "risk_level": "High",
                "leakage_probability": 0.834,
                "expected_loss": 1234.56,
                "mrr": 4990.0,
                "top_factor": "payment_failure_rate",
            },
            {
                "account_id": "ACC000077",
                "tier": "Enterprise",
                "risk_level": "High",
                "leakage_probability": 0.71,
                "expected_loss": 987.0,
                "mrr": 12990.0,
            },
        ],
    },
    "explain_risk_factors": {
        "summary": {
            "account_id": "ACC000042",
            "tier": "Business",
            "risk_level": "High",
            "leakage_probability": 0.834,
            "expected_loss": 1234.56,
            "mrr": 4990.0,
            "predicted_leakage_type": "failed payment retry",
            "est_monthly_leakage": 1480.3,
            "detected_monthly_leakage": 0.0,
        },
        "rows": [
            {"factor": "payment_failure_rate", "value": 0.42, "effect": "raises risk"},
            {"factor": "months_to_card_expiry", "value": 0, "effect": "raises risk"},
        ],
        "recommendations": ["Ask the customer to update the card on file before the next run."],
    },
    "detect_leakage": {
        "summary": {
            "scope": "all types",
            "period": "all months",
            "n_findings": 12,
            "n_accounts": 9,
            "total_amount": 18432.1,
            "latest_month": "2025-03",
            "latest_month_amount": 4990.0,
        },
        "rows": [
            {
                "account_id": "ACC000042",
                "leakage_type": "Failed_Payment_Retry",
                "month": "2025-03-01",
                "amount": 4990.0,
                "evidence": "3 failed attempts",
            }
        ],
    },
    "decompose_trend": {
        "summary": {
            "customer_id": "ACC000042",
            "decline_label": "moderate decline",
            "decline_level": 2,
            "monthly_change": -123.4,
            "relative_change": -0.029,
            "latest_revenue": 4200.0,
            "recent_months": "the last 3 months averaged $4,300 a month, -4.4% on the 3 "
            "months before ($4,500) and -10.4% on the same months a year earlier ($4,800)",
            "forecast": "41.0% decline probability, level 2 of 0-3; the decline: revenue down "
            "over the next months. Top drivers: falling seat count",
            "n_months": 24,
            "n_anomalies": 1,
            "anomaly_months": "2025-03",
            "segment_name": "Mid-size & steady",
            "seasonality": "24 months: seasonal strength 0.12 on a 0-1 scale (weak).",
            "decline_probability": 0.41,
            "decline_drivers": "falling seat count",
            "definition": "decline: revenue down over the next months",
        },
        "rows": [{"month": "2025-03-01", "revenue": 4200.0, "trend": 4310.2, "anomaly": "dip"}],
    },
    "find_declining_customers": {
        "summary": {
            "scope": "every declining level",
            "n_customers": 143,
            "total_monthly_revenue": 731210.0,
            "definition": "Declining means the probability of a decline over the next months.",
            "ranked_by": "decline probability, most likely first",
        },
        "rows": [
            {
                "customer_id": "ACC000042",
                "decline_probability": 0.74,
                "decline_label": "sharp decline",
                "relative_change": -0.081,
                "decline_level": 3,
                "monthly_change": -412.5,
                "revenue_mean": 5120.0,
                "segment_id": 2,
            }
        ],
    },
    "list_segments": {
        "summary": {"n_segments": 4, "n_customers": 1200},
        "rows": [
            {
                "segment_id": 2,
                "label": "shrinking mid-market",
                "n_customers": 310,
                "revenue_mean": 3100.0,
                "share_declining": 0.41,
            }
        ],
    },
    "segment_report": {
        "summary": {
            "segment_id": 2,
            "label": "shrinking mid-market",
            "scope": "all its customers",
            "n_customers": 310,
            "revenue_mean": 3100.0,
            "total_monthly_revenue": 961000.0,
            "share_of_revenue": 0.39,
            "share_declining": 0.41,
        },
        "rows": [
            {
                "customer_id": "ACC000042",
                "decline_level": 3,
                "monthly_change": -412.5,
                "revenue_mean": 5120.0,
            }
        ],
        "recommendations": ["Schedule executive business reviews for the declining accounts."],
    },
    "score_file": {
        "summary": {
            "file": "batch.csv",
            "n_accounts": 100,
            "n_high_risk": 14,
            "n_medium_risk": 21,
            "n_low_risk": 65,
            "total_expected_loss": 15230.0,
            "total_expected_annual_loss": 182760.0,
            "scope": "all accounts",
            "ranked_by": "dollars at stake",
        },
        "rows": [
            {
                "account_id": "ACC000001",
                "tier": "Starter",
                "risk_level": "High",
                "leakage_probability": 0.61,
                "expected_loss": 120.5,
                "mrr": 99.0,
            }
        ],
    },
}
"""Stand-in results shaped by tools/schemas.RESULT_SPECS, one per domain tool."""


def tool_turn(
    question: str, tool: str, args: dict[str, Any], rows: list[dict[str, Any]], n: int
) -> list[BaseMessage]:
    """One finished turn of a thread: the question, the call of `tool` with `args` (id
    `c<n>`), its result listing `rows`, and an answer (for `thread_memory`)."""
    call = {"name": tool, "args": args, "id": f"c{n}", "type": "tool_call"}
    result = ToolMessage(json.dumps({"rows": rows}), tool_call_id=f"c{n}", name=tool)
    return [HumanMessage(question), AIMessage("", tool_calls=[call]), result, AIMessage("…")]


def offline_answer(question: str, tool: str, args: dict[str, Any], content: dict[str, Any]) -> str:
    """The offline planner's answer to `question` once `tool` (called with `args`) returned
    `content`."""
    from agent.offline.model import ChatOfflinePlanner

    messages = [
        HumanMessage(question),
        AIMessage("", tool_calls=[{"name": tool, "args": args, "id": "c1", "type": "tool_call"}]),
        ToolMessage(json.dumps(content), tool_call_id="c1", name=tool),
    ]
    return ChatOfflinePlanner().respond(messages, None).text


def stub_tool(
    name: str, log: list[tuple[str, dict[str, Any]]], content: dict[str, Any] | None = None
) -> BaseTool:
    """A tool with the real name and argument schema that records its calls."""

    def run(**kwargs: Any) -> tuple[str, dict[str, Any]]:
        args = {k: v for k, v in kwargs.items() if v is not None and k != "runtime"}
        log.append((name, args))
        sample = content if content is not None else SAMPLE_CONTENT[name]
        return tool_result(name, **sample)

    return StructuredTool.from_function(
        run,
        name=name,
        description=f"Stand-in for {name}.",
        args_schema=TOOL_ARGS[name],
        response_format="content_and_artifact",
    )


def make_warehouse(path: Path) -> Path:
    """A tiny warehouse at `path`: three accounts, two invoices."""
    with connect(path) as con:
        con.execute(
            "INSERT INTO accounts VALUES "
            "('ACC000042', 'Acme', 'Business', 'EMEA', 'EUR', '2023-01-05', 'core'),"
            "('ACC000043', 'Beta', 'Starter', 'APAC', 'USD', '2023-02-01', 'legacy'),"
            "('ACC000044', 'Gamma', 'Enterprise', 'EMEA', 'EUR', '2022-11-20', 'core')"
        )
        con.execute(
            "INSERT INTO invoices VALUES "
            "(1, 'ACC000042', NULL, '2025-01-01', '2025-01-01', '2025-01-31', 'EUR', 4990.00),"
            "(2, 'ACC000043', NULL, '2025-01-01', '2025-01-01', '2025-01-31', 'USD', 99.00)"
        )
    return path
