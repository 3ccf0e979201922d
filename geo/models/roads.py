"""Road network for pgRouting: directed arcs with travel time in seconds."""

from __future__ import annotations

from geoalchemy2 import WKBElement
from sqlalchemy import BigInteger, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from geo.models.base import Base, TenantKey, town_geometry, town_gist


class RoadVertex(TenantKey, Base):
    __tablename__ = "road_vertex"
    __table_args__ = (
        UniqueConstraint("municipality_id", "osm_node_id"),
        town_gist("road_vertex", "geom"),
    )

    osm_node_id: Mapped[int] = mapped_column(BigInteger)
    geom: Mapped[WKBElement] = mapped_column(town_geometry("POINT"))


class RoadEdge(TenantKey, Base):
    """One directed arc. ``reverse_cost_s`` is -1: the opposite direction is its own row."""

    __tablename__ = "road_edge"
    __table_args__ = (
        Index("ix_road_edge_source_target", "municipality_id", "source", "target"),
        town_gist("road_edge", "geom"),
    )

    source: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[int] = mapped_column(BigInteger)
    cost_s: Mapped[float] = mapped_column(Float)
    reverse_cost_s: Mapped[float] = mapped_column(Float)
    length_m: Mapped[float] = mapped_column(Float)
    highway: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(128))
    oneway: Mapped[bool]
    osm_way_id: Mapped[int | None] = mapped_column(BigInteger)
    speed_kmh: Mapped[float] = mapped_column(Float)
    lanes: Mapped[int | None] = mapped_column(Integer)
    geom: Mapped[WKBElement] = mapped_column(town_geometry("LINESTRING"))
