-- RevRisk warehouse schema (DuckDB). One file: raw billing tables, ground truth, caches, views.
--
-- Money: DECIMAL, in the account's currency, per month unless a name says annual.
-- Months: DATE on the first day of the month (CHECK day(...) = 1).
-- Keys: dimension tables (accounts, contracts, payment_methods) carry primary and foreign keys.
-- Fact tables (usage_monthly, invoices, invoice_lines, payments) keep their primary keys but
-- not foreign keys or composite UNIQUEs: DuckDB maintains those as ART indexes, which made a
-- 1,000,000-account load 2x slower and its file 2.4x larger. The importer (data/loaders.py)
-- enforces them instead, reporting file, row and column, and the warehouse checks
-- (data.integrity) verify them after every import.
-- Billing rule the reconciliation detectors check (see data/README.md):
--   subscription = min(active_seats, licensed_seats) x price in force
--   overage      = max(0, active_seats - licensed_seats) x overage price in force (the list price)
--   discount     = -round(subscription x discount_pct / 100, 2) while period <= discount_end_date
--   credit       = negative, discretionary (service credits)
--   price in force = contracted_price, or downgrade_target_price from the month after a
--   downgrade request (list price of the target plan for overage).

------------------------------------------------------------------------------------------
-- Raw billing tables
------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS accounts (
    account_id      VARCHAR PRIMARY KEY CHECK (regexp_full_match(account_id, 'ACC[0-9]{6,9}')),
    name            VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    tier            VARCHAR NOT NULL
                    CHECK (tier IN ('Starter', 'Professional', 'Business', 'Enterprise')),
    region          VARCHAR NOT NULL
                    CHECK (region IN ('North America', 'EMEA', 'APAC', 'LATAM')),
    currency        VARCHAR NOT NULL CHECK (regexp_full_match(currency, '[A-Z]{3}')),
    signup_date     DATE NOT NULL,
    billing_system  VARCHAR NOT NULL DEFAULT 'core' CHECK (billing_system IN ('core', 'legacy'))
);

CREATE TABLE IF NOT EXISTS contracts (
    contract_id              VARCHAR PRIMARY KEY,
    account_id               VARCHAR NOT NULL REFERENCES accounts (account_id),
    plan                     VARCHAR NOT NULL
                             CHECK (plan IN ('Starter', 'Professional', 'Business', 'Enterprise')),
    list_price               DECIMAL(12, 2) NOT NULL CHECK (list_price > 0),        -- per seat-month
    contracted_price         DECIMAL(12, 2) NOT NULL CHECK (contracted_price > 0),  -- per seat-month
    licensed_seats           INTEGER NOT NULL CHECK (licensed_seats > 0),
    term_months              INTEGER NOT NULL CHECK (term_months IN (1, 12, 24, 36)),
    start_date               DATE NOT NULL,
    end_date                 DATE,                                       -- NULL: evergreen
    discount_pct             DECIMAL(5, 2) NOT NULL DEFAULT 0
                             CHECK (discount_pct >= 0 AND discount_pct < 100),
    discount_end_date        DATE,
    downgrade_requested_date DATE,
    downgrade_target_plan    VARCHAR
                             CHECK (downgrade_target_plan IN ('Starter', 'Professional', 'Business')),
    downgrade_target_price   DECIMAL(12, 2) CHECK (downgrade_target_price > 0),
    downgrade_target_list_price DECIMAL(12, 2) CHECK (downgrade_target_list_price > 0),
    CHECK (contracted_price <= list_price),
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK (discount_pct = 0 OR discount_end_date IS NOT NULL),
    CHECK ((downgrade_requested_date IS NULL) = (downgrade_target_plan IS NULL)),
    CHECK ((downgrade_target_plan IS NULL) = (downgrade_target_price IS NULL)),
    CHECK ((downgrade_target_plan IS NULL) = (downgrade_target_list_price IS NULL)),
    CHECK (downgrade_target_price IS NULL OR downgrade_target_price < contracted_price)
);

CREATE TABLE IF NOT EXISTS usage_monthly (
    account_id           VARCHAR NOT NULL,           -- references accounts
    month                DATE NOT NULL CHECK (day(month) = 1),
    active_seats         INTEGER NOT NULL CHECK (active_seats >= 0),  -- seats on the billing date
    logins               INTEGER NOT NULL CHECK (logins >= 0),
    last_login_date      DATE CHECK (last_login_date <= last_day(month)),
    feature_adoption_pct DOUBLE NOT NULL CHECK (feature_adoption_pct BETWEEN 0 AND 100),
    support_tickets      INTEGER NOT NULL CHECK (support_tickets >= 0),
    PRIMARY KEY (account_id, month)
);

CREATE TABLE IF NOT EXISTS invoices (
    invoice_id  BIGINT PRIMARY KEY,
    account_id  VARCHAR NOT NULL,                   -- references accounts
    contract_id VARCHAR,                            -- references contracts
    period      DATE NOT NULL CHECK (day(period) = 1),
    issue_date  DATE NOT NULL,
    due_date    DATE NOT NULL,
    currency    VARCHAR NOT NULL CHECK (regexp_full_match(currency, '[A-Z]{3}')),
    total       DECIMAL(14, 2) NOT NULL,            -- sum of its lines
    CHECK (due_date >= issue_date)
    -- one invoice per (account_id, period): enforced by the importer
);

CREATE TABLE IF NOT EXISTS invoice_lines (
    line_id     BIGINT PRIMARY KEY,
    invoice_id  BIGINT NOT NULL,                    -- references invoices
    line_type   VARCHAR NOT NULL
                CHECK (line_type IN ('subscription', 'overage', 'discount', 'credit')),
    quantity    INTEGER NOT NULL CHECK (quantity >= 0),
    unit_price  DECIMAL(12, 2) NOT NULL,
    amount      DECIMAL(14, 2) NOT NULL,
    CHECK (line_type NOT IN ('subscription', 'overage')
           OR (amount >= 0 AND amount = quantity * unit_price)),
    CHECK (line_type NOT IN ('discount', 'credit') OR amount <= 0)
);

CREATE TABLE IF NOT EXISTS payment_methods (
    method_id    BIGINT PRIMARY KEY,
    account_id   VARCHAR NOT NULL REFERENCES accounts (account_id),
    method_type  VARCHAR NOT NULL CHECK (method_type IN ('card', 'ach', 'wire')),
    expiry_month DATE CHECK (expiry_month IS NULL OR day(expiry_month) = 1),  -- last valid month
    added_date   DATE NOT NULL,
    last_updated DATE NOT NULL,
    CHECK ((method_type = 'card') = (expiry_month IS NOT NULL)),
    CHECK (last_updated >= added_date)
);

CREATE TABLE IF NOT EXISTS payments (
    payment_id     BIGINT PRIMARY KEY,
    invoice_id     BIGINT NOT NULL,                 -- references invoices
    account_id     VARCHAR NOT NULL,                -- references accounts
    method_id      BIGINT,                          -- references payment_methods
    attempt_no     INTEGER NOT NULL CHECK (attempt_no >= 1),
    attempted_date DATE NOT NULL,
    amount         DECIMAL(14, 2) NOT NULL CHECK (amount > 0),
    status         VARCHAR NOT NULL CHECK (status IN ('succeeded', 'failed')),
    decline_code   VARCHAR,
    CHECK ((status = 'failed') = (decline_code IS NOT NULL))
    -- one row per (invoice_id, attempt_no): enforced by the importer
);

------------------------------------------------------------------------------------------
-- Ground truth written by the synthetic world. For evaluation only: nothing that makes a
-- prediction may read these tables.
------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS leakage_events (
    account_id   VARCHAR NOT NULL,
    month        DATE NOT NULL CHECK (day(month) = 1),
    leakage_type VARCHAR NOT NULL CHECK (leakage_type IN (
        'Failed_Payment_Retry', 'Usage_Overage_Unbilled', 'Contract_Terms_Error',
        'Billing_System_Error', 'Downgrade_Not_Processed', 'Expired_Payment_Method')),
    amount       DECIMAL(14, 2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (account_id, month, leakage_type)
);

-- p_true: probability of any leakage in `month`, a function of the account's observable state
-- at the end of the previous month (account_features_at(month - 1)). has_leakage is NULL for
-- the month after the data ends (the forecast month).
CREATE TABLE IF NOT EXISTS leakage_risk_truth (
    account_id  VARCHAR NOT NULL,
    month       DATE NOT NULL CHECK (day(month) = 1),
    p_true      DOUBLE NOT NULL CHECK (p_true BETWEEN 0 AND 1),
    has_leakage BOOLEAN             -- one row per (account_id, month) by construction
);

CREATE TABLE IF NOT EXISTS trend_truth (
    account_id     VARCHAR PRIMARY KEY,
    archetype      VARCHAR NOT NULL CHECK (archetype IN (
        'growing', 'flat', 'seasonal', 'gradual_decline', 'sharp_drop', 'churn', 'volatile')),
    is_declining   BOOLEAN NOT NULL,
    monthly_growth DOUBLE NOT NULL,   -- trend rate of the archetype, fraction per month
    noise_cv       DOUBLE NOT NULL,   -- month-to-month noise (coefficient of variation)
    change_month   DATE               -- sharp_drop / churn: first month at the new level
);

CREATE TABLE IF NOT EXISTS decline_truth (  -- forward truth per cut-off (data/synth/decline.py)
    account_id     VARCHAR NOT NULL,
    cutoff_month   DATE NOT NULL CHECK (day(cutoff_month) = 1),  -- T: facts known at its end
    horizon_months INTEGER NOT NULL,  -- H: onset counted in T+1 .. T+H
    p_true         DOUBLE NOT NULL,   -- P(onset in T+1 .. T+H halves them | facts at T), exact
    declined       BOOLEAN NOT NULL,  -- such an onset happened in T+1 .. T+H
    onset_month    DATE,              -- first month at the lower level; NULL: none in the window
    p_halved       DOUBLE NOT NULL,   -- P(revenue of T+1 .. T+H < half the 6-month baseline |
                                      --   the generator's state at T), replayed (near-Bayes)
    halved         BOOLEAN NOT NULL,  -- it did: the forecast's own outcome, from billed revenue
    PRIMARY KEY (account_id, cutoff_month)
);

CREATE TABLE IF NOT EXISTS anomaly_truth (
    account_id VARCHAR NOT NULL,
    month      DATE NOT NULL CHECK (day(month) = 1),
    direction  VARCHAR NOT NULL CHECK (direction IN ('spike', 'dip')),
    cause      VARCHAR NOT NULL CHECK (cause IN ('usage_spike', 'service_credit', 'missing_invoice')),
    PRIMARY KEY (account_id, month)
);

------------------------------------------------------------------------------------------
-- Bookkeeping
------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

------------------------------------------------------------------------------------------
-- Views
------------------------------------------------------------------------------------------
-- monthly_revenue (invoiced revenue plus imported revenue) is defined at the end of this
-- file, after the imported datasets it reads.

-- account_features_at(M): one row per account with a contract in force and a usage row in
-- month M, computed only from facts dated on or before the last day of M (no look-ahead).
-- The reference project's 14 features (same names), then extras derived from the raw tables.
--   payment_failure_rate      failed payment attempts / attempts, months M-11..M (0 if none)
--   payment_reliability_score quality of the method on file: cards min(1, months to expiry/12),
--                             ACH/wire 1; times (1 - 0.5 x share of this method's attempts declined)
--   customer_health_score     0-100: 40% adoption + 30% login recency (0 at >= 90 days)
--                             + 30% support load (0 at >= 10 tickets in 90 days)
--   user_utilization_ratio    active seats / licensed seats in M
--   engagement_score          0.6 x adoption + 0.4 x max(0, 100 - days since last login)
--   last_login_days_ago       days from the last login to the last day of M
--   support_tickets_90d       tickets in months M-2..M
--   feature_adoption_pct      adoption in M
--   payment_risk              reliability < 0.7      health_risk      health < 60
--   engagement_risk           last login > 30 days   overutilization  utilization > 1.1
--   days_since_contract_start last day of M - start of the account's first contract
--   revenue_per_user          mrr / licensed seats
-- Extras: mrr (licensed seats x contracted price of the contract in force), card_expired
-- (card on file expires before next month's charge), months_to_card_expiry, discount_active_next
-- (promotional discount still applies next month), discount_ends_this_month,
-- discount_billed_past_end (M's invoice carries a discount after its end date),
-- downgrade_pending_months (0: none; k: requested k-1 months before M and not yet applied),
-- missing_invoice (contract in force and usage in M but no invoice), unpaid_invoices_90d
-- (positive invoices of M-2..M with no successful payment), overage_seats.
CREATE OR REPLACE MACRO account_features_at(feature_month) AS TABLE
WITH p AS (
    SELECT CAST(date_trunc('month', CAST(feature_month AS DATE)) AS DATE) AS m,
           last_day(CAST(feature_month AS DATE)) AS d
),
contract_now AS (
    SELECT c.*
    FROM contracts c, p
    WHERE c.start_date <= p.d AND (c.end_date IS NULL OR c.end_date >= p.m)
    QUALIFY row_number() OVER (
        PARTITION BY c.account_id ORDER BY c.start_date DESC, c.contract_id DESC) = 1
),
first_start AS (
    SELECT account_id, min(start_date) AS first_start FROM contracts GROUP BY account_id
),
usage_now AS (
    SELECT u.* FROM usage_monthly u, p WHERE u.month = p.m
),
usage_recent AS (
    SELECT u.account_id,
           sum(u.support_tickets) FILTER (WHERE u.month > CAST(p.m - INTERVAL 3 MONTH AS DATE))
               AS tickets_90d,
           max(u.last_login_date) AS last_login
    FROM usage_monthly u, p
    WHERE u.month <= p.m
    GROUP BY u.account_id
),
payments_12m AS (
    SELECT x.account_id, count(*) AS attempts,
           count(*) FILTER (WHERE x.status = 'failed') AS failed
    FROM payments x, p
    WHERE x.attempted_date >= CAST(p.m - INTERVAL 11 MONTH AS DATE) AND x.attempted_date <= p.d
    GROUP BY x.account_id
),
method_now AS (
    SELECT pm.* FROM payment_methods pm, p
    WHERE pm.added_date <= p.d
    QUALIFY row_number() OVER (
        PARTITION BY pm.account_id ORDER BY pm.added_date DESC, pm.method_id DESC) = 1
),
method_history AS (
    SELECT x.method_id, count(*) AS attempts,
           count(*) FILTER (WHERE x.status = 'failed') AS failed
    FROM payments x, p
    WHERE x.attempted_date <= p.d
    GROUP BY x.method_id
),
invoice_now AS (
    SELECT i.invoice_id, i.account_id,
           bool_or(l.line_type = 'discount') AS has_discount_line
    FROM invoices i JOIN invoice_lines l USING (invoice_id), p
    WHERE i.period = p.m
    GROUP BY i.invoice_id, i.account_id
),
paid AS (
    SELECT DISTINCT x.invoice_id FROM payments x, p
    WHERE x.status = 'succeeded' AND x.attempted_date <= p.d
),
unpaid_recent AS (
    SELECT i.account_id, count(*) AS unpaid
    FROM invoices i, p
    WHERE i.period > CAST(p.m - INTERVAL 3 MONTH AS DATE) AND i.period <= p.m AND i.total > 0
      AND i.invoice_id NOT IN (SELECT invoice_id FROM paid)
    GROUP BY i.account_id
),
base AS (
    SELECT
        a.account_id,
        p.m AS as_of_month,
        a.tier,
        a.billing_system,
        c.licensed_seats,
        u.active_seats,
        CAST(c.licensed_seats * c.contracted_price AS DOUBLE) AS mrr,
        CAST(c.contracted_price AS DOUBLE) AS contracted_price,
        coalesce(CAST(pay.failed AS DOUBLE) / nullif(pay.attempts, 0), 0.0) AS payment_failure_rate,
        CASE WHEN mn.method_type = 'card'
             THEN least(1.0, greatest(0, date_diff('month', p.m, mn.expiry_month)) / 12.0)
             ELSE 1.0 END
          * (1.0 - 0.5 * coalesce(CAST(mh.failed AS DOUBLE) / nullif(mh.attempts, 0), 0.0))
          AS payment_reliability_score,
        u.feature_adoption_pct,
        date_diff('day', ur.last_login, p.d) AS last_login_days_ago,
        coalesce(ur.tickets_90d, 0) AS support_tickets_90d,
        date_diff('day', fs.first_start, p.d) AS days_since_contract_start,
        mn.method_type = 'card' AND mn.expiry_month <= p.m AS card_expired,
        CASE WHEN mn.method_type = 'card' THEN date_diff('month', p.m, mn.expiry_month) END
            AS months_to_card_expiry,
        c.discount_pct > 0 AND c.discount_end_date > p.d AS discount_active_next,
        c.discount_pct > 0 AND c.discount_end_date BETWEEN p.m AND p.d AS discount_ends_this_month,
        coalesce(inv.has_discount_line, false)
            AND (c.discount_end_date IS NULL OR c.discount_end_date < p.m) AS discount_billed_past_end,
        CASE WHEN c.downgrade_requested_date <= p.d
             THEN date_diff('month', date_trunc('month', c.downgrade_requested_date), p.m) + 1
             ELSE 0 END AS downgrade_pending_months,
        inv.invoice_id IS NULL AS missing_invoice,
        coalesce(un.unpaid, 0) AS unpaid_invoices_90d,
        greatest(0, u.active_seats - c.licensed_seats) AS overage_seats
    FROM contract_now c
    JOIN accounts a USING (account_id)
    JOIN usage_now u USING (account_id)
    JOIN first_start fs USING (account_id)
    CROSS JOIN p
    LEFT JOIN usage_recent ur USING (account_id)
    LEFT JOIN payments_12m pay USING (account_id)
    LEFT JOIN method_now mn USING (account_id)
    LEFT JOIN method_history mh ON mh.method_id = mn.method_id
    LEFT JOIN invoice_now inv USING (account_id)
    LEFT JOIN unpaid_recent un USING (account_id)
),
scored AS (
    SELECT *,
        CAST(active_seats AS DOUBLE) / licensed_seats AS user_utilization_ratio,
        0.6 * feature_adoption_pct + 0.4 * greatest(0, 100 - last_login_days_ago)
            AS engagement_score,
        0.4 * feature_adoption_pct
            + 30.0 * greatest(0.0, 1.0 - last_login_days_ago / 90.0)
            + 30.0 * (1.0 - least(support_tickets_90d, 10) / 10.0) AS customer_health_score
    FROM base
)
SELECT
    account_id, as_of_month, tier, billing_system, mrr, licensed_seats, active_seats,
    payment_failure_rate, payment_reliability_score, customer_health_score,
    user_utilization_ratio, engagement_score, last_login_days_ago, support_tickets_90d,
    feature_adoption_pct,
    CAST(payment_reliability_score < 0.7 AS INTEGER) AS payment_risk,
    CAST(customer_health_score < 60 AS INTEGER) AS health_risk,
    CAST(last_login_days_ago > 30 AS INTEGER) AS engagement_risk,
    CAST(user_utilization_ratio > 1.1 AS INTEGER) AS overutilization,
    days_since_contract_start,
    mrr / licensed_seats AS revenue_per_user,
    card_expired, months_to_card_expiry, discount_active_next, discount_ends_this_month,
    discount_billed_past_end, downgrade_pending_months, missing_invoice, unpaid_invoices_90d,
    overage_seats
FROM scored;

-- Features as of the latest month with usage data: what scoring uses for "now".
CREATE OR REPLACE VIEW account_features AS
SELECT * FROM account_features_at((SELECT max(month) FROM usage_monthly));

------------------------------------------------------------------------------------------
-- Caches: trends (written by services/trend_scan.py; derived data, rebuilt at will)
-- A refresh replaces all three tables in one transaction and records in `meta` the
-- data_version it was built from, as '<data_version>/<method version>' under key
-- trends_data_version (plus build details as JSON under trends_cache_info); a reader
-- compares it with meta.data_version to know whether the cache is stale.
-- Months are 'YYYY-MM' text.
------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS trend_metrics (
    account_id                VARCHAR PRIMARY KEY,
    status                    VARCHAR NOT NULL CHECK (status IN (
                                  'ok', 'new', 'churned', 'insufficient_history', 'no_revenue')),
    slope                     DOUBLE,      -- Theil–Sen, currency per month per month
    slope_ci_low              DOUBLE,
    slope_ci_high             DOUBLE,
    relative_slope            DOUBLE,      -- % of mean monthly revenue per month
    p_value                   DOUBLE,      -- Mann–Kendall, two-sided
    decline_level             INTEGER CHECK (decline_level BETWEEN 0 AND 3),  -- band of decline_probability; NULL: not scored
    decline_probability       DOUBLE,      -- P(next 3 months < half the previous 6 months' mean); NULL: churned / no revenue
    decline_drivers           VARCHAR NOT NULL,  -- top contributions 'feature +0.42; ...' ('' when not computed)
    decline_score             DOUBLE,      -- 0-1, descriptive: how sharply the past fell (the explanation)
    resid_std                 DOUBLE,      -- robust month-to-month noise, currency per month
    n_anomalies               INTEGER NOT NULL,
    anomaly_months            VARCHAR NOT NULL,  -- 'YYYY-MM;YYYY-MM'
    segment_id                INTEGER,     -- NULL: not segmented
    months_observed           INTEGER NOT NULL,
    active_months             INTEGER NOT NULL,
    months_since_last_revenue INTEGER NOT NULL,  -- -1: never had revenue
    mean_revenue              DOUBLE,
    volatility                DOUBLE,      -- revenue std / mean
    mk_z                      DOUBLE,
    resid_volatility          DOUBLE,      -- resid_std / mean
    seasonal                  BOOLEAN NOT NULL,
    recent_ratio              DOUBLE,
    recent_drop_z             DOUBLE,
    first_month               VARCHAR
);

CREATE TABLE IF NOT EXISTS trend_series (
    account_id   VARCHAR NOT NULL,
    month        VARCHAR NOT NULL,
    revenue      DOUBLE,
    seasonal     DOUBLE,
    adjusted     DOUBLE,
    trend        DOUBLE,
    level        DOUBLE,
    moving_avg_3 DOUBLE,
    resid_z      DOUBLE,
    is_anomaly   BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, month)
);

CREATE TABLE IF NOT EXISTS segments (
    segment_id          INTEGER PRIMARY KEY,
    name                VARCHAR NOT NULL,
    n_customers         INTEGER NOT NULL,
    share               DOUBLE NOT NULL,
    mean_revenue        DOUBLE NOT NULL,
    share_declining     DOUBLE NOT NULL,   -- share of the segment with decline_level >= 1
    relative_slope      DOUBLE, volatility DOUBLE, active_months DOUBLE,
    log_mean_revenue    DOUBLE, resid_volatility DOUBLE,
    z_relative_slope    DOUBLE, z_volatility DOUBLE, z_active_months DOUBLE,
    z_log_mean_revenue  DOUBLE, z_resid_volatility DOUBLE
);

------------------------------------------------------------------------------------------
-- Imported datasets (`revrisk import FILE`, data/loaders.py)
------------------------------------------------------------------------------------------
-- One row per accepted import, raw kinds included. Batch-style kinds (account_snapshots,
-- revenue_imports, trend_reference) tag their rows with import_id; importing a file whose
-- sha256 matches an earlier batch of the same kind replaces that batch: its rows are deleted
-- and its log row records replaced_by.
CREATE TABLE IF NOT EXISTS import_log (
    import_id   INTEGER PRIMARY KEY,
    file_name   VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    sub_format  VARCHAR,                            -- monthly_revenue: 'pivot' or 'long'
    sheet       VARCHAR,                            -- Excel: the sheet read
    n_rows      BIGINT NOT NULL CHECK (n_rows >= 0),
    sha256      VARCHAR NOT NULL CHECK (regexp_full_match(sha256, '[0-9a-f]{64}')),
    imported_at TIMESTAMP NOT NULL,                 -- UTC
    replaced_by INTEGER                             -- import_id of the batch that replaced it
);

-- Account snapshots in the reference leakage project's format: account fields, its 14
-- engineered features and, when present, its targets. "None" (leakage_type) and "N/A"
-- (detection_difficulty) are that project's own text values, stored as given.
CREATE TABLE IF NOT EXISTS account_snapshots (
    import_id                 INTEGER NOT NULL,
    account_id                VARCHAR NOT NULL CHECK (length(trim(account_id)) > 0),
    tier                      VARCHAR NOT NULL
                              CHECK (tier IN ('Starter', 'Professional', 'Business', 'Enterprise')),
    mrr                       DECIMAL(12, 2) NOT NULL CHECK (mrr >= 0),
    contract_start_date       DATE,
    contract_term_months      INTEGER CHECK (contract_term_months > 0),
    payment_method_age_days   INTEGER CHECK (payment_method_age_days >= 0),
    payment_reliability_score DOUBLE NOT NULL CHECK (payment_reliability_score BETWEEN 0 AND 1),
    customer_health_score     DOUBLE NOT NULL CHECK (customer_health_score BETWEEN 0 AND 100),
    licensed_users            INTEGER CHECK (licensed_users >= 0),
    actual_users              INTEGER CHECK (actual_users >= 0),
    total_invoices            INTEGER CHECK (total_invoices >= 0),
    failed_payment_count      INTEGER CHECK (failed_payment_count >= 0),
    last_login_days_ago       INTEGER NOT NULL CHECK (last_login_days_ago >= 0),
    support_tickets_90d       INTEGER NOT NULL CHECK (support_tickets_90d >= 0),
    feature_adoption_pct      DOUBLE NOT NULL CHECK (feature_adoption_pct BETWEEN 0 AND 100),
    has_leakage               BOOLEAN,
    leakage_type              VARCHAR,
    monthly_leakage_amount    DECIMAL(12, 2) CHECK (monthly_leakage_amount >= 0),
    estimated_annual_leakage  DECIMAL(14, 2) CHECK (estimated_annual_leakage >= 0),
    detection_difficulty      VARCHAR,
    payment_failure_rate      DOUBLE NOT NULL CHECK (payment_failure_rate BETWEEN 0 AND 1),
    user_utilization_ratio    DOUBLE NOT NULL CHECK (user_utilization_ratio >= 0),
    days_since_contract_start INTEGER NOT NULL CHECK (days_since_contract_start >= 0),
    revenue_per_user          DOUBLE NOT NULL CHECK (revenue_per_user >= 0),
    engagement_score          DOUBLE NOT NULL CHECK (engagement_score BETWEEN 0 AND 100),
    payment_risk              INTEGER NOT NULL CHECK (payment_risk IN (0, 1)),
    health_risk               INTEGER NOT NULL CHECK (health_risk IN (0, 1)),
    engagement_risk           INTEGER NOT NULL CHECK (engagement_risk IN (0, 1)),
    overutilization           INTEGER NOT NULL CHECK (overutilization IN (0, 1)),
    PRIMARY KEY (import_id, account_id)
);

-- Imported net revenue per customer and month, in `currency` (the file's, or the import's
-- --currency, GBP by default). customer_id is free text: retail ids like 12347 are not ACC ids.
CREATE TABLE IF NOT EXISTS revenue_imports (
    import_id   INTEGER NOT NULL,
    customer_id VARCHAR NOT NULL CHECK (length(trim(customer_id)) > 0),
    month       DATE NOT NULL CHECK (day(month) = 1),
    currency    VARCHAR NOT NULL CHECK (regexp_full_match(currency, '[A-Z]{3}')),
    net_revenue DECIMAL(14, 2) NOT NULL
    -- one row per (customer_id, month) across imports: enforced by the importer
);

-- The trend reference project's per-customer metrics (revtrend_result.csv), for comparison.
CREATE TABLE IF NOT EXISTS trend_reference (
    import_id     INTEGER NOT NULL,
    customer_id   VARCHAR NOT NULL CHECK (length(trim(customer_id)) > 0),
    slope         DOUBLE NOT NULL,                  -- revenue change per month
    resid_std     DOUBLE NOT NULL CHECK (resid_std >= 0),
    decline_level INTEGER NOT NULL CHECK (decline_level >= 0),
    revenue_mean  DOUBLE NOT NULL,
    revenue_std   DOUBLE NOT NULL CHECK (revenue_std >= 0),
    cv            DOUBLE,
    active_months INTEGER NOT NULL CHECK (active_months >= 0),
    cluster       INTEGER CHECK (cluster >= 0),
    PRIMARY KEY (import_id, customer_id)
);

-- Net revenue per account (or imported customer) and month: invoiced revenue (sum of all
-- invoice lines) UNION ALL imported revenue. Sparse: a month without an invoice or an
-- imported row has no row. account_id also holds imported customer ids.
CREATE OR REPLACE VIEW monthly_revenue AS
SELECT i.account_id, i.period AS month, i.currency, sum(l.amount) AS net_revenue
FROM invoices i
JOIN invoice_lines l USING (invoice_id)
GROUP BY i.account_id, i.period, i.currency
UNION ALL
SELECT customer_id AS account_id, month, currency, CAST(net_revenue AS DECIMAL(38, 2))
FROM revenue_imports;

------------------------------------------------------------------------------------------
-- Caches: leakage (written by services.leakage.refresh_leakage_cache; derived, rebuilt at will)
-- One refresh replaces all three tables in one transaction and records in `meta` the
-- data_version it was built from (key leakage_data_version) plus a JSON summary (key
-- leakage_cache_info: model version, feature set, months, counts, seconds). Readers compare
-- leakage_data_version with meta.data_version to know whether the cache is stale. Rows are
-- written sorted by account_id and carry no index: DuckDB's min/max zone maps make a lookup
-- of one account fast without the cost an ART index adds to million-row refreshes.
-- Money: the account's currency per month (est_annual_leakage: 12 x est_monthly_leakage).
------------------------------------------------------------------------------------------
-- Reconciliation findings of every month: one row per (account_id, month, leakage_type).
CREATE TABLE IF NOT EXISTS detected_leakage (
    account_id    VARCHAR NOT NULL,
    month         DATE NOT NULL,
    leakage_type  VARCHAR NOT NULL,
    amount        DECIMAL(14, 2) NOT NULL,   -- lost that month, to the cent
    currency      VARCHAR,
    invoice_id    BIGINT,                    -- NULL for a missing invoice
    contract_id   VARCHAR,
    evidence      VARCHAR NOT NULL,          -- one sentence with the numbers
    evidence_json VARCHAR NOT NULL           -- the same numbers as a JSON object
);

-- One row per account scored as of `as_of_month` (the latest month with usage).
CREATE TABLE IF NOT EXISTS leakage_scores (
    account_id               VARCHAR NOT NULL,
    tier                     VARCHAR,
    mrr                      DOUBLE,
    leakage_probability      DOUBLE NOT NULL CHECK (leakage_probability BETWEEN 0 AND 1),
    risk_level               VARCHAR NOT NULL CHECK (risk_level IN ('High', 'Medium', 'Low')),
    predicted_leakage_type   VARCHAR,
    est_monthly_leakage      DOUBLE NOT NULL CHECK (est_monthly_leakage >= 0),
    est_annual_leakage       DOUBLE NOT NULL,
    expected_monthly_loss    DOUBLE NOT NULL CHECK (expected_monthly_loss >= 0),
    top_factors              VARCHAR NOT NULL,
    recommended_action       VARCHAR NOT NULL,
    detected_monthly_leakage DOUBLE NOT NULL,  -- detected in as_of_month (0 when none)
    detected_leakage_type    VARCHAR,          -- largest detected type in as_of_month
    as_of_month              DATE NOT NULL,
    feature_set              VARCHAR NOT NULL,
    model_version            VARCHAR NOT NULL
);

-- Each scored account's largest contributions (calibrated log-odds of leaking next month):
-- rank 1.. by |contribution|, then rank 98 'other_features' (the rest, summed) and rank 99
-- 'base_value', so an account's rows sum exactly to logit(leakage_probability).
CREATE TABLE IF NOT EXISTS leakage_factors (
    account_id       VARCHAR NOT NULL,
    rank             INTEGER NOT NULL,
    feature          VARCHAR NOT NULL,
    value            DOUBLE,
    portfolio_median DOUBLE,
    contribution     DOUBLE NOT NULL,
    description      VARCHAR NOT NULL
);
