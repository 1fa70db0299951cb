"""Where the tests find the reference projects' data.

`../shared/reference-data` next to the checkout (the workplace's copy, what CI mounts) when it
is there, else the byte-identical copy in tests/fixtures/reference-data, so a clone anywhere runs
every test. Import the names below instead of building paths in each test module.
"""

from __future__ import annotations

from pathlib import Path

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference-data"
VENDORED = Path(__file__).resolve().parent / "fixtures" / "reference-data"
SHARED = _SHARED if _SHARED.is_dir() else None
"""The workplace copy, when mounted next to the checkout."""
REFERENCE_DATA = SHARED or VENDORED

TRAINING_DATA = REFERENCE_DATA / "leakage-seed" / "training_data.csv"
SAMPLE_ACCOUNTS = REFERENCE_DATA / "leakage-seed" / "sample_accounts.csv"
RETAIL_PIVOT = REFERENCE_DATA / "online-retail" / "monthly_revenue_pivot.csv"
TREND_REFERENCE = REFERENCE_DATA / "online-retail" / "revtrend_result.csv"
STRIPE_FIXTURES = REFERENCE_DATA / "stripe" / "fixtures.json"
"""One real example of each Stripe billing object (Stripe's OpenAPI fixtures, MIT)."""
