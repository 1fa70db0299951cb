"""Chat settings: thresholds no answer could use are refused when set, the previous kept."""

from __future__ import annotations

from analytics.leakage import RiskThresholds
from ui.settings_panel import apply_settings


def test_an_inverted_pair_is_refused_and_the_previous_pair_kept() -> None:
    previous = {"high_risk_threshold": 0.5, "medium_risk_threshold": 0.2, "model": "offline"}
    change = apply_settings(
        {"high_risk_threshold": 0.05, "medium_risk_threshold": 0.95, "model": "auto"}, previous
    )
    assert change.overrides == {
        "model": "auto",
        "high_risk_threshold": 0.5,
        "medium_risk_threshold": 0.2,
    }
    assert change.refused is not None and "0.05" in change.refused and "0.95" in change.refused
    assert "kept High 0.5 and Medium 0.2" in change.refused
    kept = RiskThresholds(
        change.overrides["high_risk_threshold"], change.overrides["medium_risk_threshold"]
    )
    assert kept.high > kept.medium


def test_one_slider_moved_past_the_other_is_checked_against_the_kept_one() -> None:
    """High alone set below the default Medium (0.10) is an inverted pair too."""
    change = apply_settings({"high_risk_threshold": 0.05}, {})
    assert change.refused is not None and change.overrides == {}


def test_a_valid_pair_is_taken() -> None:
    change = apply_settings({"high_risk_threshold": 0.5, "medium_risk_threshold": 0.25}, {})
    assert change.refused is None
    assert change.overrides == {"high_risk_threshold": 0.5, "medium_risk_threshold": 0.25}
