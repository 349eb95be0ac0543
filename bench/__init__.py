"""Benchmarks run by ``make bench`` (never timed in tests)."""
