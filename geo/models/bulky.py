"""Bulky-waste (粗大ごみ) catalogue, collection zones and calendar, bookings."""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import (
    Base,
    TenantKey,
    Timestamped,
    str_enum,
    tenant_fk,
    town_geometry,
    town_gist,
)

PAYMENT_STATUSES = ("unpaid", "ticket", "paid_online")
BOOKING_STATUSES = ("booked", "cancelled", "collected", "not_out")


class BulkyItem(TenantKey, Base):
    """One catalogue row. Refused items carry the reason and where to take them instead."""

    __tablename__ = "bulky_item"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name"),
        # pg_trgm (migration 0002): substring and near-miss search on the normalised key.
        Index(
            "ix_bulky_item_search_key_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ),
    )

    name: Mapped[str] = mapped_column(String(128))
    kana: Mapped[str | None] = mapped_column(String(128))
    synonyms: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    search_key: Mapped[str] = mapped_column(Text)  # normalised name + kana + synonyms
    fee_yen: Mapped[int | None] = mapped_column(Integer)
    fee_points: Mapped[int | None] = mapped_column(SmallInteger)  # Tachikawa: 1 point = 100円
    size_points: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    accepted: Mapped[bool] = mapped_column(Boolean)
    sorting_class: Mapped[str] = mapped_column(String(64))  # 分別区分 as published
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    alternative: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # official | supplement


class CollectionZone(TenantKey, Base):
    __tablename__ = "collection_zone"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code"),
        town_gist("collection_zone", "geom"),
    )

    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))  # 0 = Monday
    daily_capacity: Mapped[int] = mapped_column(SmallInteger)
    geom: Mapped[WKBElement] = mapped_column(town_geometry("MULTIPOLYGON"))


class CollectionDay(Base):
    """One zone-day of the calendar. The CHECK constraint is what makes overselling impossible."""

    __tablename__ = "collection_day"
    __table_args__ = (
        tenant_fk(["zone_id"], "collection_zone", ondelete="CASCADE"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="within_capacity"),
    )

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    service_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    capacity: Mapped[int] = mapped_column(SmallInteger)
    booked: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    closed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    closed_reason: Mapped[str | None] = mapped_column(String(64))


class Booking(TenantKey, Timestamped, Base):
    """A bulky-waste pickup; it is also a report of kind ``bulky`` (shown on the staff map)."""

    __tablename__ = "booking"
    __table_args__ = (
        UniqueConstraint("municipality_id", "report_id"),
        tenant_fk(["report_id"], "report", ondelete="CASCADE"),
        tenant_fk(["zone_id"], "collection_zone"),
        tenant_fk(["resident_id"], "resident"),
    )

    report_id: Mapped[int] = mapped_column(BigInteger)
    zone_id: Mapped[int] = mapped_column(BigInteger)
    service_date: Mapped[dt.date] = mapped_column(Date)
    resident_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(
        str_enum("booking_status", *BOOKING_STATUSES), server_default="booked"
    )
    payment_status: Mapped[str] = mapped_column(
        str_enum("payment_status", *PAYMENT_STATUSES), server_default="unpaid"
    )
    fee_total_yen: Mapped[int] = mapped_column(Integer)
    size_points_total: Mapped[int] = mapped_column(SmallInteger)
    resident_note: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class BookingItem(TenantKey, Base):
    __tablename__ = "booking_item"
    __table_args__ = (
        tenant_fk(["booking_id"], "booking", ondelete="CASCADE"),
        tenant_fk(["item_id"], "bulky_item"),
        CheckConstraint("quantity BETWEEN 1 AND 10", name="quantity_range"),
    )

    booking_id: Mapped[int] = mapped_column(BigInteger)
    item_id: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(SmallInteger)
    fee_yen: Mapped[int] = mapped_column(Integer)  # per unit, as charged at booking time
    size_points: Mapped[int] = mapped_column(SmallInteger)


class BookingContact(Base):
    """Personal data of one booking: who booked, how to reach them, exactly where to collect.

    One row per booking (a resident's second booking keeps its own name and phone), apart
    from the report and the booking rows, never exposed by public endpoints.
    ``put_out`` is one of ``PUT_OUT_PLACES``; ``address_line`` is 番地・建物名・部屋番号.
    """

    __tablename__ = "booking_contact"
    __table_args__ = (
        tenant_fk(["booking_id"], "booking", ondelete="CASCADE"),
        CheckConstraint(
            "put_out IS NULL OR put_out IN ('entrance', 'roadside', 'collection_point', 'other')",
            name="put_out_place",
        ),
    )

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    address_line: Mapped[str | None] = mapped_column(String(120))
    put_out: Mapped[str | None] = mapped_column(String(24))
    put_out_note: Mapped[str | None] = mapped_column(String(100))
