"""Benchmark of the govperf refresh: a scaled corpus, a naive baseline and the timed run (``python -m bench.run``)."""
