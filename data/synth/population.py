"""Static draws for a chunk of synthetic accounts: who they are, what they bought, how they behave.

Everything here is decided once per account; `simulate.py` plays the months. Latent traits
(health level, payment fragility, archetype) are never written to the raw tables: only their
consequences are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.synth.arrays import Bools, Dates, Floats, Ints
from domain import TIERS

REGIONS = ("North America", "EMEA", "APAC", "LATAM")
ARCHETYPES = ("growing", "flat", "seasonal", "gradual_decline", "sharp_drop", "churn", "volatile")
ARCHETYPE_P = (0.20, 0.28, 0.15, 0.13, 0.06, 0.04, 0.14)
DECLINING = frozenset({"gradual_decline", "sharp_drop", "churn"})

LIST_PRICE_CENTS = np.array([1200, 2000, 3200, 4800])  # per seat-month, by plan index
SEAT_MEDIAN = np.array([6.0, 25.0, 120.0, 700.0])
NEGOTIATED_DISCOUNTS = (  # fraction off list, by plan index
    (0.0,),
    (0.0, 0.05, 0.10),
    (0.05, 0.10, 0.15),
    (0.10, 0.15, 0.20, 0.25),
)

_NAME_A = (
    "Blue",
    "North",
    "Bright",
    "Silver",
    "Red",
    "Quiet",
    "Swift",
    "Iron",
    "Green",
    "Clear",
    "Golden",
    "Open",
    "Prime",
    "Stone",
    "Summit",
    "Urban",
    "Vivid",
    "Wild",
    "True",
    "Atlas",
)
_NAME_B = (
    "River",
    "Peak",
    "Harbor",
    "Field",
    "Cloud",
    "Forge",
    "Signal",
    "Bridge",
    "Grove",
    "Beacon",
    "Orbit",
    "Vector",
    "Canyon",
    "Maple",
    "Falcon",
    "Delta",
    "Pixel",
    "Anchor",
)
_NAME_C = (
    "Labs",
    "Systems",
    "Analytics",
    "Logistics",
    "Health",
    "Retail",
    "Media",
    "Foods",
    "Capital",
    "Software",
    "Energy",
    "Partners",
    "Studios",
    "Robotics",
    "Travel",
)


@dataclass(frozen=True)
class Population:
    """Per-account static arrays for one chunk (index i is account number `first + i`)."""

    account_number: Ints
    tier: Ints  # plan index into TIERS
    region: Ints
    legacy: Bools
    start_month: Ints  # window index of the first billed month (0: pre-window)
    contract_start: Dates
    signup_date: Dates
    term_months: Ints
    base_seats: Floats
    licensed_seats: Ints
    list_cents: Ints
    price_cents: Ints
    discount_pct: Ints  # promotional, whole percent; 0: none
    discount_end: Dates  # NaT when no discount
    archetype: Ints
    growth: Floats  # log-rate per month (0 for non-trending archetypes)
    season_amp: Floats
    season_phase: Floats
    noise_sigma: Floats
    change_month: Ints  # window index; -1 when none
    drop_factor: Floats
    health_mean: Floats
    fragility: Floats  # chance of a recoverable first-attempt failure
    method_type: Ints  # 0 card, 1 ach, 2 wire
    card_expiry: Ints  # window index of the card's last valid month
    initial_login_gap: Ints  # days before the window's first day

    @property
    def size(self) -> int:
        return int(self.account_number.size)


def account_names(numbers: Ints) -> list[str]:
    """Deterministic company-like names from the account number."""
    a, b, c = len(_NAME_A), len(_NAME_B), len(_NAME_C)
    return [
        f"{_NAME_A[n % a]} {_NAME_B[(n // a) % b]} {_NAME_C[(n // (a * b)) % c]} #{n}"
        for n in numbers.tolist()
    ]


def draw_population(
    rng: np.random.Generator, first: int, size: int, n_months: int, window_start: np.datetime64
) -> Population:
    """Draw `size` accounts numbered from `first` for a window of `n_months` months."""
    tier = rng.choice(4, size=size, p=[0.43, 0.35, 0.18, 0.04])
    pre_window = rng.random(size) < 0.8
    start_month = np.where(pre_window, 0, rng.integers(1, max(2, n_months - 2), size=size))
    months_before = rng.integers(1, 72, size=size)
    start_offset = np.where(pre_window, -months_before, start_month)
    contract_start = add_months(window_start, start_offset)
    signup_date = contract_start - rng.integers(0, 31, size=size).astype("timedelta64[D]")

    base_seats = np.maximum(1.0, SEAT_MEDIAN[tier] * rng.lognormal(0.0, 0.45, size=size))
    licensed = np.maximum(1, np.round(base_seats * rng.uniform(0.9, 1.35, size=size))).astype(int)
    list_cents = LIST_PRICE_CENTS[tier]
    negotiated = np.array([rng.choice(NEGOTIATED_DISCOUNTS[t]) for t in tier])
    price_cents = np.round(list_cents * (1.0 - negotiated)).astype(np.int64)

    discount_pct, discount_end = _promotions(rng, size, n_months, start_month, window_start)
    archetype, growth, amp, phase, sigma, change, drop = _archetypes(
        rng, size, n_months, start_month
    )
    health_shift = np.select(
        [archetype == 0, np.isin(archetype, (3, 4, 5)), archetype == 6], [0.5, -0.5, -0.2], 0.0
    )
    enterprise = tier == 3
    method_type = np.where(
        enterprise,
        rng.choice(3, size=size, p=[0.3, 0.3, 0.4]),
        rng.choice(3, size=size, p=[0.75, 0.17, 0.08]),
    )
    return Population(
        account_number=np.arange(first, first + size, dtype=np.int64),
        tier=tier,
        region=rng.choice(4, size=size, p=[0.45, 0.30, 0.18, 0.07]),
        legacy=rng.random(size) < np.where(pre_window, 0.3, 0.05),
        start_month=start_month,
        contract_start=contract_start,
        signup_date=signup_date,
        term_months=rng.choice([12, 24, 36], size=size, p=[0.5, 0.3, 0.2]),
        base_seats=base_seats,
        licensed_seats=licensed,
        list_cents=list_cents.astype(np.int64),
        price_cents=price_cents,
        discount_pct=discount_pct,
        discount_end=discount_end,
        archetype=archetype,
        growth=growth,
        season_amp=amp,
        season_phase=phase,
        noise_sigma=sigma,
        change_month=change,
        drop_factor=drop,
        health_mean=rng.normal(0.0, 1.0, size=size) + health_shift,
        fragility=rng.beta(1.2, 25.0, size=size),
        method_type=method_type,
        card_expiry=start_month + rng.integers(0, 36, size=size),
        initial_login_gap=rng.integers(0, 21, size=size),
    )


def add_months(start: np.datetime64, offsets: Ints) -> Dates:
    """The first day of the month `offsets` months after the month of `start`.

    Examples:
        >>> add_months(np.datetime64("2026-01-15"), np.array([-1, 0, 13]))
        array(['2025-12-01', '2026-01-01', '2027-02-01'], dtype='datetime64[D]')
    """
    months = start.astype("datetime64[M]") + offsets.astype("timedelta64[M]")
    return months.astype("datetime64[D]")


def _promotions(
    rng: np.random.Generator,
    size: int,
    n_months: int,
    start_month: Ints,
    window_start: np.datetime64,
) -> tuple[Ints, Dates]:
    """A quarter of accounts get a promotional discount that ends inside the window."""
    has = rng.random(size) < 0.25
    pct = np.where(has, rng.choice([10, 15, 20, 25], size=size), 0)
    end_month = np.where(
        start_month == 0,
        rng.integers(1, max(2, n_months - 3), size=size),
        start_month + rng.integers(2, 10, size=size),
    )
    end_month = np.minimum(end_month, n_months + 6)
    end = add_months(window_start, end_month) + rng.integers(0, 28, size=size).astype(
        "timedelta64[D]"
    )
    return pct, np.where(has, end, np.datetime64("NaT"))


def _archetypes(
    rng: np.random.Generator, size: int, n_months: int, start_month: Ints
) -> tuple[Ints, Floats, Floats, Floats, Floats, Ints, Floats]:
    archetype = rng.choice(len(ARCHETYPES), size=size, p=ARCHETYPE_P)
    growth = np.select(
        [archetype == 0, archetype == 3],
        [rng.uniform(0.015, 0.04, size=size), -rng.uniform(0.025, 0.06, size=size)],
        0.0,
    )
    amp = np.where(archetype == 2, rng.uniform(0.25, 0.45, size=size), 0.0)
    phase = rng.uniform(0.0, 12.0, size=size)
    sigma = np.where(
        archetype == 6, rng.uniform(0.30, 0.45, size=size), rng.uniform(0.08, 0.25, size=size)
    )
    earliest = np.maximum(6, start_month + 4)
    latest = np.maximum(earliest + 1, n_months - 3)
    change = np.where(
        np.isin(archetype, (4, 5)),
        rng.integers(0, 1 << 30, size=size) % (latest - earliest) + earliest,
        -1,
    )
    # Too-short windows cannot host a change: those accounts become flat.
    no_room = np.isin(archetype, (4, 5)) & (change >= n_months - 1)
    archetype = np.where(no_room, 1, archetype)
    change = np.where(no_room, -1, change)
    drop = np.where(archetype == 4, rng.uniform(0.25, 0.55, size=size), 1.0)
    return archetype, growth, amp, phase, sigma, change, drop


TIER_NAMES = np.array(TIERS)
REGION_NAMES = np.array(REGIONS)
