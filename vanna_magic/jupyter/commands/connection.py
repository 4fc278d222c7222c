"""``%vanna connect URL|NAME`` and ``%vanna connections``."""

from __future__ import annotations

from . import command


@command("connect", "connect to a database by SQLAlchemy URL or connection name, to the notebook's DataFrames "
         "(dataframes) or to CSV and Parquet files (files:PATH,GLOB...); a failed connect keeps the current one",
         lambda parser: parser.add_argument("url", metavar="URL|NAME|dataframes|files:..."))
def connect(session, args) -> None:
    info = session.connect(args.url)
    named = f"{info.name}: " if info.name else ""
    print(f"connected to {named}{info.url} ({info.dialect}, {info.tables} tables)")
    if info.warning:
        print(f"warning: {info.warning}")


@command("connections", "list the named connections (passwords never shown)")
def connections(session, args) -> None:
    found = session.connections()
    if not found.named:
        print("no named connections. Define one in pyproject.toml:\n"
              '  [tool.vanna_magic.connections.warehouse]\n  url = "postgresql://analyst@db/sales"\n'
              '  password = "${WAREHOUSE_PASSWORD}"\n'
              f"or as [connections.NAME] in {found.file}.")
        return
    width = max(len(conn.name) for conn in found.named)
    for conn in found.named:
        marker = "*" if conn.current else " "
        secret = ", password set" if conn.password_set else ""
        about = f"  {conn.description}" if conn.description else ""
        print(f"{marker} {conn.name:<{width}}  {conn.url}{about}  ({conn.source}{secret})")
