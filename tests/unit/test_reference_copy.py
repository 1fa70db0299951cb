"""The vendored reference data is the workplace's, byte for byte (when that is mounted)."""

from __future__ import annotations

import hashlib

import pytest
from reference_data import SHARED, VENDORED


@pytest.mark.skipif(SHARED is None, reason="../shared/reference-data is not mounted here")
def test_vendored_copy_matches_the_shared_reference_data() -> None:
    assert SHARED is not None
    shared = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*.csv"))
    vendored = sorted(p.relative_to(VENDORED) for p in VENDORED.rglob("*.csv"))
    assert vendored == shared
    for relative in shared:
        digest = [
            hashlib.sha256((root / relative).read_bytes()).hexdigest()
            for root in (SHARED, VENDORED)
        ]
        assert digest[0] == digest[1], relative
