"""Benchmarks, run by hand or by ``make bench``: see docs/rosters.md and docs/dashboard.md."""
