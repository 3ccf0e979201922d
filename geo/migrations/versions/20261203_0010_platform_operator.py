"""Platform operators: a login that sees every town's health, and no town's residents

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00

The table has no ``municipality_id`` (an operator belongs to no town), so row-level security
does not apply to it; the app role reads and writes it through the default privileges that
0009 grants on every table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "platform_operator",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.text("now()"), nullable=False),
        sa.Column("disabled_at", _TS, nullable=True),
        sa.Column("failed_logins", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_operator")),
        sa.UniqueConstraint("username", name=op.f("uq_platform_operator_username")),
    )


def downgrade() -> None:
    op.drop_table("platform_operator")
