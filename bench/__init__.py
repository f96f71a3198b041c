"""`make bench`: throughput, latency, age and inbox figures against a raw SpiffWorkflow baseline.

Imports engine, api and SpiffWorkflow; nothing imports bench. Run with `python -m bench`;
sizes come from BENCH_* environment variables (see bench/__main__.py).
"""
