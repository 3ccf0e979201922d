"""Row-level security: every tenant table shows and accepts one town's rows; the app role

Every table of schema ``public`` with a ``municipality_id`` column (found in the catalogue now,
so tables added up to this revision are all covered) gets ROW LEVEL SECURITY and the policy
``town_isolation``: a row is visible, and may be written, only when its ``municipality_id`` is
the transaction's ``machi.town`` (``SET LOCAL`` by ``geo.db.watch_town``). With no town set
the expression is NULL and no row passes.

``municipality`` (key ``id``) is the public registry: every row readable (a request is
resolved to its town before one is set), UPDATE only of the row of ``machi.town`` (disaster
mode), no INSERT or DELETE for the app (``machi town ...`` runs as the owner).

Tables without ``municipality_id``: ``alembic_version`` (SELECT for the app) and PostGIS's
``spatial_ref_sys`` (left alone: the extension grants SELECT to PUBLIC); any other is granted
like a tenant table but without RLS (tests/db/test_rls_catalogue.py lists the expected ones,
so a new shared table is a decision, not an accident).

The app role (``machi_app`` unless ``-x app_role=NAME``, the ``machi.app_role`` attribute of
the Alembic config, or the user of ``MACHI_DATABASE_URL``: see geo/migrations/env.py) is
created when missing (LOGIN NOSUPERUSER NOBYPASSRLS, owning nothing) and granted DML on the
tables and use of the sequences, now and, by default privileges, for tables later migrations
create. The owner running the migrations is not subject to the policies (no FORCE).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:00:00
"""

import re
from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import TextClause, text

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOWN = "NULLIF(current_setting('machi.town', true), '')::int"
DML = "SELECT, INSERT, UPDATE, DELETE"
# Shared tables with their own grants; every other table is granted DML. PostGIS grants
# SELECT on spatial_ref_sys to PUBLIC; nothing more is given.
READ_ONLY = ("alembic_version",)
EXTENSION_OWNED = ("spatial_ref_sys",)
_TENANT_TABLES = text(
    "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
    "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
    "WHERE c.table_schema = 'public' AND c.column_name = 'municipality_id' "
    "AND t.table_type = 'BASE TABLE' ORDER BY 1"
)
_ALL_TABLES = text(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
    "AND table_type = 'BASE TABLE' ORDER BY 1"
)


def _app_role() -> str:
    name = str(context.config.attributes.get("machi.app_role") or "machi_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"app role {name!r}: use lower-case letters, digits and _")
    return name


def _ensure_role(role: str) -> None:
    """Create the app role unless it exists (two migrations at once may race: both fine)."""
    op.execute(
        f"""
        DO $$
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
            CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
          END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$
        """
    )
    # Refuse a role that would defeat the policies: a superuser, BYPASSRLS, or this owner.
    op.execute(
        f"""
        DO $$
        BEGIN
          IF '{role}' = current_user OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}'
             AND (rolsuper OR rolbypassrls)) THEN
            RAISE EXCEPTION 'app role {role} must not be the owner, a superuser or BYPASSRLS';
          END IF;
        END $$
        """
    )


def _tables(query: TextClause) -> list[str]:
    return [str(name) for name in op.get_bind().execute(query).scalars()]


def upgrade() -> None:
    role = _app_role()
    _ensure_role(role)
    tenant = _tables(_TENANT_TABLES)
    for table in tenant:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY town_isolation ON "{table}" '
            f"USING (municipality_id = {TOWN}) WITH CHECK (municipality_id = {TOWN})"
        )
    op.execute("ALTER TABLE municipality ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY town_registry_read ON municipality FOR SELECT USING (true)")
    op.execute(
        "CREATE POLICY town_own_update ON municipality FOR UPDATE "
        f"USING (id = {TOWN}) WITH CHECK (id = {TOWN})"
    )
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    for table in _tables(_ALL_TABLES):
        if table in EXTENSION_OWNED:
            continue
        if table == "municipality":
            op.execute(f'GRANT SELECT, UPDATE ON municipality TO "{role}"')
        elif table in READ_ONLY:
            op.execute(f'GRANT SELECT ON "{table}" TO "{role}"')
        else:
            op.execute(f'GRANT {DML} ON "{table}" TO "{role}"')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {DML} ON TABLES TO "{role}"')
    op.execute(
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"'
    )


def downgrade() -> None:
    role = _app_role()
    exists = op.get_bind().execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is not None:
        _revoke(role)
    op.execute("DROP POLICY IF EXISTS town_own_update ON municipality")
    op.execute("DROP POLICY IF EXISTS town_registry_read ON municipality")
    op.execute("ALTER TABLE municipality DISABLE ROW LEVEL SECURITY")
    for table in _tables(_TENANT_TABLES):
        op.execute(f'DROP POLICY IF EXISTS town_isolation ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    # The role itself stays: it belongs to the cluster, and other databases may use it.


def _revoke(role: str) -> None:
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE {DML} ON TABLES FROM "{role}"')
    sequences = "USAGE, SELECT ON SEQUENCES"
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE {sequences} FROM "{role}"')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{role}"')
    for table in _tables(_ALL_TABLES):
        if table not in EXTENSION_OWNED:
            op.execute(f'REVOKE ALL ON "{table}" FROM "{role}"')
    op.execute(f'REVOKE USAGE ON SCHEMA public FROM "{role}"')
