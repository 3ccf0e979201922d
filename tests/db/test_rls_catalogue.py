"""The catalogue says what migration 0009 promises, for every table, including future ones.

A new table with ``municipality_id`` that a migration adds without RLS and the policy fails
``test_every_tenant_table_has_rls_and_the_town_policy``; a new table without it fails
``test_the_shared_tables_are_the_known_ones`` until its grants are decided.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from geo.roles import rls_bypass_reasons
from machi.app_role import app_role_problems
from machi.settings import Settings
from tests.support.towns import tenant_tables

pytestmark = pytest.mark.db

TOWN = "(NULLIF(current_setting('machi.town'::text, true), ''::text))::integer"
# platform_operator: the operators of the whole deployment (no town; the app signs them in)
SHARED_TABLES = {"alembic_version", "municipality", "platform_operator", "spatial_ref_sys"}
DML = {"SELECT", "INSERT", "UPDATE", "DELETE"}

_POLICIES = text(
    "SELECT c.relname AS table, c.relrowsecurity AS rls, p.polname AS name, p.polcmd AS cmd, "
    "p.polpermissive AS permissive, p.polroles = '{0}' AS everyone, "
    "pg_get_expr(p.polqual, p.polrelid) AS using, "
    "pg_get_expr(p.polwithcheck, p.polrelid) AS check "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_policy p ON p.polrelid = c.oid WHERE n.nspname = 'public' AND c.relkind = 'r'"
)
_GRANTS = text(
    "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
    "WHERE grantee = :role AND table_schema = 'public'"
)
_OWNED = text(
    "SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
    "+ (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) "
    "+ (SELECT count(*) FROM pg_database WHERE datdba = r.oid) "
    "+ (SELECT count(*) FROM pg_proc WHERE proowner = r.oid) "
    "+ (SELECT count(*) FROM pg_type WHERE typowner = r.oid) AS owned, "
    "r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin "
    "FROM pg_roles r WHERE r.rolname = :role"
)


def _app_role(app_database_url: str) -> str:
    role = make_url(app_database_url).username
    assert role
    return role


def _policies(conn: Connection) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for row in conn.execute(_POLICIES).mappings():
        found.setdefault(str(row["table"]), []).append(dict(row))
    return found


def tables_without_isolation(conn: Connection) -> list[str]:
    """Tenant tables lacking RLS or the ``town_isolation`` policy as 0009 makes it."""
    policies, wrong = _policies(conn), []
    expected = f"(municipality_id = {TOWN})"
    for table in tenant_tables(conn):
        rows = policies[table]
        ok = [
            p for p in rows
            if p["name"] == "town_isolation" and p["cmd"] == "*" and p["permissive"]
            and p["everyone"] and p["using"] == expected and p["check"] == expected
        ]  # fmt: skip
        if not (rows[0]["rls"] and len(ok) == 1 and len(rows) == 1):
            wrong.append(table)
    return wrong


def test_every_tenant_table_has_rls_and_the_town_policy(engine: Engine) -> None:
    with engine.connect() as conn:
        assert len(tenant_tables(conn)) >= 30
        assert tables_without_isolation(conn) == []


def test_a_table_added_without_a_policy_is_caught_and_granted_by_default(
    engine: Engine, app_database_url: str
) -> None:
    role = _app_role(app_database_url)
    with engine.connect() as conn, conn.begin() as outer:
        conn.execute(text("CREATE TABLE rls_probe (municipality_id int, note text)"))
        assert tables_without_isolation(conn) == ["rls_probe"]
        grants = {p for t, p in conn.execute(_GRANTS, {"role": role}) if t == "rls_probe"}
        assert grants == DML  # default privileges: later migrations' tables are granted
        outer.rollback()


def test_the_shared_tables_are_the_known_ones(engine: Engine) -> None:
    with engine.connect() as conn:
        tables = set(_policies(conn))
        shared = tables - set(tenant_tables(conn))
        registry = _policies(conn)["municipality"]
    town = {(p["name"], p["cmd"], p["using"], p["check"]) for p in registry}
    assert shared == SHARED_TABLES
    assert town == {
        ("town_registry_read", "r", "true", None),
        ("town_own_update", "w", f"(id = {TOWN})", f"(id = {TOWN})"),
    }


def test_the_app_role_is_granted_dml_on_tenant_tables_and_less_elsewhere(
    engine: Engine, app_database_url: str
) -> None:
    role = _app_role(app_database_url)
    with engine.connect() as conn:
        grants: dict[str, set[str]] = {}
        for table, privilege in conn.execute(_GRANTS, {"role": role}):
            grants.setdefault(str(table), set()).add(str(privilege))
        tenants = tenant_tables(conn)
        sequences = conn.execute(
            text("SELECT count(*) FROM information_schema.usage_privileges WHERE grantee = :r "
                 "AND object_type = 'SEQUENCE'"), {"r": role}
        ).scalar_one()  # fmt: skip
    assert {t: grants.get(t) for t in tenants if grants.get(t) != DML} == {}
    assert grants["municipality"] == {"SELECT", "UPDATE"}
    assert grants["alembic_version"] == {"SELECT"}
    assert sequences > 0


def test_the_app_role_owns_nothing_and_does_not_bypass_rls(
    engine: Engine, database_url: str, app_database_url: str
) -> None:
    role = _app_role(app_database_url)
    with engine.connect() as conn:
        row = conn.execute(_OWNED, {"role": role}).one()
    assert row.owned == 0
    assert (row.rolsuper, row.rolbypassrls, row.rolcreaterole, row.rolcreatedb) == (False,) * 4
    assert row.rolcanlogin
    assert rls_bypass_reasons(app_database_url) == []
    assert rls_bypass_reasons(database_url) != []  # the owner: the policies do not hold it
    settings = Settings(env="test", database_url=app_database_url, owner_database_url=database_url)
    assert app_role_problems(settings) == []
