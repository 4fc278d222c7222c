"""``%vanna connect URL``."""

from __future__ import annotations

from ...core.config import redact
from ...core.errors import VannaError
from . import command


@command("connect", "connect to a database by SQLAlchemy URL (a failed connect keeps the current one)",
         lambda parser: parser.add_argument("url", metavar="URL"))
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
    print(f"connected to {redact(db.url)} ({db.dialect}, {len(tables)} tables)")
