"""A second town for isolation tests: a copy of every tenant row of the demo town.

All keys of tenant tables include ``municipality_id`` and every foreign key between them is
composite, so copying each table's rows with only ``municipality_id`` changed (parents before
children) gives a complete, consistent second town with the same ids.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

from sqlalchemy import Connection, text

TENANT_TABLES = text(
    "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
    "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
    "WHERE c.table_schema = 'public' AND c.column_name = 'municipality_id' "
    "AND t.table_type = 'BASE TABLE' ORDER BY 1"
)
_FOREIGN_KEYS = text(
    "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent "
    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE c.contype = 'f' AND n.nspname = 'public'"
)
_COLUMNS = text(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
    "AND table_name = :t AND is_generated = 'NEVER' ORDER BY ordinal_position"
)


def tenant_tables(conn: Connection) -> list[str]:
    """Every table of schema public with a ``municipality_id`` column."""
    return [str(name) for name in conn.execute(TENANT_TABLES).scalars()]


def _parents_first(conn: Connection, tables: list[str]) -> list[str]:
    order: TopologicalSorter[str] = TopologicalSorter({t: set() for t in tables})
    for child, parent in conn.execute(_FOREIGN_KEYS):
        if child in tables and parent in tables and child != parent:
            order.add(child, parent)
    return list(order.static_order())


def _copy(conn: Connection, table: str, key: str, source: int, new: dict[str, object]) -> None:
    """Copy the rows of ``table`` whose ``key`` is ``source``, with the ``new`` column values."""
    columns = [str(c) for c in conn.execute(_COLUMNS, {"t": table}).scalars()]
    names = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f":new_{c}" if c in new else f'"{c}"' for c in columns)
    conn.execute(
        text(
            f'INSERT INTO "{table}" ({names}) OVERRIDING SYSTEM VALUE SELECT {values} '
            f'FROM "{table}" WHERE "{key}" = :source'
        ),
        {"source": source, **{f"new_{c}": v for c, v in new.items()}},
    )


def copy_town(conn: Connection, source: int, target: int) -> None:
    """Make town ``target`` a copy of town ``source`` in the caller's transaction (as owner)."""
    copied = {"id": target, "code": str(target), "host": None}  # code and host are unique
    _copy(conn, "municipality", "id", source, copied)
    for table in _parents_first(conn, tenant_tables(conn)):
        _copy(conn, table, "municipality_id", source, {"municipality_id": target})
