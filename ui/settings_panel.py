"""Chat settings: model mode, and the risk thresholds where the agent's context takes them.

Values travel to the agent as `Context` overrides (`ui.runtime.with_overrides`). The model
choice lists "openai:<model>" only when an OpenAI-compatible endpoint is configured; the
threshold sliders appear only when `tools.context.Context` declares the threshold fields, so
the chat never offers a knob the agent ignores. Thresholds are checked when they are changed
(`apply_settings`, by the scoring's own `RiskThresholds` rule 0 < medium < high < 1): a pair
that breaks it is refused with the reason and the previous pair kept, so no later answer
fails on it (rt6 #12: High 0.05 with Medium 0.95 was taken, then every risk answer failed).
Chainlit is imported only where the panel is built, so the checks are unit-tested without it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from analytics.leakage import RiskThresholds
from settings import get_settings
from tools.context import Context

if TYPE_CHECKING:
    import chainlit as cl

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
    import chainlit as cl
    from chainlit.input_widget import Select, Slider

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


@dataclass(frozen=True)
class SettingsChange:
    """Submitted settings as the session takes them: the `overrides` to keep, and `refused`,
    why submitted values were not taken (shown to the user), or None."""

    overrides: dict[str, Any]
    refused: str | None = None


def apply_settings(values: dict[str, Any], previous: dict[str, Any]) -> SettingsChange:
    """The overrides from submitted `values`, with the thresholds checked as a pair; an
    invalid pair is refused (the reason says why) and `previous`'s thresholds are kept.

    Examples:
        >>> change = apply_settings(
        ...     {"high_risk_threshold": 0.05, "medium_risk_threshold": 0.95}, {}
        ... )
        >>> change.overrides, change.refused.split(":")[0]
        ({}, 'Risk thresholds not changed')
    """
    overrides = overrides_from(values)
    names = threshold_fields()
    if len(names) < 2:
        return SettingsChange(overrides)
    high_name, medium_name = "high_risk_threshold", "medium_risk_threshold"
    defaults = Context()

    def pick(name: str, source: dict[str, Any]) -> float:
        return float(source.get(name, previous.get(name, getattr(defaults, name))))

    high, medium = pick(high_name, overrides), pick(medium_name, overrides)
    try:
        RiskThresholds(high=high, medium=medium)
    except ValueError:
        kept_high, kept_medium = pick(high_name, previous), pick(medium_name, previous)
        for name in names:
            overrides.pop(name, None)
            if name in previous:
                overrides[name] = previous[name]
        reason = (
            f"Risk thresholds not changed: the High-risk threshold ({high:g}) must be above "
            f"the Medium-risk one ({medium:g}); kept High {kept_high:g} and Medium "
            f"{kept_medium:g}."
        )
        return SettingsChange(overrides, reason)
    return SettingsChange(overrides)
