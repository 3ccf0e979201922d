"""Disaster HQ audit log: who switched disaster mode on or off, and every segment push sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, TenantKey, str_enum, tenant_fk

DISASTER_ACTIONS = ("mode_on", "mode_off", "segment_push")


class DisasterLog(TenantKey, Base):
    """One HQ action. Segment pushes keep the districts, the text and how many got it."""

    __tablename__ = "disaster_log"
    __table_args__ = (
        UniqueConstraint("municipality_id", "request_key"),
        tenant_fk(["staff_user_id"], "staff_user"),
        Index("ix_disaster_log_recent", "municipality_id", "created_at"),
    )

    action: Mapped[str] = mapped_column(str_enum("disaster_action", *DISASTER_ACTIONS))
    staff_user_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))  # "staff:bousai"
    district_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))
    message: Mapped[str | None] = mapped_column(Text)
    previewed_recipients: Mapped[int | None] = mapped_column(Integer)
    recipients: Mapped[int | None] = mapped_column(Integer)
    request_key: Mapped[str | None] = mapped_column(String(64))  # one send per confirmation
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
