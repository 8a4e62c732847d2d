"""Benchmarks: each `bench_*.py` module prints its figures (ratios against a baseline measured
in the same run). Run them all with `make bench` or one with `python -m bench.bench_x`."""
