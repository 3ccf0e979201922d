"""A municipality's boundary change is a config notice, so pages' cached outlines follow it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 11:40:00

The staff pages keep each town's outline and filter choices in a fresh cache (they were read
and simplified again for every page, about a third of the staff map's server time). Choices
follow ``category`` and ``district``, which already send ``{"k": "config"}``; the outline
comes from ``municipality.boundary``, which sent nothing. Inserting or deleting a town, or
setting its boundary, now sends ``config``. Other columns (``disaster_mode``, toggled in a
disaster) stay silent: a config notice empties every process's map caches.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE TRIGGER municipality_notify AFTER INSERT OR DELETE OR UPDATE OF boundary "
        "ON municipality FOR EACH STATEMENT EXECUTE FUNCTION machi_notify_config()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER municipality_notify ON municipality")
