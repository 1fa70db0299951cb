"""langchain-tests standard suites for the offline chat model and the SQL tool.

The offline planner is deterministic and calls only RevRisk's own tools, so the integration
tests that need a general-purpose LLM (calling an arbitrary `magic_function`, structured
output, pirate greetings) are marked xfail with the reason; everything else runs as is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ChatModelIntegrationTests, ToolsIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests, ToolsUnitTests

from agent.offline.model import ChatOfflinePlanner
from settings import get_settings
from tools import query_duckdb

_GENERAL_LLM = "The offline planner only plans RevRisk's own tools; it is not a general LLM."


class TestOfflinePlannerUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatOfflinePlanner

    @property
    def has_structured_output(self) -> bool:
        return False


class TestOfflinePlannerIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatOfflinePlanner

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return False

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    def test_tool_calling(self, model: BaseChatModel) -> None:
        super().test_tool_calling(model)

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    async def test_tool_calling_async(self, model: BaseChatModel) -> None:
        await super().test_tool_calling_async(model)

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    def test_bind_runnables_as_tools(self, model: BaseChatModel) -> None:
        super().test_bind_runnables_as_tools(model)

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    def test_tool_choice(self, model: BaseChatModel) -> None:
        super().test_tool_choice(model)

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    def test_tool_calling_with_no_arguments(self, model: BaseChatModel) -> None:
        super().test_tool_calling_with_no_arguments(model)

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    def test_agent_loop(self, model: BaseChatModel) -> None:
        super().test_agent_loop(model)

    @pytest.mark.xfail(reason=_GENERAL_LLM)
    def test_unicode_tool_call_integration(self, model: BaseChatModel, *args: Any) -> None:
        super().test_unicode_tool_call_integration(model, *args)


class TestQueryDuckdbUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return query_duckdb

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"sql": "SELECT count(*) AS n FROM accounts"}


class TestQueryDuckdbIntegration(ToolsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _tiny_warehouse(
        self, isolated_env: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("REVRISK_WAREHOUSE", str(warehouse))
        get_settings.cache_clear()

    @property
    def tool_constructor(self) -> BaseTool:
        return query_duckdb

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"sql": "SELECT count(*) AS n FROM accounts"}
