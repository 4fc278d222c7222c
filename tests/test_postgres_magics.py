"""``%%ask`` (replayed model) and ``%%vsql`` through a real IPython shell on the real PostgreSQL."""

import psycopg
import pytest
from IPython.core.error import UsageError

from tests.fakes import FakeModel
from vanna_magic import Session
from vanna_magic.core.config import load_settings
from vanna_magic.core.generate.replay import ReplayModel

pytestmark = pytest.mark.postgres

QUESTION = "Which 3 customers placed the most orders?"
SQL = """Here is the query:
```sql
SELECT c.name, COUNT(*) AS orders
FROM customers c JOIN orders o ON o.customer_id = c.customer_id
GROUP BY c.name
ORDER BY orders DESC, c.name
LIMIT 3
```"""


def expected_top_customers(url):
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(
            "SELECT c.name, COUNT(*) FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
            "GROUP BY c.name ORDER BY COUNT(*) DESC, c.name LIMIT 3").fetchall()


@pytest.fixture
def replay_file(tmp_path, cache_dir, postgres_shop):
    path = tmp_path / "pg.jsonl"
    recorder = ReplayModel(path, model_name="fake/recorder", inner=FakeModel([SQL]), mode="record")
    settings = load_settings(environ={}, start=None).replace(cache_dir=str(cache_dir), connection=postgres_shop)
    Session(settings=settings, model=recorder).ask(QUESTION)
    return path


def test_ask_with_replay_on_postgres(shell, postgres_shop, replay_file, capsys):
    shell.run_cell(f"%vanna connect {postgres_shop}")
    assert "(postgres, 5 tables)" in capsys.readouterr().out
    shell.run_cell(f"%config VannaMagic.replay_file = {str(replay_file)!r}")
    answer = shell.run_cell(f"%%ask -o top\n{QUESTION}").result
    assert answer.dialect == "postgres" and answer.replayed
    assert [tuple(row) for row in shell.user_ns["top"].itertuples(index=False)] == \
        expected_top_customers(postgres_shop)


def test_vsql_on_postgres_is_read_only_and_capped(shell, postgres_shop):
    shell.run_cell(f"%vanna connect {postgres_shop}")
    answer = shell.run_cell("%%vsql -o statuses\nSELECT status, COUNT(*) AS n FROM orders GROUP BY status "
                            "ORDER BY status").result
    assert answer.df.to_dict("records") == [{"status": "cancelled", "n": 100}, {"status": "placed", "n": 100},
                                            {"status": "shipped", "n": 100}]
    assert len(shell.run_cell("%%vsql --limit 7\nSELECT * FROM orders").result.df) == 7
    with pytest.raises(UsageError, match="read_only"):
        shell.run_cell("%%vsql\nUPDATE orders SET status = 'x'")
    shell.run_cell("%config VannaMagic.query_timeout = 0.5")
    with pytest.raises(UsageError, match="the query ran longer than 0.5 s and was cancelled"):
        # A plain read that would run for minutes (pg_sleep itself is refused by the firewall).
        shell.run_cell("%%vsql\nSELECT COUNT(*) FROM generate_series(1, 100000) AS a, generate_series(1, 100000) AS b")


def test_wrong_database_name_is_a_clear_error_without_the_password(shell, postgres_shop):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_shop).set(database="no_such_db", password="hunter2secret")
    with pytest.raises(UsageError) as info:
        shell.run_cell(f"%vanna connect {url.render_as_string(hide_password=False)}")
    assert "hunter2secret" not in str(info.value) and "no_such_db" in str(info.value)
