"""The speller never "corrects" a real English word into a lexicon word: every collision of
pyspellchecker's English word list with the lexicon is in agent/offline/spelling_keep.txt.

The list was generated once and went stale as the lexicon grew: by rt11/holdout12, 995 English
words ("trailing", "applied", "balanced", "along", …) were rewritten into lexicon words
("trailing six months" was read as "tailing six months"). This test fails when a lexicon
change adds a collision the list lacks; regenerate as the file's header says.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources

from agent.offline.lexicon import load_lexicon
from agent.offline.spelling import _keep, collisions, correct


def test_every_english_word_the_speller_would_rewrite_is_kept() -> None:
    path = resources.files("spellchecker").joinpath("resources/en.json.gz")
    with path.open("rb") as raw, gzip.open(raw) as unpacked:
        words = json.load(unpacked)
    missing = [w for w in collisions(words, load_lexicon()) if w.isascii() and w not in _keep()]
    assert not missing, f"add to agent/offline/spelling_keep.txt: {' '.join(missing[:50])}"


def test_trailing_months_are_not_tailing() -> None:
    text = "Show me MRR month by month for the trailing six months"
    assert correct(text, load_lexicon()) == text
