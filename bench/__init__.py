"""Benchmarks of Sanad against the bare stack (not tests): `python -m bench.run_all`."""
