"""Change notifications: every commit that changes reports or staff settings says where

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 17:00:00

The web processes keep street-level map answers (report points in a tile or a view) and staff
identities in memory while they listen on ``machi_changes`` (``geo.change_feed``). PostgreSQL
delivers a ``NOTIFY`` only when its transaction commits, so a cached answer is dropped as
soon as a change that could alter it is visible to a new read.

- ``report``: one notice per statement and town, with the extent of the rows before and after
  (``{"k": "reports", "t": town, "b": [west, south, east, north]}``): a status change drops
  only the answers whose area holds that report.
- ``staff_user``, ``department``, ``category``, ``district``: ``{"k": "config"}``
  (who may see what, and the names the answers carry).
- ``TRUNCATE`` of any of them: ``{"k": "all"}``.

Statement-level triggers with transition tables: a bulk seed of a million reports sends one
notice, not a million.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "machi_changes"
CONFIG_TABLES = ("staff_user", "department", "category", "district")

# One function per event: plpgsql resolves a relation when a statement first runs, so a body
# cannot name a transition table that its trigger lacks.
CHANGED_ROWS = {
    "insert": "SELECT municipality_id, location FROM new_rows",
    "update": "SELECT municipality_id, location FROM new_rows "
    "UNION ALL SELECT municipality_id, location FROM old_rows",
    "delete": "SELECT municipality_id, location FROM old_rows",
}
TRANSITIONS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}
REPORTS_FUNCTION = """
CREATE FUNCTION machi_notify_reports_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hit record;
BEGIN
    FOR hit IN
        SELECT municipality_id AS town, ST_Extent(location) AS box FROM ({changed}) AS changed
        GROUP BY municipality_id
    LOOP
        PERFORM pg_notify('{channel}', json_build_object(
            'k', 'reports', 't', hit.town,
            'b', json_build_array(ST_XMin(hit.box), ST_YMin(hit.box),
                                  ST_XMax(hit.box), ST_YMax(hit.box)))::text);
    END LOOP;
    RETURN NULL;
END $$
"""

KIND_FUNCTION = """
CREATE FUNCTION machi_notify_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{channel}', json_build_object('k', '{kind}')::text);
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    for event, changed in CHANGED_ROWS.items():
        op.execute(REPORTS_FUNCTION.format(op=event, changed=changed, channel=CHANNEL))
        op.execute(
            f"CREATE TRIGGER report_notify_{event} AFTER {event.upper()} ON report "
            f"REFERENCING {TRANSITIONS[event]} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION machi_notify_reports_{event}()"
        )
    for kind in ("config", "all"):
        op.execute(KIND_FUNCTION.format(kind=kind, channel=CHANNEL))
    op.execute(
        "CREATE TRIGGER report_notify_truncate AFTER TRUNCATE ON report "
        "FOR EACH STATEMENT EXECUTE FUNCTION machi_notify_all()"
    )
    for table in CONFIG_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION machi_notify_config()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_notify_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION machi_notify_all()"
        )


def downgrade() -> None:
    for table in CONFIG_TABLES:
        op.execute(f"DROP TRIGGER {table}_notify ON {table}")
        op.execute(f"DROP TRIGGER {table}_notify_truncate ON {table}")
    op.execute("DROP TRIGGER report_notify_truncate ON report")
    for event in CHANGED_ROWS:
        op.execute(f"DROP TRIGGER report_notify_{event} ON report")
        op.execute(f"DROP FUNCTION machi_notify_reports_{event}()")
    op.execute("DROP FUNCTION machi_notify_config()")
    op.execute("DROP FUNCTION machi_notify_all()")
