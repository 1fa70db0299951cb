"""Play the months of one chunk of accounts: behaviour, seats, leakage draws, billing, truth.

Order within month t: behaviour and seats happen; leakage events are drawn from hazards of the
state at the end of t-1 (data/synth/hazard.py); pending downgrades are applied unless leaking;
expired cards are replaced unless leaking; invoices and payments are written with the drawn
faults; late card updates and new downgrade requests happen; the end-of-month state is observed
for next month's draw.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from data.synth.billing import build_lines, line_rows, payment_attempts
from data.synth.observe import History, MonthState, next_month_risk
from data.synth.population import DECLINING, LIST_PRICE_CENTS, ARCHETYPES, Population
from data.synth.rows import Rows
from data.warehouse import LEAKAGE_TYPES

DAY = np.timedelta64(1, "D")
_DECLINING_IDX = np.array([ARCHETYPES.index(a) for a in DECLINING])
_SHARP, _CHURN = ARCHETYPES.index("sharp_drop"), ARCHETYPES.index("churn")


class ChunkSimulation:
    """Simulate `pop` over `n_months` months starting at `window_start`, appending to `rows`."""

    def __init__(
        self, pop: Population, rng: np.random.Generator, n_months: int, window_start: np.datetime64
    ) -> None:
        self.pop, self.rng, self.n_months = pop, rng, n_months
        months = window_start.astype("datetime64[M]") + np.arange(n_months + 1)
        self.month_start = months.astype("datetime64[D]")
        self.rows = Rows()
        self.history = History.empty(n_months, pop.size)
        n = pop.size
        self.dev = np.zeros(n)
        self.seats = np.ones(n, np.int64)
        self.adoption = np.zeros(n)
        self.last_login = np.where(
            pop.start_month == 0,
            self.month_start[0] - pop.initial_login_gap * DAY,
            pop.contract_start,
        )
        self._init_contracts()
        self._init_methods()
        self.prev_active = np.zeros(n, bool)
        self.prev_hazards: dict[str, NDArray[np.float64]] = {}
        self.prev_p = np.zeros(n)
        self.prev_features: dict[str, NDArray[np.generic]] = {}

    # ---------------------------------------------------------------- setup
    def _init_contracts(self) -> None:
        p = self.pop
        self.plan, self.list_c, self.price_c = p.tier.copy(), p.list_cents.copy(), p.price_cents.copy()
        self.licensed = p.licensed_seats.copy()
        self.c_seq = np.zeros(p.size, np.int64)
        self.c_start = p.contract_start.copy()
        self.disc_pct, self.disc_end = p.discount_pct.copy(), p.discount_end.copy()
        self.req_month = np.full(p.size, -1)
        self.req_date = np.full(p.size, np.datetime64("NaT"), "datetime64[D]")
        self.tgt_plan = np.full(p.size, -1)
        self.tgt_price = np.zeros(p.size, np.int64)
        self.tgt_list = np.zeros(p.size, np.int64)

    def _init_methods(self) -> None:
        p = self.pop
        self.card = p.method_type == 0
        self.expiry = np.where(self.card, p.card_expiry, -1)
        self.m_seq = np.zeros(p.size, np.int64)
        self.m_attempts = np.zeros(p.size, np.int64)
        self.m_failed = np.zeros(p.size, np.int64)
        expiry_date = self._month_date(np.maximum(self.expiry, 0))
        added = np.maximum(p.contract_start, expiry_date - np.timedelta64(3 * 365, "D"))
        added = np.where(self.card, added, p.contract_start)
        self.rows.add_methods(p.account_number, self.m_seq, p.method_type, self._expiry_dates(), added)

    def _month_date(self, index: NDArray[np.int64]) -> NDArray[np.datetime64]:
        months = self.month_start[0].astype("datetime64[M]") + index.astype("timedelta64[M]")
        return months.astype("datetime64[D]")

    def _expiry_dates(self) -> NDArray[np.datetime64]:
        return np.where(self.card, self._month_date(np.maximum(self.expiry, 0)), np.datetime64("NaT"))

    # ---------------------------------------------------------------- main loop
    def run(self) -> Rows:
        self.rows.add_accounts(self.pop)
        for t in range(self.n_months):
            self._step(t)
        self._forecast()
        self._close_contracts()
        self.rows.add_trend_truth(self.pop, self.month_start)
        return self.rows

    def _step(self, t: int) -> None:
        p, rng, n = self.pop, self.rng, self.pop.size
        start, last_day = self.month_start[t], self.month_start[t + 1] - DAY
        churned = (p.archetype == _CHURN) & (t >= p.change_month)
        active = (t >= p.start_month) & ~churned
        health = self._behaviour(t, active)
        self._seats(t)
        events, valid = self._draw_events(t, active)
        bse = events["Billing_System_Error"]
        pending = active & (self.req_month >= 0)
        correct_price = np.where(pending, self.tgt_price, self.price_c)
        correct_list = np.where(pending, self.tgt_list, self.list_c)
        self._apply_downgrades(t, active & pending & ~events["Downgrade_Not_Processed"] & ~bse)
        self._replace_expired_cards(t, active, events, valid)
        spike, credit_fraction = self._anomalies(t, active, events)
        billed = active & ~bse
        self._bill(t, billed, events, correct_price, correct_list, credit_fraction)
        self._late_card_updates(t, active, events, last_day)
        self._new_requests(t, active, health, last_day)
        self._record_truth(t, active, events, valid, spike, credit_fraction, correct_price, correct_list)
        self.rows.add_usage(p.account_number[active], start, self.seats[active], self.logins[active],
                            self.last_login[active], self.adoption[active], self.tickets[active])
        self._observe(t, active, billed, start, last_day)
        del n

    # ---------------------------------------------------------------- behaviour and seats
    def _behaviour(self, t: int, active: NDArray[np.bool_]) -> NDArray[np.float64]:
        p, rng, n = self.pop, self.rng, self.pop.size
        first = t == p.start_month
        self.dev = np.where(first, rng.normal(0, 0.5, n), 0.75 * self.dev + rng.normal(0, 0.35, n))
        drift = np.where(np.isin(p.archetype, _DECLINING_IDX), 0.04 * np.maximum(0, t - p.start_month), 0)
        health = p.health_mean - drift + self.dev
        self.adoption = np.round(np.clip(55 + 14 * health + rng.normal(0, 4, n), 3, 99), 1)
        self.logins = rng.poisson(25 * expit(1.2 * health))
        days = int((self.month_start[t + 1] - self.month_start[t]) / DAY)
        gap = np.floor(rng.exponential(1 + 10 * expit(-health))).astype(np.int64)
        login_day = self.month_start[t] + (days - 1 - np.minimum(days - 1, gap)) * DAY
        self.last_login = np.where(active & (self.logins > 0), login_day, self.last_login)
        self.tickets = rng.poisson(0.4 + 1.2 * expit(-health) + 0.25 * np.log10(1 + p.base_seats))
        self.history.tickets[t] = np.where(active, self.tickets, 0)
        return health

    def _seats(self, t: int) -> None:
        p, rng = self.pop, self.rng
        age = np.maximum(0, t - p.start_month)
        calendar_month = int(self.month_start[t].astype("datetime64[M]").astype(int) % 12)
        shape = np.exp(p.growth * age) * (
            1 + p.season_amp * np.sin(2 * np.pi * (calendar_month + p.season_phase) / 12)
        )
        shape = shape * np.where((p.archetype == _SHARP) & (t >= p.change_month), p.drop_factor, 1.0)
        noise = np.exp(p.noise_sigma * rng.normal(0, 1, p.size) - p.noise_sigma**2 / 2)
        self.seats = np.maximum(1, np.round(p.base_seats * shape * noise)).astype(np.int64)

    # ---------------------------------------------------------------- leakage draws
    def _draw_events(
        self, t: int, active: NDArray[np.bool_]
    ) -> tuple[dict[str, NDArray[np.bool_]], NDArray[np.bool_]]:
        valid = active & self.prev_active
        u = self.rng.random((len(LEAKAGE_TYPES), self.pop.size))
        if not self.prev_hazards:
            draws = {k: np.zeros(self.pop.size, bool) for k in LEAKAGE_TYPES}
        else:
            draws = {k: valid & (u[i] < self.prev_hazards[k]) for i, k in enumerate(LEAKAGE_TYPES)}
        self.expired_draw = draws["Expired_Payment_Method"]
        bse = draws["Billing_System_Error"]
        events = {k: (v if k == "Billing_System_Error" else v & ~bse) for k, v in draws.items()}
        return events, valid

    def _apply_downgrades(self, t: int, process: NDArray[np.bool_]) -> None:
        if not process.any():
            return
        self._emit_contracts(process, end=self.month_start[t] - DAY)
        self.plan = np.where(process, self.tgt_plan, self.plan)
        self.list_c = np.where(process, self.tgt_list, self.list_c)
        self.price_c = np.where(process, self.tgt_price, self.price_c)
        self.c_seq = np.where(process, self.c_seq + 1, self.c_seq)
        self.c_start = np.where(process, self.month_start[t], self.c_start)
        self.disc_pct = np.where(process, 0, self.disc_pct)
        self.disc_end = np.where(process, np.datetime64("NaT"), self.disc_end)
        self.req_month = np.where(process, -1, self.req_month)
        self.req_date = np.where(process, np.datetime64("NaT"), self.req_date)
        self.tgt_plan = np.where(process, -1, self.tgt_plan)

    def _replace_expired_cards(
        self, t: int, active: NDArray[np.bool_], events: dict[str, NDArray[np.bool_]], valid: NDArray[np.bool_]
    ) -> None:
        expired = active & self.card & (self.expiry < t)
        self._new_card(t, expired & ~self.expired_draw, day=np.zeros(self.pop.size, np.int64))

    def _new_card(self, t: int, mask: NDArray[np.bool_], day: NDArray[np.int64]) -> None:
        if not mask.any():
            return
        self.expiry = np.where(mask, t + self.rng.integers(24, 49, self.pop.size), self.expiry)
        self.m_seq = np.where(mask, self.m_seq + 1, self.m_seq)
        self.m_attempts = np.where(mask, 0, self.m_attempts)
        self.m_failed = np.where(mask, 0, self.m_failed)
        added = self.month_start[t] + day * DAY
        self.rows.add_methods(self.pop.account_number[mask], self.m_seq[mask],
                              np.zeros(int(mask.sum()), np.int64), self._expiry_dates()[mask],
                              added[mask])

    # ---------------------------------------------------------------- anomalies and billing
    def _anomalies(
        self, t: int, active: NDArray[np.bool_], events: dict[str, NDArray[np.bool_]]
    ) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
        p, rng, n = self.pop, self.rng, self.pop.size
        eligible = active & (t >= p.start_month + 2) & (np.abs(t - p.change_month) > 1)
        eligible &= ~events["Billing_System_Error"] & ~events["Usage_Overage_Unbilled"]
        hit = eligible & (rng.random(n) < 0.018)
        dip = hit & (p.noise_sigma <= 0.25) & (rng.random(n) < 0.4)
        spike = hit & ~dip
        strength = rng.uniform(4.5, 6.0, n) * p.noise_sigma
        self.seats = np.where(spike, np.maximum(self.seats + 1, np.round(self.seats * np.exp(strength))), self.seats).astype(np.int64)
        credit_fraction = np.where(dip, np.clip(1 - np.exp(-strength), 0.4, 0.95), 0.0)
        return spike, credit_fraction

    def _bill(
        self,
        t: int,
        billed: NDArray[np.bool_],
        events: dict[str, NDArray[np.bool_]],
        correct_price: NDArray[np.int64],
        correct_list: NDArray[np.int64],
        credit_fraction: NDArray[np.float64],
    ) -> None:
        p, rng, n = self.pop, self.rng, self.pop.size
        unbilled = events["Usage_Overage_Unbilled"]
        bump = unbilled & (self.seats <= self.licensed)
        self.seats = np.where(bump, self.licensed + np.maximum(1, np.round(0.1 * self.licensed)), self.seats).astype(np.int64)
        terms = events["Contract_Terms_Error"]
        flavour_a = terms & self.prev_flag("discount_billed_past_end") | terms & self.prev_flag("discount_ends_this_month")
        self.wrong_price = np.round(self.price_c * rng.uniform(0.7, 0.9, n)).astype(np.int64)
        unit = np.where(terms & ~flavour_a, self.wrong_price, self.price_c)
        with np.errstate(invalid="ignore"):
            applies = (self.disc_pct > 0) & (self.month_start[t] <= self.disc_end)
        self.lines = build_lines(self.seats, self.licensed, unit, self.list_c, unbilled,
                                 self.disc_pct, applies | flavour_a, credit_fraction)
        self.flavour_a = flavour_a
        idx = np.flatnonzero(billed)
        self.rows.add_invoices(p.account_number[idx], t, self.month_start[t], self.c_seq[idx],
                               self.lines, idx)
        pay = payment_attempts(rng, self.lines.total[idx], events["Expired_Payment_Method"][idx],
                               events["Failed_Payment_Retry"][idx], p.fragility[idx])
        self.rows.add_payments(p.account_number[idx], t, self.month_start[t], pay, self.m_seq[idx])
        attempts = np.zeros(n, np.int64)
        failed = np.zeros(n, np.int64)
        attempts[idx], failed[idx] = pay["n_attempts"], pay["n_failed"]
        self.m_attempts += attempts
        self.m_failed += failed
        self.history.attempts[t], self.history.failed[t] = attempts, failed
        unpaid = np.zeros(n, bool)
        unpaid[idx] = (self.lines.total[idx] > 0) & ~pay["paid"]
        self.history.unpaid[t] = unpaid
        self.discount_line = np.zeros(n, bool)
        self.discount_line[idx] = self.lines.discount_line[idx]
        del correct_price, correct_list

    def prev_flag(self, name: str) -> NDArray[np.bool_]:
        if name not in self.prev_features:
            return np.zeros(self.pop.size, bool)
        return np.asarray(self.prev_features[name]).astype(bool) & self.prev_active

    # ---------------------------------------------------------------- after the charge
    def _late_card_updates(
        self, t: int, active: NDArray[np.bool_], events: dict[str, NDArray[np.bool_]], last_day: np.datetime64
    ) -> None:
        rng, n = self.rng, self.pop.size
        after_failure = events["Expired_Payment_Method"] & (rng.random(n) < 0.35)
        self._new_card(t, after_failure, day=rng.integers(15, 28, n))
        days_since = (last_day - self.last_login) / DAY
        engagement = 0.6 * self.adoption + 0.4 * np.maximum(0.0, 100.0 - days_since)
        proactive = active & self.card & (self.expiry == t)
        proactive &= rng.random(n) < expit(-0.3 + 0.06 * (engagement - 55))
        self._new_card(t, proactive, day=rng.integers(5, 25, n))

    def _new_requests(
        self, t: int, active: NDArray[np.bool_], health: NDArray[np.float64], last_day: np.datetime64
    ) -> None:
        rng, n = self.rng, self.pop.size
        with np.errstate(invalid="ignore"):
            discounted = (self.disc_pct > 0) & (self.disc_end > last_day)
        eligible = active & (self.plan > 0) & (self.req_month < 0) & ~discounted
        eligible &= (self.seats / self.licensed < 0.6) & (self.c_start < self.month_start[t])
        request = eligible & (rng.random(n) < 0.12 * expit(-health))
        if not request.any():
            return
        days = int((self.month_start[t + 1] - self.month_start[t]) / DAY)
        target = np.maximum(self.plan - 1, 0)
        target_list = LIST_PRICE_CENTS[target]
        target_price = np.minimum(np.round(target_list * self.price_c / self.list_c), self.price_c - 1)
        self.req_month = np.where(request, t, self.req_month)
        self.req_date = np.where(request, self.month_start[t] + rng.integers(0, days, n) * DAY, self.req_date)
        self.tgt_plan = np.where(request, target, self.tgt_plan)
        self.tgt_list = np.where(request, target_list, self.tgt_list)
        self.tgt_price = np.where(request, target_price, self.tgt_price).astype(np.int64)

    # ---------------------------------------------------------------- truth and observation
    def _record_truth(self, t, active, events, valid, spike, credit_fraction, correct_price, correct_list) -> None:  # type: ignore[no-untyped-def]
        acc, month = self.pop.account_number, self.month_start[t]
        lines = self.lines
        amounts = {
            "Failed_Payment_Retry": lines.total,
            "Expired_Payment_Method": lines.total,
            "Usage_Overage_Unbilled": lines.over_qty * lines.over_unit,
            "Contract_Terms_Error": np.where(self.flavour_a, -lines.discount,
                                             (self.price_c - lines.sub_unit) * lines.sub_qty),
            "Downgrade_Not_Processed": (self.price_c - correct_price) * lines.sub_qty
            + (self.list_c - correct_list) * lines.over_qty,
            "Billing_System_Error": self._expected_total(t, correct_price, correct_list),
        }
        for kind in LEAKAGE_TYPES:
            mask = events[kind]
            self.rows.add_event(acc[mask], month, kind, amounts[kind][mask])
        any_event = np.zeros(self.pop.size, bool)
        for mask in events.values():
            any_event |= mask
        self.rows.add_risk(acc[valid], month, self.prev_p[valid], any_event[valid])
        bse = events["Billing_System_Error"]
        self.rows.add_anomalies(acc[spike], month, "spike", "usage_spike")
        self.rows.add_anomalies(acc[(credit_fraction > 0) & active], month, "dip", "service_credit")
        self.rows.add_anomalies(acc[bse], month, "dip", "missing_invoice")
        del active

    def _expected_total(self, t: int, price: NDArray[np.int64], list_price: NDArray[np.int64]) -> NDArray[np.int64]:
        sub_qty = np.minimum(self.seats, self.licensed)
        over_qty = np.maximum(0, self.seats - self.licensed)
        subscription = sub_qty * price
        with np.errstate(invalid="ignore"):
            applies = (self.disc_pct > 0) & (self.month_start[t] <= self.disc_end)
        from data.synth.billing import discount_cents

        discount = np.where(applies, discount_cents(subscription, self.disc_pct), 0)
        return subscription + over_qty * list_price + discount

    def _observe(self, t: int, active, billed, start, last_day) -> None:  # type: ignore[no-untyped-def]
        state = MonthState(
            t=t, month_start=start, last_day=last_day, legacy=self.pop.legacy,
            adoption=self.adoption, last_login=self.last_login, seats=self.seats,
            licensed=self.licensed, card=self.card, card_expiry=self.expiry,
            method_attempts=self.m_attempts, method_failed=self.m_failed,
            discount_pct=self.disc_pct, discount_end=self.disc_end,
            discount_line=self.discount_line, request_month=self.req_month, invoiced=billed,
        )
        from data.synth.observe import features

        self.prev_features = features(state, self.history)
        self.prev_hazards, self.prev_p = next_month_risk(state, self.history)
        self.prev_active = active

    def _forecast(self) -> None:
        mask = self.prev_active
        month = self.month_start[self.n_months]
        self.rows.add_risk(self.pop.account_number[mask], month, self.prev_p[mask], None)

    def _close_contracts(self) -> None:
        p = self.pop
        churn_end = np.where(
            p.archetype == _CHURN, self._month_date(np.maximum(p.change_month, 0)) - DAY, np.datetime64("NaT")
        )
        self._emit_contracts(np.ones(p.size, bool), end=churn_end)

    def _emit_contracts(self, mask: NDArray[np.bool_], end: np.datetime64 | NDArray[np.datetime64]) -> None:
        p = self.pop
        end_arr = np.broadcast_to(np.asarray(end, dtype="datetime64[D]"), mask.shape)
        self.rows.add_contracts(
            acc=p.account_number[mask], seq=self.c_seq[mask], plan=self.plan[mask],
            list_c=self.list_c[mask], price_c=self.price_c[mask], licensed=self.licensed[mask],
            term=p.term_months[mask], start=self.c_start[mask], end=end_arr[mask],
            disc_pct=self.disc_pct[mask], disc_end=self.disc_end[mask],
            req_date=self.req_date[mask], tgt_plan=self.tgt_plan[mask],
            tgt_price=self.tgt_price[mask], tgt_list=self.tgt_list[mask],
        )
