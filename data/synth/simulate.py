"""Play the months of one chunk of accounts: behaviour, seats, leakage draws, billing, truth.

Order within month t: behaviour and seats happen; leakage events are drawn from hazards of the
state at the end of t-1 (data/synth/hazard.py); pending downgrades are applied unless leaking;
expired cards are replaced unless leaking; invoices and payments are written with the drawn
faults; late card updates and new downgrade requests happen; the end-of-month state is observed
for next month's draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from data.synth.arrays import Bools, Floats, Ints
from data.synth.billing import build_lines, discount_cents, payment_attempts
from data.synth.contracts import ContractBook
from data.synth.decline import (
    DECLINE_TRUTH_BASELINE,
    DECLINE_TRUTH_CUTOFFS,
    DECLINE_TRUTH_HORIZON,
    OnsetProcess,
    SeatPlan,
    baseline_revenue,
    halving_probability,
)
from data.synth.methods import PaymentMethods
from data.synth.observe import History, MonthState, features, next_month_risk
from data.synth.population import ARCHETYPES, DECLINING, Population, add_months
from data.synth.rows import Rows
from domain import LEAKAGE_TYPES

Events = dict[str, Bools]

DAY = np.timedelta64(1, "D")
_DECLINING_IDX = np.array([ARCHETYPES.index(a) for a in DECLINING])
_SHARP, _CHURN = ARCHETYPES.index("sharp_drop"), ARCHETYPES.index("churn")
ANOMALY_RATE = 0.018  # per eligible account-month
ANOMALY_NOISE_FLOOR = 0.12  # revenue moves ~12 % from rounding, discounts and prices alone


class ChunkSimulation:
    """Simulate `pop` over `n_months` months starting at `window_start`."""

    def __init__(
        self, pop: Population, rng: np.random.Generator, n_months: int, window_start: np.datetime64
    ) -> None:
        self.pop, self.rng, self.n_months = pop, rng, n_months
        months = window_start.astype("datetime64[M]") + np.arange(n_months + 1)
        self.month_start = months.astype("datetime64[D]")
        self.rows = Rows()
        self.history = History.empty(n_months, pop.size)
        self.book = ContractBook(pop, self.rows)
        self.onsets = OnsetProcess(pop, rng, window_start)
        self.active_history = np.zeros((n_months, pop.size), bool)
        self.revenue = np.zeros((n_months, pop.size))  # billed, dollars (the invoices' totals)
        self.p_halved: dict[int, Floats] = {}
        n = pop.size
        self.dev = np.zeros(n)
        self.seats = np.ones(n, np.int64)
        self.adoption: Floats = np.zeros(n)
        self.logins = np.zeros(n, np.int64)
        self.tickets = np.zeros(n, np.int64)
        self.last_login = np.where(
            pop.start_month == 0,
            self.month_start[0] - pop.initial_login_gap * DAY,
            pop.contract_start,
        )
        self.methods = PaymentMethods(pop, self.rows, rng, self.month_start)
        self.prev_active = np.zeros(n, bool)
        self.prev_hazards: dict[str, Floats] = {}
        self.prev_p = np.zeros(n)
        self.prev_features: dict[str, NDArray[Any]] = {}

    def _days_in(self, t: int) -> int:
        return int((self.month_start[t + 1] - self.month_start[t]) // DAY)

    # ------------------------------------------------------------------ main loop
    def run(self) -> Rows:
        """Simulate every month, then write the forecast month's risk, contracts and truth."""
        self.rows.add_accounts(self.pop)
        cutoffs = self._truth_cutoffs()
        for t in range(self.n_months):
            self._step(t)
            if t in cutoffs:
                self.p_halved[t] = self._halving_at(t)
        self._forecast()
        churn_month = np.where(self.pop.archetype == _CHURN, self.pop.change_month, -1)
        churn_date = add_months(self.month_start[0], np.maximum(churn_month, 0))
        self.book.close_all(churn_date - DAY, churn_month >= 0)
        onset = self.onsets.onset
        lasting = (onset >= 0) & (onset <= self.n_months - 3)  # three months at the new level
        self.rows.add_trend_truth(self.pop, self.month_start, lasting)
        self._decline_truth()
        return self.rows

    def _truth_cutoffs(self) -> range:
        """The last cut-offs with a full horizon after them (data/synth/decline.py)."""
        last = self.n_months - 1 - DECLINE_TRUTH_HORIZON
        return range(max(1, last - DECLINE_TRUTH_CUTOFFS + 1), last + 1)

    def _decline_truth(self) -> None:
        for cutoff in self._truth_cutoffs():
            self._decline_truth_at(cutoff)

    def _halving_at(self, t: int) -> Floats:
        """P(revenue of t+1..t+H halves | the state at the end of t), for every account (NaN
        for those not at risk): replays of the seat process (`halving_probability`)."""
        p, book, horizon = self.pop, self.book, DECLINE_TRUTH_HORIZON
        risk = self.active_history[t] & self.onsets.eligible & (self.onsets.onset < 0)
        out = np.full(p.size, np.nan)
        if not risk.any():
            return out
        ahead = range(t + 1, t + 1 + horizon)
        plan = SeatPlan(
            base_seats=p.base_seats[risk],
            shape=np.stack([self._shape(m)[risk] for m in ahead]),
            noise_sigma=p.noise_sigma[risk],
            hazard=self.onsets.hazards_ahead(t, horizon)[:, risk],
            licensed=book.licensed[risk],
            price=book.price[risk],
            list_price=book.list_price[risk],
            discount_pct=book.discount_pct[risk],
            discount=np.stack([book.discount_applies(self.month_start[m])[risk] for m in ahead]),
        )
        baseline = baseline_revenue(self.revenue, t, DECLINE_TRUTH_BASELINE)[risk] * 100.0
        out[risk] = halving_probability(plan, baseline, self.onsets.replay_rng)
        return out

    def _decline_truth_at(self, cutoff: int) -> None:
        truth = self.onsets.truth(
            self.active_history[cutoff],
            cutoff,
            DECLINE_TRUTH_HORIZON,
            self.revenue,
            self.p_halved[cutoff],
        )
        rows = truth.at_risk
        onset = self.onsets.onset[rows]
        onset_month = np.where(
            onset >= 0, self.month_start[np.maximum(onset, 0)], np.datetime64("NaT")
        )
        self.rows.add(
            "decline_truth",
            acc=self.pop.account_number[rows],
            cutoff=self.month_start[cutoff],
            horizon=DECLINE_TRUTH_HORIZON,
            p_true=truth.p_true[rows],
            declined=truth.declined[rows],
            onset=onset_month,
            p_halved=truth.p_halved[rows],
            halved=truth.halved[rows],
        )

    def _step(self, t: int) -> None:
        p = self.pop
        churned = (p.archetype == _CHURN) & (t >= p.change_month)
        active = (t >= p.start_month) & ~churned
        self.onsets.step(t, self.prev_active)
        self.active_history[t] = active
        health = self._behaviour(t, active)
        self._seats(t)
        events, valid = self._draw_events(active)
        bse = events["Billing_System_Error"]
        pending = active & self.book.pending
        correct_price = np.where(pending, self.book.tgt_price, self.book.price)
        correct_list = np.where(pending, self.book.tgt_list, self.book.list_price)
        self.book.apply_downgrades(
            self.month_start[t], active & pending & ~events["Downgrade_Not_Processed"] & ~bse
        )
        methods = self.methods
        expired = active & methods.card & (methods.expiry < t) & ~self.expired_draw
        methods.replace_cards(t, expired, day=0)
        spike, credit_fraction = self._anomalies(t, active, events)
        billed = active & ~bse
        self._bill(t, billed, events, credit_fraction)
        self._late_card_updates(t, active, events)
        self._new_requests(t, active, health)
        self._record_events(t, events, correct_price, correct_list)
        self._record_truth(t, valid, events, spike, credit_fraction)
        self.rows.add(
            "usage_monthly",
            acc=p.account_number[active],
            month=self.month_start[t],
            seats=self.seats[active],
            logins=self.logins[active],
            last_login=self.last_login[active],
            adoption=self.adoption[active],
            tickets=self.tickets[active],
        )
        self._observe(t, active, billed)

    # ------------------------------------------------------------------ behaviour and seats
    def _behaviour(self, t: int, active: Bools) -> Floats:
        p, rng, n = self.pop, self.rng, self.pop.size
        first = t == p.start_month
        self.dev = np.where(first, rng.normal(0, 0.5, n), 0.75 * self.dev + rng.normal(0, 0.35, n))
        declining = np.isin(p.archetype, _DECLINING_IDX)
        drift = np.where(declining, 0.04 * np.maximum(0, t - p.start_month), 0.0)
        health: Floats = p.health_mean - drift + self.dev
        adoption = np.clip(55 + 14 * health + rng.normal(0, 4, n), 3, 99)
        self.adoption = np.round(adoption, 1).astype(np.float64)
        self.logins = rng.poisson(12 * expit(2.0 * health - 0.3))
        days = self._days_in(t)
        gap = np.floor(rng.exponential(1 + 10 * expit(-health))).astype(np.int64)
        login_day = self.month_start[t] + (days - 1 - np.minimum(days - 1, gap)) * DAY
        self.last_login = np.where(active & (self.logins > 0), login_day, self.last_login)
        self.tickets = rng.poisson(0.4 + 1.2 * expit(-health) + 0.25 * np.log10(1 + p.base_seats))
        self.history.tickets[t] = np.where(active, self.tickets, 0)
        return health

    def _shape(self, t: int) -> Floats:
        """Seat multiplier of month `t` before noise and onset: growth, season, a sharp drop."""
        p = self.pop
        age = np.maximum(0, t - p.start_month)
        calendar_month = int(self.month_start[t].astype("datetime64[M]").astype(int) % 12)
        season = 1 + p.season_amp * np.sin(2 * np.pi * (calendar_month + p.season_phase) / 12)
        dropped = (p.archetype == _SHARP) & (t >= p.change_month)
        return np.exp(p.growth * age) * season * np.where(dropped, p.drop_factor, 1.0)

    def _seats(self, t: int) -> None:
        p, rng = self.pop, self.rng
        shape = self._shape(t) * self.onsets.level(t)
        noise = np.exp(p.noise_sigma * rng.normal(0, 1, p.size) - p.noise_sigma**2 / 2)
        self.seats = np.maximum(1, np.round(p.base_seats * shape * noise)).astype(np.int64)

    # ------------------------------------------------------------------ leakage draws
    def _draw_events(self, active: Bools) -> tuple[Events, Bools]:
        """Draw every type from last month's hazards; a missing invoice excludes the others."""
        valid = active & self.prev_active
        u = self.rng.random((len(LEAKAGE_TYPES), self.pop.size))
        if self.prev_hazards:
            draws = {k: valid & (u[i] < self.prev_hazards[k]) for i, k in enumerate(LEAKAGE_TYPES)}
        else:
            draws = {k: np.zeros(self.pop.size, bool) for k in LEAKAGE_TYPES}
        self.expired_draw = draws["Expired_Payment_Method"]
        bse = draws["Billing_System_Error"]
        events = {k: v if k == "Billing_System_Error" else v & ~bse for k, v in draws.items()}
        return events, valid

    # ------------------------------------------------------------------ anomalies and billing
    def _anomalies(self, t: int, active: Bools, events: Events) -> tuple[Bools, Floats]:
        """Usage spikes (more seats) and service-credit dips, sized in units of the noise."""
        p, rng, n = self.pop, self.rng, self.pop.size
        eligible = active & (t >= p.start_month + 2) & (np.abs(t - p.change_month) > 1)
        eligible &= ~events["Billing_System_Error"] & ~events["Usage_Overage_Unbilled"]
        hit = eligible & (rng.random(n) < ANOMALY_RATE)
        dip = hit & (p.noise_sigma <= 0.25) & (rng.random(n) < 0.4)
        spike = hit & ~dip
        strength = rng.uniform(6.0, 9.0, n) * np.maximum(p.noise_sigma, ANOMALY_NOISE_FLOOR)
        spiked = np.maximum(self.seats + 1, np.round(self.seats * np.exp(strength)))
        self.seats = np.where(spike, spiked, self.seats).astype(np.int64)
        credit_fraction = np.where(dip, np.clip(1 - np.exp(-strength), 0.4, 0.95), 0.0)
        return spike, credit_fraction

    def _bill(self, t: int, billed: Bools, events: Events, credit_fraction: Floats) -> None:
        p, rng, book = self.pop, self.rng, self.book
        unbilled = events["Usage_Overage_Unbilled"]
        bumped = book.licensed + np.maximum(1, np.round(0.1 * book.licensed))
        self.seats = np.where(unbilled & (self.seats <= book.licensed), bumped, self.seats)
        self.seats = self.seats.astype(np.int64)
        terms = events["Contract_Terms_Error"]
        discount_error = terms & (
            self._prev_flag("discount_billed_past_end")
            | self._prev_flag("discount_ends_this_month")
        )
        wrong_price = np.round(book.price * rng.uniform(0.7, 0.9, p.size)).astype(np.int64)
        unit = np.where(terms & ~discount_error, wrong_price, book.price)
        self.lines = build_lines(
            self.seats,
            book.licensed,
            unit,
            book.list_price,
            unbilled,
            book.discount_pct,
            book.discount_applies(self.month_start[t]) | discount_error,
            credit_fraction,
        )
        self.discount_error = discount_error
        idx = np.flatnonzero(billed)
        self.revenue[t, idx] = self.lines.total[idx] / 100.0
        self.rows.add_invoices(
            p.account_number[idx], t, self.month_start[t], book.seq[idx], self.lines, idx
        )
        pay = payment_attempts(
            rng,
            self.lines.total[idx],
            events["Expired_Payment_Method"][idx],
            events["Failed_Payment_Retry"][idx],
            p.fragility[idx],
        )
        self.rows.add_payments(
            p.account_number[idx], t, self.month_start[t], pay, self.methods.seq[idx]
        )
        self._count_payments(t, idx, pay)

    def _count_payments(self, t: int, idx: Ints, pay: dict[str, NDArray[Any]]) -> None:
        n = self.pop.size
        attempts, failed = np.zeros(n, np.int64), np.zeros(n, np.int64)
        attempts[idx], failed[idx] = pay["n_attempts"], pay["n_failed"]
        self.methods.count_charges(attempts, failed)
        self.history.attempts[t], self.history.failed[t] = attempts, failed
        unpaid = np.zeros(n, bool)
        unpaid[idx] = (self.lines.total[idx] > 0) & ~pay["paid"]
        self.history.unpaid[t] = unpaid
        self.discount_line = np.zeros(n, bool)
        self.discount_line[idx] = self.lines.discount_line[idx]

    def _prev_flag(self, name: str) -> Bools:
        if name not in self.prev_features:
            return np.zeros(self.pop.size, bool)
        return np.asarray(self.prev_features[name]).astype(bool) & self.prev_active

    # ------------------------------------------------------------------ after the charge
    def _late_card_updates(self, t: int, active: Bools, events: Events) -> None:
        """After a failed charge some customers fix their card; others renew before expiry."""
        rng, n = self.rng, self.pop.size
        after_failure = events["Expired_Payment_Method"] & (rng.random(n) < 0.35)
        self.methods.replace_cards(t, after_failure, day=rng.integers(15, 28, n))
        last_day = self.month_start[t + 1] - DAY
        days_since = (last_day - self.last_login) // DAY
        engagement = 0.6 * self.adoption + 0.4 * np.maximum(0.0, 100.0 - days_since)
        proactive = active & self.methods.card & (self.methods.expiry == t)
        proactive &= rng.random(n) < expit(-0.3 + 0.06 * (engagement - 55))
        self.methods.replace_cards(t, proactive, day=rng.integers(5, 25, n))

    def _new_requests(self, t: int, active: Bools, health: Floats) -> None:
        """Shrinking accounts with under-used seats sometimes ask for a cheaper plan."""
        rng, n, book = self.rng, self.pop.size, self.book
        eligible = active & book.can_request(self.month_start[t], self.month_start[t + 1])
        eligible &= (self.seats / book.licensed < 0.6) & np.isin(self.pop.archetype, _DECLINING_IDX)
        request = eligible & (rng.random(n) < 0.35 * expit(-health))
        if request.any():
            day = rng.integers(0, self._days_in(t), n)
            book.request_downgrades(t, request, self.month_start[t] + day * DAY)

    # ------------------------------------------------------------------ truth and observation
    def _record_events(
        self, t: int, events: Events, correct_price: Ints, correct_list: Ints
    ) -> None:
        """Ground-truth leakage with the exact amount the billing rule says was lost."""
        lines, book = self.lines, self.book
        terms_amount = np.where(
            self.discount_error, -lines.discount, (book.price - lines.sub_unit) * lines.sub_qty
        )
        amounts = {
            "Failed_Payment_Retry": lines.total,
            "Expired_Payment_Method": lines.total,
            "Usage_Overage_Unbilled": lines.over_qty * lines.over_unit,
            "Contract_Terms_Error": terms_amount,
            "Downgrade_Not_Processed": (book.price - correct_price) * lines.sub_qty
            + (book.list_price - correct_list) * lines.over_qty,
            "Billing_System_Error": self._expected_total(t, correct_price, correct_list),
        }
        for kind in LEAKAGE_TYPES:
            mask = events[kind]
            self.rows.add(
                "leakage_events",
                acc=self.pop.account_number[mask],
                month=self.month_start[t],
                leakage_type=kind,
                amount=amounts[kind][mask],
            )

    def _expected_total(self, t: int, price: Ints, list_price: Ints) -> Ints:
        sub_qty = np.minimum(self.seats, self.book.licensed)
        over_qty = np.maximum(0, self.seats - self.book.licensed)
        subscription = sub_qty * price
        applies = self.book.discount_applies(self.month_start[t])
        discount = np.where(applies, discount_cents(subscription, self.book.discount_pct), 0)
        return subscription + over_qty * list_price + discount

    def _record_truth(
        self, t: int, valid: Bools, events: Events, spike: Bools, credit_fraction: Floats
    ) -> None:
        acc, month = self.pop.account_number, self.month_start[t]
        any_event = np.logical_or.reduce([events[k] for k in LEAKAGE_TYPES])
        self.rows.add(
            "leakage_risk_truth",
            acc=acc[valid],
            month=month,
            p_true=self.prev_p[valid],
            has_leakage=any_event[valid].astype(object),
        )
        for direction, cause, hit in (
            ("spike", "usage_spike", spike),
            ("dip", "service_credit", credit_fraction > 0),
            ("dip", "missing_invoice", events["Billing_System_Error"]),
        ):
            self.rows.add(
                "anomaly_truth", acc=acc[hit], month=month, direction=direction, cause=cause
            )

    def _observe(self, t: int, active: Bools, billed: Bools) -> None:
        book = self.book
        state = MonthState(
            t=t,
            month_start=self.month_start[t],
            last_day=self.month_start[t + 1] - DAY,
            legacy=self.pop.legacy,
            adoption=self.adoption,
            last_login=self.last_login,
            seats=self.seats,
            licensed=book.licensed,
            methods=self.methods,
            discount_pct=book.discount_pct,
            discount_end=book.discount_end,
            discount_line=self.discount_line,
            request_month=book.request_month,
            invoiced=billed,
        )
        self.prev_features = features(state, self.history)
        self.prev_hazards, self.prev_p = next_month_risk(state, self.history)
        self.prev_active = active

    def _forecast(self) -> None:
        mask = self.prev_active
        month = self.month_start[self.n_months]
        # the forecast month's outcome is unknown: has_leakage NULL
        self.rows.add(
            "leakage_risk_truth",
            acc=self.pop.account_number[mask],
            month=month,
            p_true=self.prev_p[mask],
            has_leakage=np.full(mask.sum(), None, dtype=object),
        )
