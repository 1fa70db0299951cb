"""Names the source packages' doctests share, through pytest's `doctest_namespace`.

`lexicon`: the shipped offline lexicon (`agent.offline.load_lexicon()`), the second argument of
most of the offline planner's functions; their examples use it instead of each repeating the
import and the load. Filled only for a doctest of `agent/offline/`, so no other test pays for
importing the planner.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _offline_doctest_names(
    request: pytest.FixtureRequest, doctest_namespace: dict[str, Any]
) -> None:
    if isinstance(request.node, pytest.DoctestItem) and "agent/offline/" in request.node.nodeid:
        from agent.offline.lexicon import load_lexicon

        doctest_namespace["lexicon"] = load_lexicon()
