"""Residents, reports, photos, audit trail, outbox and LINE webhook log.

Personal data (name, phone, address) lives only in ``resident_contact``, apart from reports.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import SRID, Base, TenantKey, Timestamped, str_enum, tenant_fk

REPORT_STATUSES = ("received", "in_progress", "done", "rejected", "duplicate")
CHANNELS = ("line", "web", "phone", "open311")
OUTBOX_STATUSES = ("pending", "sent", "failed")
PHOTO_STATUSES = ("pending", "stored", "failed")


class Resident(TenantKey, Timestamped, Base):
    __tablename__ = "resident"
    __table_args__ = (
        UniqueConstraint("municipality_id", "line_user_id"),
        tenant_fk(["district_id"], "district"),
    )

    line_user_id: Mapped[str | None] = mapped_column(String(64))
    following: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    followed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unfollowed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    district_id: Mapped[int | None] = mapped_column(BigInteger)  # registered place, if any
    web_pin_hash: Mapped[str | None] = mapped_column(Text)


class ResidentContact(Base):
    """Personal data, one row per resident, never exposed by public endpoints."""

    __tablename__ = "resident_contact"
    __table_args__ = (tenant_fk(["resident_id"], "resident", ondelete="CASCADE"),)

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(128))
    name_kana: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(256))
    address: Mapped[str | None] = mapped_column(String(256))


class Report(TenantKey, Timestamped, Base):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("municipality_id", "receipt_no"),
        tenant_fk(["category_id"], "category"),
        tenant_fk(["department_id"], "department"),
        tenant_fk(["district_id"], "district"),
        tenant_fk(["resident_id"], "resident"),
        tenant_fk(["duplicate_of_id"], "report"),
        Index("ix_report_scope", "municipality_id", "department_id", "status", "created_at"),
    )

    receipt_no: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(str_enum("report_kind", "road", "disaster", "bulky", "other"))
    category_id: Mapped[int] = mapped_column(BigInteger)
    department_id: Mapped[int] = mapped_column(BigInteger)  # copied from category for scoping
    status: Mapped[str] = mapped_column(
        str_enum("report_status", *REPORT_STATUSES), server_default="received"
    )
    channel: Mapped[str] = mapped_column(str_enum("report_channel", *CHANNELS))
    description: Mapped[str | None] = mapped_column(Text)
    location: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID))
    address: Mapped[str | None] = mapped_column(String(256))
    district_id: Mapped[int | None] = mapped_column(BigInteger)
    urgent: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    resident_id: Mapped[int | None] = mapped_column(BigInteger)
    duplicate_of_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReceiptCounter(Base):
    """Per-municipality, per-prefix, per-year counter behind human receipt numbers."""

    __tablename__ = "receipt_counter"

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class Photo(TenantKey, Timestamped, Base):
    __tablename__ = "photo"
    __table_args__ = (tenant_fk(["report_id"], "report", ondelete="CASCADE"),)

    report_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(
        str_enum("photo_status", *PHOTO_STATUSES), server_default="pending"
    )
    source: Mapped[str] = mapped_column(String(16))  # line | web | staff | crew
    line_message_id: Mapped[str | None] = mapped_column(String(64))
    storage_path: Mapped[str | None] = mapped_column(String(256))
    thumb_path: Mapped[str | None] = mapped_column(String(256))
    content_type: Mapped[str | None] = mapped_column(String(64))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)
    for_resident: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class StatusHistory(TenantKey, Base):
    """Audit trail: who changed which report from what to what, when, and why."""

    __tablename__ = "status_history"
    __table_args__ = (
        tenant_fk(["report_id"], "report", ondelete="CASCADE"),
        tenant_fk(["staff_user_id"], "staff_user"),
        Index("ix_status_history_report", "municipality_id", "report_id"),
    )

    report_id: Mapped[int] = mapped_column(BigInteger)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    staff_user_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(
        String(64)
    )  # "staff:doro", "resident", "crew:crew1", "system"
    note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )


class ReportMessage(TenantKey, Timestamped, Base):
    """A follow-up thread between staff and the reporter."""

    __tablename__ = "report_message"
    __table_args__ = (
        tenant_fk(["report_id"], "report", ondelete="CASCADE"),
        tenant_fk(["staff_user_id"], "staff_user"),
    )

    report_id: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(
        str_enum("message_direction", "to_resident", "from_resident")
    )
    body: Mapped[str] = mapped_column(Text)
    staff_user_id: Mapped[int | None] = mapped_column(BigInteger)


class OutboxMessage(TenantKey, Timestamped, Base):
    """A LINE message to send, written in the same transaction as the change that causes it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("municipality_id", "retry_key"),
        UniqueConstraint("municipality_id", "dedupe_key"),
        tenant_fk(["resident_id"], "resident"),
        tenant_fk(["report_id"], "report"),
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # Per-resident order: "is an older message to this resident still pending?"
        Index(
            "ix_outbox_pending_user",
            "municipality_id",
            "to_line_user_id",
            "id",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    retry_key: Mapped[uuid.UUID] = mapped_column(Uuid, server_default=text("gen_random_uuid()"))
    dedupe_key: Mapped[str | None] = mapped_column(String(128))  # e.g. reminder:<booking>:eve
    resident_id: Mapped[int | None] = mapped_column(BigInteger)
    to_line_user_id: Mapped[str] = mapped_column(String(64))
    reply_token: Mapped[str | None] = mapped_column(String(128))
    reply_token_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    purpose: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(
        str_enum("outbox_status", *OUTBOX_STATUSES), server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Delivery bookkeeping (workflow/line/outbox.py): who holds the lease, how many reply
    # attempts have an unknown outcome, how it was delivered, and the error history.
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    reply_unsettled: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    delivered_via: Mapped[str | None] = mapped_column(String(16))
    duplicate_risk: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    first_error: Mapped[str | None] = mapped_column(Text)
    first_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error_history: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    give_up_reason: Mapped[str | None] = mapped_column(String(32))
    given_up_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    apology_queued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # 「再送」


class WebhookEvent(TenantKey, Base):
    """Every LINE webhook event as received, unique by ``webhookEventId``."""

    __tablename__ = "webhook_event"
    __table_args__ = (
        UniqueConstraint("municipality_id", "webhook_event_id"),
        Index(
            "ix_webhook_event_unprocessed",
            "municipality_id",
            "id",
            postgresql_where=text("processed_at IS NULL"),
        ),
    )

    webhook_event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    line_user_id: Mapped[str | None] = mapped_column(String(64))
    is_redelivery: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)


class DialogueState(Base):
    """The open LINE dialogue of one resident (JSON state of the pure state machine)."""

    __tablename__ = "dialogue_state"
    __table_args__ = (tenant_fk(["resident_id"], "resident", ondelete="CASCADE"),)

    municipality_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
