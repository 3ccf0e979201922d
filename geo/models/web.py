"""The web fallback's keys to a report: PIN hashes, and failed PIN attempts for rate limiting.

A resident without LINE gets a receipt number and a PIN; only the PIN's argon2 hash is kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, TenantKey, Timestamped, tenant_fk


class ReportPin(TenantKey, Timestamped, Base):
    """One web resident's PIN for one report (theirs, or one they added to: ``added``)."""

    __tablename__ = "report_pin"
    __table_args__ = (
        tenant_fk(["report_id"], "report", ondelete="CASCADE"),
        Index("ix_report_pin_report", "municipality_id", "report_id"),
    )

    report_id: Mapped[int] = mapped_column(BigInteger)
    pin_hash: Mapped[str] = mapped_column(Text)
    added: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class PinFailure(TenantKey, Base):
    """A wrong receipt number / PIN pair, counted per receipt and per client to slow guessing."""

    __tablename__ = "pin_failure"
    __table_args__ = (
        Index("ix_pin_failure_receipt", "municipality_id", "receipt_no", "failed_at"),
        Index("ix_pin_failure_client", "municipality_id", "client_key", "failed_at"),
    )

    receipt_no: Mapped[str] = mapped_column(String(24))
    client_key: Mapped[str] = mapped_column(String(64))  # keyed hash of the client address
    failed_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
