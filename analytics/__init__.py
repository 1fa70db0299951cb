"""Analytics, pure: DataFrames and arrays in, DataFrames or frozen dataclasses out.

`reconcile/` (where the billing records already leak), `leakage/` (who is likely to leak next
month: features, model, calibration, explanations), `trends/` (per-customer revenue trends and
their backtest), `segments.py` (named behavioural segments). No file I/O, no environment, no
LLM; may import only `domain` of the project (checked by import-linter in `make lint`).
"""
