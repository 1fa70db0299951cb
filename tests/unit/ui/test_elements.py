"""Buttons under an answer (`ui.elements.actions_for`)."""

from __future__ import annotations

import pytest

from ui.artifacts import ArtifactView
from ui.elements import GROUP_REPORT_ACTION, actions_for

CALL = {"name": "segment_report", "args": {"segment_id": 2}}


@pytest.mark.parametrize(
    ("view", "offered"),
    [
        (ArtifactView(tool="segment_report", title="Segment 1: declining"), True),
        (
            ArtifactView(
                tool="segment_report", title="", error="no segment 2; segments are [0, 1]"
            ),
            False,
        ),
    ],
    ids=["answered", "failed"],
)
def test_the_group_report_is_offered_only_after_a_segment_report_that_answered(
    view: ArtifactView, offered: bool
) -> None:
    names = [action.name for action in actions_for([CALL], [view], "answer")]
    assert (GROUP_REPORT_ACTION in names) is offered
    assert names[:2] == ["export_report", "score_file"]
