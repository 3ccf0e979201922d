"""Point-in-area lookups in PostGIS (GiST-indexed): municipality, district, collection zone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

_POINT = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)"


@dataclass(frozen=True)
class AreaRef:
    id: int
    name: str


def is_inside_municipality(session: Session, municipality_id: int, lon: float, lat: float) -> bool:
    """True when the lon/lat point (EPSG:4326) lies in the municipality boundary."""
    sql = f"SELECT ST_Covers(boundary, {_POINT}) FROM municipality WHERE id = :m"
    return bool(session.execute(text(sql), {"m": municipality_id, "lon": lon, "lat": lat}).scalar())


def find_district(session: Session, municipality_id: int, lon: float, lat: float) -> AreaRef | None:
    """The district (町丁目) containing the lon/lat point, or None outside every district."""
    sql = (
        f"SELECT id, name FROM district WHERE municipality_id = :m AND ST_Covers(geom, {_POINT}) "
        "ORDER BY id LIMIT 1"
    )
    row = session.execute(text(sql), {"m": municipality_id, "lon": lon, "lat": lat}).first()
    return AreaRef(int(row.id), str(row.name)) if row else None


def find_zone(session: Session, municipality_id: int, lon: float, lat: float) -> AreaRef | None:
    """The bulky-waste collection zone containing the lon/lat point, or None."""
    sql = (
        "SELECT id, name FROM collection_zone WHERE municipality_id = :m "
        f"AND ST_Covers(geom, {_POINT}) ORDER BY id LIMIT 1"
    )
    row = session.execute(text(sql), {"m": municipality_id, "lon": lon, "lat": lat}).first()
    return AreaRef(int(row.id), str(row.name)) if row else None
