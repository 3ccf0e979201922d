"""Whether row-level security holds the role a database URL connects as.

The policies of migration 0009 bind every role except superusers, roles with BYPASSRLS and
the tables' owner (or a member of the owner's role). The app must connect as none of these.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

_ROLE = text(
    "SELECT r.rolname, r.rolsuper, r.rolbypassrls, (SELECT count(*) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
    "AND c.relkind IN ('r', 'p') AND c.relrowsecurity "
    "AND pg_has_role(r.oid, c.relowner, 'USAGE')) AS owned "
    "FROM pg_roles r WHERE r.rolname = current_user"
)


def rls_bypass_reasons(database_url: str) -> list[str]:
    """Why row-level security would not hold a connection to ``database_url`` (empty: it does).

    Raises:
        sqlalchemy.exc.OperationalError: the database could not be reached.
    """
    engine = create_engine(database_url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            row = conn.execute(_ROLE).one()
    finally:
        engine.dispose()
    reasons = []
    if row.rolsuper:
        reasons.append(f"role {row.rolname} is a superuser")
    if row.rolbypassrls:
        reasons.append(f"role {row.rolname} has BYPASSRLS")
    if row.owned:
        reasons.append(f"role {row.rolname} owns (or acts as the owner of) {row.owned} tables")
    return reasons
