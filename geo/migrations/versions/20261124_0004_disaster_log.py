"""disaster HQ audit log (mode switches, segment pushes)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disaster_log",
        sa.Column(
            "action",
            sa.Enum(
                "mode_on",
                "mode_off",
                "segment_push",
                name="disaster_action",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("staff_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("district_ids", postgresql.ARRAY(sa.BigInteger()), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("previewed_recipients", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "staff_user_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_disaster_log_municipality_id_staff_user_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_disaster_log_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_disaster_log")),
        sa.UniqueConstraint(
            "municipality_id",
            "request_key",
            name=op.f("uq_disaster_log_municipality_id_request_key"),
        ),
    )
    op.create_index(
        "ix_disaster_log_recent", "disaster_log", ["municipality_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_disaster_log_recent", table_name="disaster_log")
    op.drop_table("disaster_log")
