"""Open311 GeoReport v2: the clients' API keys (hashed) and the requests they created.

A key is shown once when issued; only its SHA-256 is kept (keys are 256 random bits, so a
slow hash adds nothing). ``open311_request`` links a report to the key that posted it and
holds the token that ``tokens/{token}`` resolves.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, DateTime, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, TenantKey, Timestamped, tenant_fk


class Open311Key(TenantKey, Timestamped, Base):
    __tablename__ = "open311_key"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name"),
        UniqueConstraint("municipality_id", "key_hash"),
    )

    name: Mapped[str] = mapped_column(String(64))
    key_prefix: Mapped[str] = mapped_column(String(12))  # shown in listings, identifies a key
    key_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the whole key
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Open311Request(TenantKey, Timestamped, Base):
    __tablename__ = "open311_request"
    __table_args__ = (
        UniqueConstraint("municipality_id", "token"),
        tenant_fk(["report_id"], "report", ondelete="CASCADE"),
        tenant_fk(["key_id"], "open311_key"),
        Index("ix_open311_request_report", "municipality_id", "report_id"),
    )

    report_id: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[int] = mapped_column(BigInteger)
    token: Mapped[uuid.UUID] = mapped_column(Uuid)
