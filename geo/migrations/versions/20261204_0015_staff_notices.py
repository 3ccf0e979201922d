"""Staff account changes get their own notice kind, so they leave map answers alone

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 21:30:00

Migration 0014 sent ``{"k": "config"}`` for every change to ``staff_user``, and every web
process dropped all its cached map answers (street tiles, street views, grid blocks) on a
config notice. Those answers do not depend on staff rows (they are keyed by town and
department), yet every mistyped password (the failure count is written) and every account
edit emptied them in every process. ``staff_user`` now sends ``{"k": "staff"}``, which only
the cache of signed-in identities follows; departments, categories and districts still send
``config``.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "machi_changes"


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION machi_notify_staff() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', json_build_object('k', 'staff')::text); "
        "RETURN NULL; END $$"
    )
    op.execute("DROP TRIGGER staff_user_notify ON staff_user")
    op.execute(
        "CREATE TRIGGER staff_user_notify AFTER INSERT OR UPDATE OR DELETE ON staff_user "
        "FOR EACH STATEMENT EXECUTE FUNCTION machi_notify_staff()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER staff_user_notify ON staff_user")
    op.execute(
        "CREATE TRIGGER staff_user_notify AFTER INSERT OR UPDATE OR DELETE ON staff_user "
        "FOR EACH STATEMENT EXECUTE FUNCTION machi_notify_config()"
    )
    op.execute("DROP FUNCTION machi_notify_staff()")
