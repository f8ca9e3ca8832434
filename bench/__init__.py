"""Benchmarks (``make bench``): figures go to bench/results/*.json, never timed unit tests."""
