"""Any other engine SQLAlchemy reaches: the catalog through its bulk ``get_multi_*`` reflection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..schema import ForeignKey, TableDraft

if TYPE_CHECKING:
    from ..schema import Table


def reflect_tables(db: Any) -> "list[Table]":
    """The default schema's tables and views, read with SQLAlchemy's bulk reflection."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import inspect
    from sqlalchemy.engine.reflection import ObjectKind

    with db.reading() as conn:
        inspector = inspect(conn)
        objects = [(key, cols, "table") for key, cols in inspector.get_multi_columns(kind=ObjectKind.TABLE).items()]
        objects += [(key, cols, "view") for key, cols in inspector.get_multi_columns(kind=ObjectKind.VIEW).items()]
        primary_keys = inspector.get_multi_pk_constraint(kind=ObjectKind.TABLE)
        foreign_keys = inspector.get_multi_foreign_keys(kind=ObjectKind.TABLE)
        try:
            comments = inspector.get_multi_table_comment(kind=ObjectKind.TABLE)
        except NotImplementedError:
            comments = {}
        dialect = conn.dialect

    def type_name(type_: Any) -> str:
        try:
            return str(type_.compile(dialect=dialect))
        except sa_exc.CompileError:
            return type(type_).__name__.upper()

    tables = []
    for (schema, name), columns, kind in sorted(objects, key=lambda item: (item[2], item[0][1])):
        draft = TableDraft(schema, name, kind)
        draft.columns = [(c["name"], type_name(c["type"]), bool(c.get("nullable", True)), c.get("comment"))
                         for c in columns]
        draft.primary_key = tuple((primary_keys.get((schema, name)) or {}).get("constrained_columns") or ())
        draft.comment = (comments.get((schema, name)) or {}).get("text")
        for fk in foreign_keys.get((schema, name), []):
            ref_schema = fk.get("referred_schema")
            ref = fk["referred_table"] if ref_schema in (None, schema) else f"{ref_schema}.{fk['referred_table']}"
            draft.foreign_keys.append(ForeignKey(tuple(fk["constrained_columns"]), ref,
                                                 tuple(fk["referred_columns"])))
        tables.append(draft.table())
    return tables
