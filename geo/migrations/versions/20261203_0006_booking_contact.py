"""Booking contact: name, phone, address line and put-out place per booking

A resident's contact lived in one row per resident, so a second booking overwrote the first
one's name and phone. Each booking now keeps its own, with where exactly to collect: the
address line (番地・建物名・部屋番号) and the put-out place (排出場所) with a short note.
Existing bookings get a row copied from their resident's contact.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_contact",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address_line", sa.String(length=120), nullable=True),
        sa.Column("put_out", sa.String(length=24), nullable=True),
        sa.Column("put_out_note", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "put_out IS NULL OR put_out IN ('entrance', 'roadside', 'collection_point', 'other')",
            name=op.f("ck_booking_contact_put_out_place"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "booking_id"],
            ["booking.municipality_id", "booking.id"],
            name=op.f("fk_booking_contact_municipality_id_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "booking_id", name=op.f("pk_booking_contact")),
    )
    op.execute(
        "INSERT INTO booking_contact (municipality_id, booking_id, name, phone) "
        "SELECT b.municipality_id, b.id, rc.name, rc.phone FROM booking b "
        "JOIN resident_contact rc ON rc.municipality_id = b.municipality_id "
        "AND rc.resident_id = b.resident_id"
    )


def downgrade() -> None:
    op.drop_table("booking_contact")
