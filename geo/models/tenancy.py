"""Municipality (the town registry), its LINE channel, departments, staff, categories, areas."""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import SRID, Base, TenantKey, Timestamped, str_enum, tenant_fk

ROLES = ("admin", "staff", "crew")
CATEGORY_KINDS = ("road", "disaster", "bulky", "other")


class Municipality(Timestamped, Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(6), unique=True)  # 全国地方公共団体コード
    name: Mapped[str] = mapped_column(String(64))
    prefecture: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    boundary: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    disaster_mode: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    disaster_mode_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(32), server_default="Asia/Tokyo")
    # The registry (workflow/towns): readable by every town, so nothing secret here.
    host: Mapped[str | None] = mapped_column(Text, unique=True)  # e.g. tachikawa.localhost
    public_base_url: Mapped[str | None] = mapped_column(Text)
    basemap: Mapped[str] = mapped_column(Text, server_default="own")  # own, gsi or an XYZ URL
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    line_channel_id: Mapped[str | None] = mapped_column(Text)  # public; the secrets are below


class LineChannel(Base):
    """A town's LINE channel: its credentials and its health as every sender sees it.

    The secret and token are encrypted (workflow/towns/secrets.py); health is paused (429,
    outage) or refused (401).
    """

    __tablename__ = "line_channel"

    municipality_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True
    )
    paused_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    pause_reason: Mapped[str | None] = mapped_column(String(32))
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    fault_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    channel_id: Mapped[str | None] = mapped_column(Text)
    # AES-256-GCM: version, key id, nonce, ciphertext and tag, bound to (town, field).
    secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    access_token_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class Department(TenantKey, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))


class StaffUser(TenantKey, Timestamped, Base):
    __tablename__ = "staff_user"
    __table_args__ = (
        UniqueConstraint("municipality_id", "username"),
        tenant_fk(["department_id"], "department"),
    )

    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(str_enum("staff_role", *ROLES))
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    failed_logins: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Category(TenantKey, Base):
    __tablename__ = "category"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code"),
        tenant_fk(["department_id"], "department"),
    )

    department_id: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(str_enum("category_kind", *CATEGORY_KINDS))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    target_hours: Mapped[int | None] = mapped_column(Integer)  # overdue after this
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    # Open311 and the public map: reports of this category are published (without personal
    # data); their photos only when ``photos_public`` (a municipality opts in per category).
    public: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    photos_public: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class District(TenantKey, Base):
    """町丁目. ``approximate`` marks polygons built from points, not surveyed boundaries."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    town: Mapped[str] = mapped_column(String(64))
    geom: Mapped[WKBElement] = mapped_column(Geometry("MULTIPOLYGON", srid=SRID))
    label_point: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID))
    approximate: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))


class EvacuationSite(TenantKey, Base):
    """指定緊急避難場所 with the hazards it is designated for."""

    __tablename__ = "evacuation_site"
    __table_args__ = (UniqueConstraint("municipality_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))  # GSI 共通ID
    name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(256))
    hazards: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    location: Mapped[WKBElement] = mapped_column(Geometry("POINT", srid=SRID))
    capacity_persons: Mapped[float | None] = mapped_column(Float)
