"""Benchmarks of vanna-magic: engine overhead, speed at scale, and text-to-SQL accuracy (``bench.accuracy``)."""
