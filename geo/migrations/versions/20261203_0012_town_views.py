"""Town views: map and tile reads find a viewport through the spatial index under RLS

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 19:00:00

Row-level security (0009) evaluates a query's own conditions only after the policy's, unless
their functions are LEAKPROOF; PostGIS's ``&&`` is not (only a superuser could mark it), so
for the app role a bbox could never be an index condition: every staff map view, report
tile, base tile and nearby-report check read all of the town's rows. With 1,000,000
reports a street view's count took 300 ms (a parallel sequential scan) instead of 4 ms.

Each ``town_<table>`` view shows the rows of the current request's town (``machi.town``,
the same setting the policies read): nothing when no town is set, except to the owner
(migrations, CLI, tests), who is not subject to the policies either. The views belong to
the owner, so reading through them does not apply the policies again, and the planner,
seeing no policy, uses ``&&`` in the GiST index on ``(municipality_id, geom)``. The isolation
is the views' own ``WHERE``; the app role may only SELECT from them (the default privileges
of 0009 would have let it write through them, around the policies).

The views list the columns their table had at this revision (``SELECT *`` is expanded when a
view is created): a migration that adds a column a map query needs recreates the view
(tests/db/test_town_views.py compares the columns).
"""

import re
from collections.abc import Sequence

from alembic import context, op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, its town column)
TABLES = (
    ("report", "municipality_id"),
    ("category", "municipality_id"),
    ("district", "municipality_id"),
    ("road_edge", "municipality_id"),
    ("evacuation_site", "municipality_id"),
    ("facility", "municipality_id"),
    ("municipality", "id"),
)
_TOWN = "NULLIF(current_setting('machi.town', true), '')"


def _app_role() -> str:
    """The role granted by 0009 (``-x app_role=NAME`` or ``machi.app_role``), checked there."""
    name = str(context.config.attributes.get("machi.app_role") or "machi_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"app role {name!r}: use lower-case letters, digits and _")
    return name


def upgrade() -> None:
    owner = str(op.get_bind().exec_driver_sql("SELECT current_user").scalar_one())
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", owner):
        raise ValueError(f"owner role {owner!r}: use letters, digits and _")
    role = _app_role()
    for table, column in TABLES:
        op.execute(
            f'CREATE VIEW "town_{table}" AS SELECT * FROM "{table}" '
            f"WHERE {column} = CAST({_TOWN} AS integer) "
            f"OR ({_TOWN} IS NULL AND pg_has_role('{owner}', 'MEMBER'))"
        )
        # 0009's default privileges grant DML on every new relation: a write through a view
        # would pass by the policies, so the app role only reads them
        op.execute(f'REVOKE ALL ON "town_{table}" FROM "{role}"')
        op.execute(f'GRANT SELECT ON "town_{table}" TO "{role}"')
        op.execute(
            f'COMMENT ON VIEW "town_{table}" IS \'The {table} rows of the town in machi.town '
            "(revision 0012: spatial indexes usable under row-level security)'"
        )


def downgrade() -> None:
    for table, _column in TABLES:
        op.execute(f'DROP VIEW IF EXISTS "town_{table}"')
