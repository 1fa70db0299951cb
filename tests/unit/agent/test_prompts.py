"""Prompt files: strict loading, and narrative templates that match the result contract."""

from __future__ import annotations

import re

import pytest
from agent_fakes import SAMPLE_CONTENT

from agent.offline.narratives import narrate
from prompts import PromptError, list_prompts, load_prompt, prompt_variables
from tools.schemas import RESULT_SPECS, TOOL_ARGS


def test_every_prompt_parses() -> None:
    for name in list_prompts():
        assert isinstance(prompt_variables(name), frozenset)


def test_missing_and_unknown_variables_fail_loudly() -> None:
    with pytest.raises(PromptError, match="needs variables: tool"):
        load_prompt("tool_unavailable")
    with pytest.raises(PromptError, match="does not use variables: extra"):
        load_prompt("tool_unavailable", tool="x", extra=1)
    with pytest.raises(PromptError, match="No prompt named"):
        load_prompt("no_such_prompt")


def test_values_are_inserted_verbatim() -> None:
    assert "$5 ${tool}" in load_prompt("tool_unavailable", tool="$5 ${tool}")


@pytest.mark.parametrize("tool", sorted(TOOL_ARGS))
def test_narrative_template_uses_exactly_the_result_spec(tool: str) -> None:
    spec = RESULT_SPECS[tool]
    expected = {column.key for column in spec.summary} | {"rows", "actions", "note"}
    assert prompt_variables(f"narrative_{tool}") == expected


@pytest.mark.parametrize(
    ("tool", "variant"),
    [(tool, name) for tool, spec in sorted(RESULT_SPECS.items()) for name in spec.variants],
)
def test_each_variant_s_template_uses_exactly_its_spec(tool: str, variant: str) -> None:
    spec = RESULT_SPECS[tool].variants[variant]
    expected = {column.key for column in spec.summary} | {"rows", "actions", "note"}
    assert prompt_variables(f"narrative_{tool}_{variant}") == expected


@pytest.mark.parametrize(
    "name", [n for n in list_prompts() if n.startswith(("narrative_", "reply_"))]
)
def test_fixed_template_text_states_no_figures(name: str) -> None:
    """Numbers in a narrative must come from tool results, so templates write none (ids aside)."""
    text = re.sub(r"ACC\d+", "", load_prompt(name, **dict.fromkeys(prompt_variables(name), "")))
    assert not re.search(r"\d{2,}|\d+[.,]\d|\d%", text), text


@pytest.mark.parametrize("tool", sorted(SAMPLE_CONTENT))
def test_narratives_render_sample_results(tool: str) -> None:
    from tools.results import tool_result

    content, _ = tool_result(tool, **SAMPLE_CONTENT[tool])
    text = narrate(tool, content)
    assert "n/a" not in text
    assert "$" not in text or re.search(r"[$€]\d", text)


def test_every_direct_reply_has_a_template() -> None:
    from agent.offline.planner import REPLIES

    assert {f"reply_{name}" for name in REPLIES} <= set(list_prompts())
