"""Held-out set 10 (blind): first-hour questions of CFOs, finance leads and RevOps analysts.

`build_cases.py` holds the cases as data, `build.py` writes `holdout10.jsonl` from them and the
seed-7 demo warehouse, `validate.py` re-runs every fact; `README.md` says how it was written.
"""
