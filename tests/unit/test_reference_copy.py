"""The vendored reference data is the workplace's, byte for byte (when that is mounted)."""

from __future__ import annotations

import hashlib

import pytest
from reference_data import SHARED, VENDORED

_DATA = (".csv", ".json")


@pytest.mark.skipif(SHARED is None, reason="../shared/reference-data is not mounted here")
def test_vendored_copy_matches_the_shared_reference_data() -> None:
    assert SHARED is not None
    shared = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*") if p.suffix in _DATA)
    vendored = sorted(p.relative_to(VENDORED) for p in VENDORED.rglob("*") if p.suffix in _DATA)
    assert vendored == shared
    for relative in shared:
        digest = [
            hashlib.sha256((root / relative).read_bytes()).hexdigest()
            for root in (SHARED, VENDORED)
        ]
        assert digest[0] == digest[1], relative
