"""Chat settings: model mode, and the risk thresholds where the agent's context takes them.

Values travel to the agent as `Context` overrides (`ui.runtime.with_overrides`). The model
choice lists "openai:<model>" only when an OpenAI-compatible endpoint is configured; the
threshold sliders appear only when `tools.context.Context` declares the threshold fields, so
the chat never offers a knob the agent ignores.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import chainlit as cl
from chainlit.input_widget import Select, Slider

from settings import get_settings
from tools.context import Context

MODEL_KEY = "model"
THRESHOLD_FIELDS: dict[str, str] = {
    "high_risk_threshold": "High-risk threshold (probability of leakage)",
    "medium_risk_threshold": "Medium-risk threshold (probability of leakage)",
}
"""`Context` field → slider label (the leakage scoring's High/Medium cut-offs, 0–1)."""


def model_choices() -> dict[str, str]:
    """Label → model spec for the settings select."""
    settings = get_settings()
    choices = {"Automatic": "auto", "Offline planner (no language model)": "offline"}
    if settings.use_openai:
        where = settings.openai_base_url or "OpenAI"
        choices[f"{settings.openai_model} via {where}"] = f"openai:{settings.openai_model}"
    return choices


def threshold_fields() -> list[str]:
    known = {f.name for f in fields(Context)}
    return [name for name in THRESHOLD_FIELDS if name in known]


def chat_settings(context: Context) -> cl.ChatSettings:
    """The settings panel for a session, initialised from `context`."""
    choices = model_choices()
    initial = context.model if context.model in choices.values() else "auto"
    inputs: list[Any] = [
        Select(
            id=MODEL_KEY,
            label="Model mode",
            items=choices,
            initial_value=initial,
            description="Offline: rule-based planner with template answers.",
        )
    ]
    for name in threshold_fields():
        inputs.append(
            Slider(
                id=name,
                label=THRESHOLD_FIELDS[name],
                min=0.05,
                max=0.95,
                step=0.05,
                initial=float(getattr(context, name)),
            )
        )
    return cl.ChatSettings(inputs)


def overrides_from(values: dict[str, Any]) -> dict[str, Any]:
    """Context overrides from submitted settings (unknown or invalid values are dropped)."""
    overrides: dict[str, Any] = {}
    if values.get(MODEL_KEY) in model_choices().values():
        overrides["model"] = values[MODEL_KEY]
    for name in threshold_fields():
        value = values.get(name)
        if isinstance(value, int | float) and 0 < float(value) < 1:
            overrides[name] = float(value)
    return overrides
