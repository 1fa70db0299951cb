"""Benchmarks (`make bench`): each module exposes `run(args) -> dict` of numbers.

Modules are named `<topic>_<what>.py`; `python -m benchmarks --only <topic>` runs one.
"""
