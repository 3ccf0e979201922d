"""pg_trgm for the bulky-item search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_bulky_item_search_key_trgm",
        "bulky_item",
        ["search_key"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_key": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_bulky_item_search_key_trgm", table_name="bulky_item")
    # The extension stays: other objects may have come to use it.
