"""The `[metrics]` vocabulary is read by one model (`agent.offline.metrics.MetricWords`)."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from agent.offline.lexicon import load_lexicon
from agent.offline.metrics import MetricWords, words


def test_each_word_list_is_read_as_its_phrases() -> None:
    vocab = words(load_lexicon())
    raw = load_lexicon().raw["metrics"]
    assert vocab.rank_words == tuple(tuple(w.split()) for w in raw["rank_words"])
    assert all(isinstance(p, tuple) and p for p in vocab.billed)
    assert vocab.standalone == frozenset(raw["standalone"])


def test_a_word_list_missing_from_the_lexicon_is_named_when_it_loads() -> None:
    """The reader used to fail on a missing list with a bare KeyError from inside `words`."""
    lexicon = load_lexicon()
    metrics = {k: v for k, v in lexicon.raw["metrics"].items() if k != "ranked_leakage"}
    broken = dataclasses.replace(lexicon, raw={**lexicon.raw, "metrics": metrics})
    with pytest.raises(ValidationError, match="ranked_leakage"):
        words(broken)
    assert "ranked_leakage" in MetricWords.model_fields
