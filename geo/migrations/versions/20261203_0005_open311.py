"""Open311: client API keys, requests they created, category publication flags

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_columns() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
    ]


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["municipality_id"],
        ["municipality.id"],
        name=op.f(f"fk_{table}_municipality_id_municipality"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "open311_key",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        *_tenant_columns(),
        _tenant_fk("open311_key"),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_open311_key")),
        sa.UniqueConstraint(
            "municipality_id", "name", name=op.f("uq_open311_key_municipality_id_name")
        ),
        sa.UniqueConstraint(
            "municipality_id", "key_hash", name=op.f("uq_open311_key_municipality_id_key_hash")
        ),
    )
    op.create_table(
        "open311_request",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.BigInteger(), nullable=False),
        sa.Column("token", sa.Uuid(), nullable=False),
        *_tenant_columns(),
        _tenant_fk("open311_request"),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_open311_request_municipality_id_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "key_id"],
            ["open311_key.municipality_id", "open311_key.id"],
            name=op.f("fk_open311_request_municipality_id_key_id_open311_key"),
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_open311_request")),
        sa.UniqueConstraint(
            "municipality_id", "token", name=op.f("uq_open311_request_municipality_id_token")
        ),
    )
    op.create_index(
        "ix_open311_request_report", "open311_request", ["municipality_id", "report_id"]
    )
    op.add_column(
        "category", sa.Column("public", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column(
        "category",
        sa.Column("photos_public", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Bulky-waste pickups are bookings of a resident's home: never published.
    op.execute("UPDATE category SET public = false WHERE kind = 'bulky'")


def downgrade() -> None:
    op.drop_column("category", "photos_public")
    op.drop_column("category", "public")
    op.drop_index("ix_open311_request_report", table_name="open311_request")
    op.drop_table("open311_request")
    op.drop_table("open311_key")
