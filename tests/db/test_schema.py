"""The schema on the real PostGIS: extensions, tenant keys, spatial indexes."""

from __future__ import annotations

from sqlalchemy import Engine, text


def test_postgis_and_pgrouting_are_installed(engine: Engine) -> None:
    with engine.connect() as conn:
        names = set(conn.execute(text("SELECT extname FROM pg_extension")).scalars())
        assert {"postgis", "pgrouting"} <= names
        assert conn.execute(text("SELECT pgr_version()")).scalar()


def _tenant_tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' "
                    "AND table_type = 'BASE TABLE' AND table_name NOT IN "
                    "('spatial_ref_sys', 'alembic_version', 'municipality', 'platform_operator') "
                    "ORDER BY 1"
                )
            ).scalars()
        )


def test_every_table_carries_municipality_id(engine: Engine) -> None:
    tables = _tenant_tables(engine)
    assert len(tables) >= 25
    with engine.connect() as conn:
        having = set(
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' "
                    "AND column_name = 'municipality_id'"
                )
            ).scalars()
        )
    assert [t for t in tables if t not in having] == []


def test_every_primary_and_unique_key_includes_municipality_id(engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.conrelid::regclass::text AS tbl, c.conname, "
                "bool_or(a.attname = 'municipality_id') AS has_tenant "
                "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
                "AND a.attnum = ANY(c.conkey) JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE c.contype IN ('p', 'u') AND n.nspname = 'public' "
                "AND c.conrelid::regclass::text NOT IN ('spatial_ref_sys', 'alembic_version', "
                "'municipality', 'platform_operator') GROUP BY 1, 2"
            )
        ).all()
    assert len(rows) > 30
    assert [f"{r.tbl}.{r.conname}" for r in rows if not r.has_tenant] == []


def test_geometry_columns_are_4326_with_gist_indexes(engine: Engine) -> None:
    with engine.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT g.f_table_name, g.f_geometry_column, g.srid FROM geometry_columns g "
                "JOIN pg_class c ON c.relname = g.f_table_name "
                "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
                # tables; the town views of migration 0012 read through their tables' indexes
                "WHERE g.f_table_schema = 'public' AND c.relkind = 'r'"
            )
        ).all()
        gist = conn.execute(
            text(
                "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND indexdef ILIKE '%USING gist%'"
            )
        ).all()
    assert {c.srid for c in columns} == {4326}
    keys = {(g.tablename, g.indexdef.split("(")[-1].rstrip(")")) for g in gist}
    # a tenant table's geometry is indexed with its town first (migration 0011)
    indexed = {(table, key.removeprefix("municipality_id, ")) for table, key in keys}
    missing = [
        (c.f_table_name, c.f_geometry_column)
        for c in columns
        if (c.f_table_name, c.f_geometry_column) not in indexed
    ]
    assert missing == []
    alone = [key for key in keys if key[0] != "municipality" and "municipality_id" not in key[1]]
    assert alone == []
