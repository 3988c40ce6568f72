"""Benchmarks: `python benchmarks/run.py` runs the `bench_*.py` modules here (see run.py)."""
