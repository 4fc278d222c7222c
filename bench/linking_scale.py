"""Schema linking in a warehouse of up to 10,000 tables: recall, prompt size, link time, catalog read, memory.

The seven defog-dev databases are loaded into one PostgreSQL database, each in its own schema, among
generated look-alike schemas (``bench/warehouse.py``: layer copies, team copies, near-synonym
look-alikes, ``_old``/``_bak`` variants, source-system schemas sharing key columns), one database per size
(``vanna_scale_<size>``, built once and reused). For every question of ``questions_postgres.csv`` the
product's schema linking runs with its default settings and no knowledge base (no model: retrieval and
the prompt only), and the bench measures:

- recall: the share of questions whose prompt shows every table a gold query reads, in the question's
  own schema (``yelp.review``, not ``stg_yelp.review``);
- schema tokens: the ``### Schema`` section of the prompt (the product's tokenizer), median and max;
- link: the time of ``Retriever.retrieve`` for one question (median, p95), the schema index warm;
- catalog: reading the catalog on a fresh connection (median of ``--runs``);
- memory: Python allocations of the catalog's tables (tracemalloc) and of linking's per-schema
  structures with its vector index (tracemalloc plus the index's vectors, which FAISS holds outside Python);
- search: ``Session.search`` over tables and columns (``%vanna search``), median over the questions' first words.

Each size is a row, with ratios against the seven databases alone (82 tables) measured in the same run;
"alone" is the plain case: each question linked against its own database's tables only. The largest
size's recall is also printed per database.
Targets at 10,000 tables: recall >= 95%, schema <= 2,000 tokens, link <= 50 ms median, catalog <= 1 s,
search <= 50 ms. Usage: ``nice -n 10 python bench/linking_scale.py [--sizes 1000,3000,10000] [--misses]``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlglot  # noqa: E402
from sqlglot import exp  # noqa: E402

from bench.accuracy.gold import variants  # noqa: E402
from bench.warehouse import DATABASES, DEFOG, build  # noqa: E402
from vanna_magic import Session  # noqa: E402
from vanna_magic.core.data.catalog import read_tables  # noqa: E402
from vanna_magic.core.data.database import Database  # noqa: E402
from vanna_magic.core.data.schema_filter import SchemaFilter  # noqa: E402
from vanna_magic.core.generate.prompt import build_prompt  # noqa: E402
from vanna_magic.core.generate.tokens import count_tokens  # noqa: E402

BASE = 0  # the seven databases alone
# What a warehouse's owner would set: the staging, sandbox and archive layers left out of the catalog.
LAYERS_OUT = ("-stg_*, -raw_*, -tmp_*, -sandbox_*, -scratch_*, -legacy_*, -*_archive*, -*_backup*, -*_dev*, "
              "-*_test*, -*_qa*, -*_snapshot*, -*_staging*, -*_old*")


def questions() -> list[tuple[str, str, list[set[str]]]]:
    """(database, question, the tables of each acceptable gold query as ``schema.table``)."""
    out = []
    with open(DEFOG / "questions_postgres.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            needed = []
            for statement in variants(row["query"]):
                tree = sqlglot.parse_one(statement, read="postgres")
                ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
                needed.append({f"{row['db_name']}.{t.name.lower()}" for t in tree.find_all(exp.Table)} - {
                    f"{row['db_name']}.{c}" for c in ctes})
            out.append((row["db_name"], row["question"], needed))
    return out


def schema_tokens(messages: list[dict]) -> int:
    text = messages[1]["content"]
    section = text.split("### Schema\n", 1)[1].split("\n\n###", 1)[0]
    return count_tokens(section)


def _ms(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def link_all(session: Session, tables: list, asked: list, by_schema: bool = False) -> dict:
    """Recall, schema tokens and link times of every question against ``tables`` (or its own schema's)."""
    retriever, settings = session.retriever, session.settings
    own = {db: [t for t in tables if t.schema == db] for db in DATABASES}
    retriever.retrieve("warm up", tables, k=settings.top_k)  # builds the per-schema structures and index
    found, tokens, times, misses = 0, [], [], []
    per_db = {db: [0, 0] for db in DATABASES}  # database -> [found, asked]
    for db, question, needed in asked:
        per_db[db][1] += 1
        scope = own[db] if by_schema else tables
        start = time.perf_counter()
        retrieved = retriever.retrieve(question, scope, k=settings.top_k)
        times.append(time.perf_counter() - start)
        prompt = build_prompt(question, dialect="postgres", retrieved=retrieved, budget=settings.prompt_budget)
        shown = {name.lower() for name in prompt.tables}
        if any(need <= shown for need in needed):
            found += 1
            per_db[db][0] += 1
        else:
            misses.append((db, question, sorted(min(needed, key=len) - shown), prompt.tables))
        tokens.append(schema_tokens(prompt.messages))
    return {"recall": found / len(asked), "tokens": statistics.median(tokens), "max_tokens": max(tokens),
            "link": statistics.median(times) * 1000, "link_p95": _ms(times, 0.95), "misses": misses,
            "per_db": per_db}


def catalog_read(url: str, runs: int, schemas: str | None) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        db = Database(url)
        db.ping()  # connecting is not part of reading the catalog
        start = time.perf_counter()
        count = len(read_tables(db, None, SchemaFilter.parse(schemas)))
        times.append(time.perf_counter() - start)
        db.close()
    return statistics.median(times), count


def memory(session: Session, url: str, schemas: str | None) -> tuple[float, float]:
    """MB of the catalog's tables, and of linking's structures over them plus the index's vectors."""
    db = Database(url)
    db.ping()
    tracemalloc.start()
    tables = read_tables(db, None, SchemaFilter.parse(schemas))
    catalog = tracemalloc.get_traced_memory()[0]
    session.retriever.retrieve("memory", tables, k=session.settings.top_k)
    linking = tracemalloc.get_traced_memory()[0] - catalog
    tracemalloc.stop()
    db.close()
    dim = session.retriever.embedder.embed(["x"]).shape[1]
    return catalog / 2**20, (linking + len(tables) * dim * 4) / 2**20


def search_times(session: Session, asked: list) -> float:
    words = [q.split()[-1].strip("?.") for _, q, _ in asked[::5]]
    session.search("warm up")
    times = []
    for word in words:
        start = time.perf_counter()
        session.search(word)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(size: int, args: argparse.Namespace, asked: list, work: Path, schemas: str | None = None) -> dict:
    from sqlalchemy.engine import make_url

    admin = make_url(args.url)
    conninfo = {"host": admin.host or "127.0.0.1", "port": admin.port or 5432, "user": admin.username,
                "dbname": admin.database or "postgres"}
    start = time.perf_counter()
    name = build(conninfo, f"vanna_scale_{size or 'base'}", size)
    built = time.perf_counter() - start
    url = admin.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    kb = work / "kb"
    kb.mkdir(exist_ok=True)
    session = Session(url, knowledge_base=str(kb), cache_dir=str(work / f"cache-{size}"), schemas=schemas)
    read, count = catalog_read(url, args.runs, schemas)
    catalog_mb, index_mb = memory(session, url, schemas)
    tables = session.schema()
    row = {"size": size, "tables": count, "label": f"{size:,}*" if schemas else f"{count:,}", "built": built,
           "catalog": read, "catalog_mb": catalog_mb,
           "index_mb": index_mb, **link_all(session, tables, asked), "search": search_times(session, asked)}
    if size == BASE:
        row["alone"] = link_all(session, tables, asked, by_schema=True)
    session.close()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000", help="warehouse sizes in tables (comma separated)")
    parser.add_argument("--runs", type=int, default=3, help="catalog reads per size (median)")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres", help="server (admin URL)")
    parser.add_argument("--misses", action="store_true", help="list the questions whose tables were missed")
    args = parser.parse_args()
    asked = questions()
    sizes = [BASE] + [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(size, args, asked, Path(tmp)) for size in sizes]
        layered = measure(sizes[-1], args, asked, Path(tmp), LAYERS_OUT)
    base = rows[0]
    print(f"\n{len(asked)} questions over {len(DATABASES)} databases; ratios against the 7 databases alone "
          f"({base['tables']} tables)\n")
    head = (f"{'tables':>7} {'recall':>7} {'schema tok':>10} {'max tok':>8} {'link ms':>8} {'p95 ms':>7} "
            f"{'catalog s':>9} {'catalog MB':>10} {'index MB':>9} {'search ms':>9}   ratios: tok / link / catalog"
            " / memory")
    print(head)
    plain = base["alone"]
    print(f"{'alone':>7} {plain['recall']:>7.1%} {plain['tokens']:>10.0f} {plain['max_tokens']:>8} "
          f"{plain['link']:>8.2f} {plain['link_p95']:>7.2f}   (each question against its own database's tables)")
    for r in rows + [layered]:
        memory_ratio = (r["catalog_mb"] + r["index_mb"]) / (base["catalog_mb"] + base["index_mb"])
        print(f"{r['label']:>7} {r['recall']:>7.1%} {r['tokens']:>10.0f} {r['max_tokens']:>8} {r['link']:>8.2f} "
              f"{r['link_p95']:>7.2f} {r['catalog']:>9.3f} {r['catalog_mb']:>10.1f} {r['index_mb']:>9.1f} "
              f"{r['search']:>9.2f}   {r['tokens'] / base['tokens']:.2f}x / {r['link'] / base['link']:.1f}x / "
              f"{r['catalog'] / base['catalog']:.1f}x / {memory_ratio:.1f}x")
    big = rows[-1]
    checks = [("recall >= 95%", big["recall"] >= 0.95), ("schema <= 2,000 tokens", big["max_tokens"] <= 2000),
              ("link <= 50 ms median", big["link"] <= 50), ("catalog <= 1 s", big["catalog"] <= 1),
              ("search <= 50 ms", big["search"] <= 50)]
    print(f"\ntargets at {big['tables']:,} tables: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}"
                                                               for name, ok in checks))
    print(f"recall per database at {big['tables']:,} tables: " + ", ".join(
        f"{db} {hit / total:.0%} ({hit}/{total})" for db, (hit, total) in big["per_db"].items()))
    print(f"{layered['label']}: the same warehouse with the setting schemas = {LAYERS_OUT!r} "
          f"({layered['tables']:,} tables read)")
    if args.misses:
        for r in [{"tables": "alone", **plain}] + rows:
            for db, question, missing, shown in r["misses"]:
                print(f"[{r['tables']}] {db}: {question[:80]!r} missing {missing}; shown {shown}")


if __name__ == "__main__":
    main()
