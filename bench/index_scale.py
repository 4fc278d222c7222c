"""Knowledge-base index at scale: build and query 100,000 example questions with the default embedder.

Prints, for each size, beside a brute-force NumPy baseline measured in the same run
(``matrix @ query`` then ``argpartition`` over the same vectors):

- build: embedding every question plus building the FAISS index (``load_or_build``, cold cache);
- add one: a new example appended to the cached index (only its question embedded);
- query: embedding one question and searching the 5 nearest, median over the queries;
- recall@5 of the index against the exact baseline (1.0 below ``EXACT_LIMIT``: the index is exact there).

Targets (issue 8): query <= 5 ms median at 100,000 examples, build <= 120 s.
Usage: ``nice -n 10 python bench/index_scale.py [--sizes 1000,10000,100000] [--queries 200]``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vanna_magic.core.knowledge.embed import HashingEmbedder  # noqa: E402
from vanna_magic.core.knowledge.index import EXACT_LIMIT, load_or_build  # noqa: E402

TEMPLATES = [
    "What was the {metric} per {grain} in {year}?", "Which {n} {entity} had the highest {metric} in {year}?",
    "How did {metric} of {segment} {entity} change between {year} and {year2}?",
    "Show the {metric} by {dimension} for {segment} customers",
    "What is the average {metric} per {entity} in {region}?",
    "List {entity} without any {event} since {year}", "Share of {metric} coming from {region} per {grain}",
]
WORDS = {
    "metric": ["revenue", "order count", "units sold", "discount rate", "return rate", "shipping cost", "margin",
               "average order value", "refund amount", "cancellation rate", "basket size", "lifetime value"],
    "grain": ["day", "week", "month", "quarter", "year"], "year": [str(y) for y in range(2015, 2026)],
    "entity": ["customers", "products", "suppliers", "regions", "stores", "categories", "brands", "sales reps"],
    "segment": ["consumer", "enterprise", "small business", "new", "returning", "inactive"],
    "dimension": ["category", "region", "segment", "channel", "payment method", "device", "campaign"],
    "region": ["Europe", "Asia", "North America", "Oceania", "Latin America", "Africa"],
    "event": ["order", "return", "review", "visit", "refund"], "n": ["3", "5", "10", "20"],
}


def questions(count: int, seed: int = 0) -> list[str]:
    """``count`` distinct, realistic questions (templates filled at random, numbered when they repeat)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    for i in itertools.count():
        if len(out) == count:
            return out
        template = rng.choice(TEMPLATES)
        values = {k: rng.choice(v) for k, v in WORDS.items()}
        text = template.format(year2=rng.choice(WORDS["year"]), **values)
        if text in seen:
            text = f"{text[:-1]} (variant {i})?"
        seen.add(text)
        out.append(text)
    return out


def brute_force(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ query[0]
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def run(size: int, n_queries: int) -> dict:
    embedder = HashingEmbedder()
    texts = questions(size)
    asked = questions(n_queries, seed=1)
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        index = load_or_build(Path(cache), "bench", texts, embedder, prefix="questions-bench")
        build = time.perf_counter() - start

        start = time.perf_counter()
        embedder_np = HashingEmbedder()
        matrix = embedder_np.embed(texts)  # the baseline's "index" is the matrix itself
        build_np = time.perf_counter() - start

        start = time.perf_counter()
        grown = load_or_build(Path(cache), "bench+1", texts + ["How many suppliers joined in 2026?"], embedder,
                              prefix="questions-bench")
        add_one = time.perf_counter() - start
        assert grown.ntotal == size + 1

        index_times, numpy_times, recall = [], [], []
        for question in asked:
            start = time.perf_counter()
            _, ids = index.search(embedder.embed([question]), 5)
            index_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            exact = brute_force(matrix, embedder_np.embed([question]), 5)
            numpy_times.append(time.perf_counter() - start)
            recall.append(len(set(ids[0].tolist()) & set(exact.tolist())) / 5)
    return {"size": size, "build": build, "build_np": build_np, "add_one": add_one,
            "query": median_ms(index_times), "query_np": median_ms(numpy_times), "recall": statistics.mean(recall),
            "kind": "exact (flat)" if size <= EXACT_LIMIT else "IVF"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rows = [run(int(size), args.queries) for size in args.sizes.split(",")]
    print(f"{'examples':>9} {'index':>12} {'build s':>8} {'numpy build s':>13} {'add one s':>9} "
          f"{'query ms':>9} {'numpy query ms':>14} {'ratio':>6} {'recall@5':>8}")
    for r in rows:
        print(f"{r['size']:>9,} {r['kind']:>12} {r['build']:>8.2f} {r['build_np']:>13.2f} {r['add_one']:>9.2f} "
              f"{r['query']:>9.2f} {r['query_np']:>14.2f} {r['query_np'] / r['query']:>5.1f}x {r['recall']:>8.3f}")
    big = rows[-1]
    query_ok = "ok" if big["query"] <= 5 else "MISSED"
    build_ok = "ok" if big["build"] <= 120 else "MISSED"
    print(f"\ntargets at {big['size']:,}: query {big['query']:.2f} ms (<= 5: {query_ok}), "
          f"build {big['build']:.1f} s (<= 120: {build_ok})")


if __name__ == "__main__":
    main()
