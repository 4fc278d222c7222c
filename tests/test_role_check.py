"""The database role as a second wall: a role that can do more than read is named on connect and in status,
and ``require_read_only_role`` refuses it; a plain read-only role passes silently.

Against the real servers: PostgreSQL (the shared server connects as a superuser; the test creates plain,
BYPASSRLS, pg_read_server_files and writing roles) and MariaDB (root, and a user granted SELECT only).
"""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy.engine import make_url

from vanna_magic.core.errors import ConfigurationError

MYSQL_URL = os.environ.get("VANNA_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")


@pytest.fixture(scope="module")
def pg_roles(make_postgres_database):
    """URLs of a fresh database: as the server's superuser, and as roles of each kind created for the test."""
    import psycopg

    url = make_url(make_postgres_database("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);"))
    suffix = secrets.token_hex(4)
    kinds = {"reader": "", "bypass": "ALTER ROLE {r} BYPASSRLS", "files": "GRANT pg_read_server_files TO {r}",
             "writer": "GRANT INSERT ON t TO {r}"}
    roles = {kind: f"vm_{kind}_{suffix}" for kind in kinds}
    admin = dict(host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True,
                 connect_timeout=5)
    with psycopg.connect(**admin) as conn:
        for kind, role in roles.items():
            conn.execute(f"CREATE ROLE {role} LOGIN")
            conn.execute(f'GRANT CONNECT ON DATABASE "{url.database}" TO {role}')
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            conn.execute(f"GRANT SELECT ON t TO {role}")
            if kinds[kind]:
                conn.execute(kinds[kind].format(r=role))
    yield {"superuser": url.render_as_string(hide_password=False),
           **{kind: url.set(username=role).render_as_string(hide_password=False) for kind, role in roles.items()}}
    with psycopg.connect(**admin) as conn:
        for role in roles.values():
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


@pytest.mark.postgres
def test_a_superuser_is_named_on_connect_and_in_status(session_factory, pg_roles):
    session = session_factory()
    info = session.connect(pg_roles["superuser"])
    assert "superuser" in info.warning and "CREATE ROLE vanna_reader" in info.warning and "\n" not in info.warning
    assert session.status().role_warning == info.warning


@pytest.mark.postgres
def test_a_read_only_role_gets_no_warning_and_passes_the_requirement(session_factory, pg_roles):
    session = session_factory(connection=pg_roles["reader"], require_read_only_role=True)
    assert session.connect(pg_roles["reader"]).warning is None
    assert session.status().role_warning is None
    assert sorted(session.run_sql("SELECT id FROM t").df["id"]) == [1, 2]


@pytest.mark.postgres
@pytest.mark.parametrize(("kind", "said"), [("superuser", "superuser"), ("bypass", "BYPASSRLS"),
                                            ("files", "pg_read_server_files"), ("writer", "writes tables")])
def test_require_read_only_role_refuses_a_role_that_can_do_more(session_factory, pg_roles, kind, said):
    session = session_factory(connection=pg_roles["reader"])
    assert said in session_factory(connection=pg_roles[kind]).role_check().warning
    session.configure(require_read_only_role=True)
    with pytest.raises(ConfigurationError, match=said) as info:
        session.connect(pg_roles[kind])
    assert info.value.setting == "require_read_only_role"
    assert session.connect(pg_roles["reader"]).tables == 1  # the refused connection was not kept
    strict = session_factory(connection=pg_roles[kind], require_read_only_role=True)
    with pytest.raises(ConfigurationError, match="refused to connect"):
        strict.run_sql("SELECT id FROM t")


@pytest.mark.postgres
def test_the_magics_print_the_warning_in_one_line(shell, pg_roles, capsys):
    shell.run_cell(f"%vanna connect {pg_roles['superuser']}")
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.startswith("warning: the database role")] and len(lines) == 2
    shell.run_cell("%vanna status")
    assert any(line.startswith("role:") and "superuser" in line for line in capsys.readouterr().out.splitlines())
    shell.run_cell(f"%vanna connect {pg_roles['reader']}")
    assert "warning" not in capsys.readouterr().out


@pytest.fixture(scope="module")
def maria_reader():
    """A MariaDB user granted SELECT on the test database only; its URL."""
    import pymysql

    url = make_url(MYSQL_URL)
    user = f"vm_reader_{secrets.token_hex(4)}"
    admin = dict(host=url.host or "127.0.0.1", port=url.port or 3306, user=url.username or "root",
                 password=url.password or "", autocommit=True, connect_timeout=5)
    try:
        conn = pymysql.connect(**admin)
    except pymysql.Error as exc:
        pytest.fail(f"MariaDB/MySQL is not reachable ({exc})", pytrace=False)
    with conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE USER '{user}'@'%'")
        cursor.execute(f"GRANT SELECT ON `{url.database}`.* TO '{user}'@'%'")
    yield url.set(username=user, password=None).render_as_string(hide_password=False)
    with pymysql.connect(**admin) as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP USER '{user}'@'%'")


@pytest.mark.mysql
def test_mariadb_root_is_named_and_a_select_only_user_is_not(session_factory, maria_reader):
    session = session_factory()
    warning = session.connect(MYSQL_URL).warning
    assert "FILE" in warning and "SUPER" in warning and "CREATE USER 'vanna_reader'" in warning
    assert session.connect(maria_reader).warning is None
    session.configure(require_read_only_role=True)
    with pytest.raises(ConfigurationError, match="server files"):
        session.connect(MYSQL_URL)
    assert session.connect(maria_reader).warning is None


def test_sqlite_has_no_role_to_warn_about(session_factory):
    session = session_factory(require_read_only_role=True)
    assert session.role_check().read_only and session.status().role_warning is None


@pytest.mark.parametrize("value", ["sometimes", "2", ""])
def test_require_read_only_role_takes_only_true_or_false(value):
    from vanna_magic.core.config import load_settings

    with pytest.raises(ConfigurationError, match="require_read_only_role"):
        load_settings({"require_read_only_role": value}, environ={}, start=None)
