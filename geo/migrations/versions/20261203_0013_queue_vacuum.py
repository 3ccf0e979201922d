"""Queue tables are vacuumed by how much they churned, not by their size

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 20:00:00

``webhook_event``, ``outbox_message`` and ``dialogue_state`` are queues: every event and
message is written, then updated once or twice, so they leave dead rows at the rate of the
traffic (33 events/s in a disaster spike). By default autovacuum waits for 20 % of a table to
be dead; the partial index that event claims walk (``ix_webhook_event_unprocessed``) then
fills with dead entries, each claim steps over thousands of them, and the workers fall behind
until the vacuum comes (the spike bench saw reply lag jump to 10 s in its 7th minute). Here
a vacuum is due after 1,000 dead rows whatever the table's size, and is not throttled.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUES = ("webhook_event", "outbox_message", "dialogue_state")
SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, "
    "autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000, "
    "autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0"
)


def upgrade() -> None:
    for table in QUEUES:
        op.execute(f'ALTER TABLE "{table}" SET ({SETTINGS})')


def downgrade() -> None:
    names = ", ".join(part.split("=")[0].strip() for part in SETTINGS.split(","))
    for table in QUEUES:
        op.execute(f'ALTER TABLE "{table}" RESET ({names})')
