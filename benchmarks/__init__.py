"""Benchmarks (`make bench`): each `bench_*.py` module exposes `run(args) -> dict` of numbers."""
