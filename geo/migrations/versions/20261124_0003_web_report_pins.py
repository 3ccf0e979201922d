"""web fallback: report PIN hashes and failed PIN attempts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_pin",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("pin_hash", sa.Text(), nullable=False),
        sa.Column("added", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_report_pin_municipality_id_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_report_pin_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_report_pin")),
    )
    op.create_index(
        "ix_report_pin_report", "report_pin", ["municipality_id", "report_id"], unique=False
    )
    op.create_table(
        "pin_failure",
        sa.Column("receipt_no", sa.String(length=24), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column(
            "failed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_pin_failure_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_pin_failure")),
    )
    op.create_index(
        "ix_pin_failure_receipt",
        "pin_failure",
        ["municipality_id", "receipt_no", "failed_at"],
        unique=False,
    )
    op.create_index(
        "ix_pin_failure_client",
        "pin_failure",
        ["municipality_id", "client_key", "failed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_pin_failure_client", table_name="pin_failure")
    op.drop_index("ix_pin_failure_receipt", table_name="pin_failure")
    op.drop_table("pin_failure")
    op.drop_index("ix_report_pin_report", table_name="report_pin")
    op.drop_table("report_pin")
