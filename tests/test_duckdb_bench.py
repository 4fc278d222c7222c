"""bench/duckdb_frames.py at a small size: every side gives the same result and the report has its ratios."""

from bench import duckdb_frames


def test_the_bench_runs_small_and_every_side_agrees():
    times = duckdb_frames.times_of(rows=2_000, runs=1)
    results = [{**duckdb_frames.memory_of(side, 2_000), "seconds": times[side]["times"][0],
                "best": times[side]["times"][0], "revenue": times[side]["revenue"]} for side in duckdb_frames.SIDES]
    text = duckdb_frames.report(results, 2_000, 1)
    assert "same result on every side: True" in text
    assert all(side in text for side in duckdb_frames.SIDES) and "x by hand" in text
