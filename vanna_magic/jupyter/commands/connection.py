"""``%vanna connect URL|NAME`` and ``%vanna connections``."""

from __future__ import annotations

from ...core.config import redact
from ...core.errors import VannaError
from . import command


@command("connect", "connect to a database by SQLAlchemy URL or connection name (a failed connect keeps the "
         "current one)", lambda parser: parser.add_argument("url", metavar="URL|NAME"))
def connect(magic, args) -> None:
    previous = magic.connection_override
    magic.connection_override = args.url
    try:
        session = magic._session()
        session.database().ping()
        tables = session.catalog().tables(refresh=True)
    except VannaError:
        magic.connection_override = previous
        magic._session()
        raise
    db = session.database()
    named = "" if "://" in args.url else f"{args.url}: "
    print(f"connected to {named}{redact(db.url)} ({db.dialect}, {len(tables)} tables)")


@command("connections", "list the named connections (passwords never shown)")
def connections(magic, args) -> None:
    from ...core.data.connections import default_connections_file, load_connections

    session = magic._session()
    found = load_connections(connections_file=session.settings.connections_file)
    if not found:
        print("no named connections. Define one in pyproject.toml:\n"
              '  [tool.vanna_magic.connections.warehouse]\n  url = "postgresql://analyst@db/sales"\n'
              '  password = "${WAREHOUSE_PASSWORD}"\n'
              f"or as [connections.NAME] in {session.settings.connections_file or default_connections_file()}.")
        return
    current = session.settings.connection
    width = max(len(name) for name in found)
    for name in sorted(found):
        conn = found[name]
        marker = "*" if name == current else " "
        secret = ", password set" if conn.password is not None else ""
        about = f"  {conn.description}" if conn.description else ""
        print(f"{marker} {name:<{width}}  {redact(conn.shown_url())}{about}  ({conn.source}{secret})")
