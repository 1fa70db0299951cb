"""Data: the DuckDB warehouse and everything that puts rows into it.

`warehouse.py` + `schema.sql` (connections, schema, transactions, bookkeeping), `sql_guard.py`
(the read-only guarded SQL behind `query_duckdb`), `imports/` (validated, all-or-nothing
imports), `synth/` (the synthetic billing world), `build.py` (whole warehouses), `partitioned.py`
(account-partitioned books), `monitor.py` (a background sampler thread), `progress.py`.
The lowest layer: may import only `domain` and `settings`.
"""
