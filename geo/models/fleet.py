"""Depots and disposal facilities, vehicles, route plans, routes and stops."""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
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

PLAN_STATUSES = ("draft", "locked")
STOP_OUTCOMES = ("collected", "not_out", "other")


class Facility(TenantKey, Base):
    """清掃センター: a depot, a disposal facility, or both."""

    __tablename__ = "facility"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code"),
        town_gist("facility", "location"),
    )

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str | None] = mapped_column(String(256))
    is_depot: Mapped[bool] = mapped_column(Boolean)
    is_disposal: Mapped[bool] = mapped_column(Boolean)
    location: Mapped[WKBElement] = mapped_column(town_geometry("POINT"))
    unload_service_s: Mapped[int] = mapped_column(Integer, server_default=text("900"))


class Vehicle(TenantKey, Base):
    __tablename__ = "vehicle"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code"),
        tenant_fk(["depot_id"], "facility"),
    )

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64))
    capacity_points: Mapped[int] = mapped_column(SmallInteger)
    shift_start: Mapped[dt.time] = mapped_column(Time)
    shift_end: Mapped[dt.time] = mapped_column(Time)
    depot_id: Mapped[int] = mapped_column(BigInteger)
    crew_names: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class RoutePlan(TenantKey, Timestamped, Base):
    __tablename__ = "route_plan"
    __table_args__ = (UniqueConstraint("municipality_id", "service_date"),)

    service_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        str_enum("plan_status", *PLAN_STATUSES), server_default="draft"
    )
    matrix_source: Mapped[str] = mapped_column(String(16))  # pgrouting | haversine
    stats: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class Route(TenantKey, Base):
    __tablename__ = "route"
    __table_args__ = (
        tenant_fk(["plan_id"], "route_plan", ondelete="CASCADE"),
        tenant_fk(["vehicle_id"], "vehicle"),
        town_gist("route", "geom"),
    )

    plan_id: Mapped[int] = mapped_column(BigInteger)
    vehicle_id: Mapped[int] = mapped_column(BigInteger)
    distance_m: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    start_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    geom: Mapped[WKBElement | None] = mapped_column(town_geometry("LINESTRING"))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RouteStop(TenantKey, Base):
    __tablename__ = "route_stop"
    __table_args__ = (
        UniqueConstraint("municipality_id", "route_id", "seq"),
        tenant_fk(["route_id"], "route", ondelete="CASCADE"),
        tenant_fk(["booking_id"], "booking"),
        town_gist("route_stop", "leg_geom"),
    )

    route_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(str_enum("stop_kind", "pickup", "unload", "depot"))
    booking_id: Mapped[int | None] = mapped_column(BigInteger)
    eta: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    leg_distance_m: Mapped[int] = mapped_column(Integer)
    leg_duration_s: Mapped[int] = mapped_column(Integer)
    leg_geom: Mapped[WKBElement | None] = mapped_column(town_geometry("LINESTRING"))
    outcome: Mapped[str | None] = mapped_column(str_enum("stop_outcome", *STOP_OUTCOMES))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
