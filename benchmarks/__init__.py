"""Benchmarks of chatsession: ``python -m benchmarks`` writes ``docs/performance.md``."""
