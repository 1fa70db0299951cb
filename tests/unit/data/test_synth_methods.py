"""The synthetic world's payment methods: first methods, card replacements, charge counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.synth.methods import PaymentMethods
from data.synth.population import draw_population
from data.synth.rows import Rows

WINDOW_START = np.datetime64("2025-01-01")
MONTH_START = (WINDOW_START.astype("datetime64[M]") + np.arange(13)).astype("datetime64[D]")


def _methods(size: int = 40) -> tuple[PaymentMethods, Rows]:
    rng = np.random.default_rng(5)
    pop = draw_population(rng, 1, size, 12, WINDOW_START)
    rows = Rows()
    return PaymentMethods(pop, rows, rng, MONTH_START), rows


def _written(rows: Rows) -> pd.DataFrame:
    return rows.frames()["payment_methods"]


def test_every_account_starts_with_one_method_and_only_cards_expire() -> None:
    methods, rows = _methods()
    first = _written(rows)
    assert first["acc"].tolist() == methods.pop.account_number.tolist()
    assert (first["seq"] == 0).all()
    assert first["expiry"].isna().tolist() == (~methods.card).tolist()
    assert (methods.expiry[~methods.card] == -1).all()


def test_a_replaced_card_is_the_next_method_with_fresh_counts() -> None:
    methods, rows = _methods()
    methods.count_charges(np.full(40, 3, np.int64), np.full(40, 1, np.int64))
    replaced = np.flatnonzero(methods.card)[:2]  # the simulation replaces cards only
    mask = np.isin(np.arange(40), replaced)
    methods.replace_cards(4, mask, day=9)

    assert methods.seq.tolist() == mask.astype(int).tolist()
    assert methods.attempts[mask].tolist() == [0, 0] and methods.failed[mask].tolist() == [0, 0]
    assert (methods.attempts[~mask] == 3).all() and (methods.failed[~mask] == 1).all()
    assert ((methods.expiry[mask] >= 4 + 24) & (methods.expiry[mask] <= 4 + 48)).all()
    new = _written(rows).iloc[40:]
    assert new["acc"].tolist() == methods.pop.account_number[mask].tolist()
    assert new["seq"].tolist() == [1, 1] and new["method_type"].tolist() == [0, 0]
    assert (new["added"] == pd.Timestamp("2025-05-10")).all()
    expiry_month = (WINDOW_START.astype("datetime64[M]") + methods.expiry[mask]).astype(
        "datetime64[D]"
    )
    assert new["expiry"].tolist() == pd.to_datetime(expiry_month).tolist()


def test_replacing_no_card_draws_nothing() -> None:
    methods, rows = _methods()
    state = methods.rng.bit_generator.state
    methods.replace_cards(3, np.zeros(40, bool), day=0)
    assert methods.rng.bit_generator.state == state
    assert len(_written(rows)) == 40
