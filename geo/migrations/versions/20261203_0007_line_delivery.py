"""LINE delivery: outbox leases, reply uncertainty, error history; the channel's health

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)
_COLUMNS = (
    sa.Column("lease_owner", sa.String(length=64), nullable=True),
    sa.Column("reply_unsettled", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
    sa.Column("delivered_via", sa.String(length=16), nullable=True),
    sa.Column("duplicate_risk", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    sa.Column("first_error", sa.Text(), nullable=True),
    sa.Column("first_error_at", _TS, nullable=True),
    sa.Column("last_error_at", _TS, nullable=True),
    sa.Column(
        "error_history",
        postgresql.JSONB(astext_type=sa.Text()),
        server_default=sa.text("'[]'::jsonb"),
        nullable=False,
    ),
    sa.Column("give_up_reason", sa.String(length=32), nullable=True),
    sa.Column("given_up_at", _TS, nullable=True),
    sa.Column("apology_queued_at", _TS, nullable=True),
    sa.Column("resent_at", _TS, nullable=True),
)


def upgrade() -> None:
    for column in _COLUMNS:
        op.add_column("outbox_message", column)
    op.create_index(
        "ix_outbox_pending_user",
        "outbox_message",
        ["municipality_id", "to_line_user_id", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "line_channel",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("paused_until", _TS, nullable=True),
        sa.Column("pause_reason", sa.String(length=32), nullable=True),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("fault_since", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", _TS, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_line_channel_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", name=op.f("pk_line_channel")),
    )


def downgrade() -> None:
    op.drop_table("line_channel")
    op.drop_index(
        "ix_outbox_pending_user",
        table_name="outbox_message",
        postgresql_where=sa.text("status = 'pending'"),
    )
    for column in reversed(_COLUMNS):
        op.drop_column("outbox_message", column.name)
