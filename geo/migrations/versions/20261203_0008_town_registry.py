"""Town registry: host, public URL, basemap, active, LINE credentials (encrypted)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

``line_channel`` exists since 0007 (the channel's health, one row per town): it gains the
channel id and the encrypted secret and access token, so everything about a town's channel
that is not for every town to read stays in the one row that row-level security guards.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MUNICIPALITY_COLUMNS = (
    sa.Column("host", sa.Text(), nullable=True),
    sa.Column("public_base_url", sa.Text(), nullable=True),
    sa.Column("basemap", sa.Text(), server_default="own", nullable=False),
    sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    sa.Column("line_channel_id", sa.Text(), nullable=True),
)
_LINE_CHANNEL_COLUMNS = (
    sa.Column("channel_id", sa.Text(), nullable=True),
    sa.Column("secret_enc", sa.LargeBinary(), nullable=True),
    sa.Column("access_token_enc", sa.LargeBinary(), nullable=True),
)


def upgrade() -> None:
    for column in _MUNICIPALITY_COLUMNS:
        op.add_column("municipality", column)
    op.create_unique_constraint(op.f("uq_municipality_host"), "municipality", ["host"])
    for column in _LINE_CHANNEL_COLUMNS:
        op.add_column("line_channel", column)


def downgrade() -> None:
    for column in reversed(_LINE_CHANNEL_COLUMNS):
        op.drop_column("line_channel", column.name)
    op.drop_constraint(op.f("uq_municipality_host"), "municipality", type_="unique")
    for column in reversed(_MUNICIPALITY_COLUMNS):
        op.drop_column("municipality", column.name)
