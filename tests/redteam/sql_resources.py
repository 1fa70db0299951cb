"""Resource-exhaustion queries for the SQL guard, with how each must end.

Each entry: (query, outcome) where outcome is "rejected" (the guard refuses it before it
runs), "bounded" (it runs and must stop within the limits, by a typed limit error or by
finishing) or "ok" (it finishes with rows well within the limits).
"""

from __future__ import annotations

RESOURCE_QUERIES: list[tuple[str, str]] = [
    # The three the issue measured (18.9 s / 7.0 GB, 18.7 s / 9.7 GB, > 30 s / 12 GB).
    ("SELECT range(100000000)", "rejected"),
    ("SELECT repeat('x',10000000) FROM range(1000)", "rejected"),
    ("SELECT range(1000000000)", "rejected"),
    # Value builders in other spellings.
    ("SELECT generate_series(1, 1000000000)", "rejected"),
    ("SELECT unnest(range(500000000))", "rejected"),
    ("SELECT lpad('x', 100000000, 'y')", "rejected"),
    ("SELECT rpad('', 2000000000, 'ab')", "rejected"),
    ("SELECT printf('%0999999999d', 1)", "rejected"),
    ("SELECT format('{:>999999999}', 'x')", "rejected"),
    ("SELECT list_resize([1], 1000000000)", "rejected"),
    ("SELECT array_resize([1], 1000000000, 0)", "rejected"),
    ("SELECT bar(5, 0, 10, 1000000000)", "rejected"),
    ("SELECT repeat('ab', n) FROM (SELECT 100000000 AS n)", "rejected"),
    # Streams and aggregates that only a limit can stop.
    ("SELECT count(*) FROM range(1000000000000)", "bounded"),
    ("SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b", "bounded"),
    ("SELECT string_agg(repeat('x', 10000), ',') FROM range(1000000)", "bounded"),
    ("SELECT list(range) FROM range(500000000)", "bounded"),
    ("SELECT array_agg(repeat('z', 10000)) FROM range(1000000)", "bounded"),
    ("SELECT * FROM range(1000000000) ORDER BY random() LIMIT 5", "bounded"),
    ("SELECT count(DISTINCT range) FROM range(1000000000)", "bounded"),
    ("SELECT quantile_cont(range, 0.5) FROM range(1000000000)", "bounded"),
    ("SELECT histogram(range) FROM range(1000000000)", "bounded"),
    ("SELECT list_sort(list(range)) FROM range(300000000)", "bounded"),
    (
        "SELECT range, repeat('y', 10000) AS pad FROM range(100000000) ORDER BY pad DESC, range LIMIT 3",
        "bounded",
    ),
    (
        "SELECT r.range FROM range(30000000) r JOIN range(30000000) s ON r.range = s.range ORDER BY 1 DESC LIMIT 3",
        "bounded",
    ),
    (
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
        "bounded",
    ),
    (
        "WITH RECURSIVE t(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM t WHERE length(s) < 2000000000) SELECT max(length(s)) FROM t",
        "bounded",
    ),
    (
        "WITH RECURSIVE t(n, s) AS (SELECT 1, repeat('q', 10000) UNION ALL SELECT n + 1, s FROM t WHERE n < 100000000) SELECT count(*) FROM t",
        "bounded",
    ),
    ("SELECT md5(string_agg(a.account_id, '')) FROM accounts a, range(100000000)", "bounded"),
    ("SELECT count(*) FROM accounts a, accounts b, accounts c, range(100000000)", "bounded"),
    ("SELECT regexp_replace(repeat('a', 10000), '(a*)*b', 'x') FROM range(10000000)", "bounded"),
    ("SELECT approx_count_distinct(md5(range::VARCHAR)) FROM range(1000000000)", "bounded"),
    ("SELECT mode(range) FROM range(300000000)", "bounded"),
    ("SELECT string_agg(DISTINCT range::VARCHAR, ',') FROM range(200000000)", "bounded"),
    ("SELECT max(length(repeat('x', 10000) || range::VARCHAR)) FROM range(1000000000)", "bounded"),
    ("SELECT * FROM range(1000000000) r WHERE r.range % 999999937 = 5", "bounded"),
    # Big results: capped rows, capped result size.
    (
        "SELECT lpad('x', 10000, 'y') AS a, lpad('x', 10000, 'y') AS b, lpad('x', 10000, 'y') AS c FROM range(100000000)",
        "bounded",
    ),
    ("SELECT * FROM range(1000000000)", "ok"),
    ("SELECT lpad('x', 10000, 'y') FROM range(100000000)", "ok"),
]
"""Resource queries (39): rejected statically, stopped by a limit, or capped."""
