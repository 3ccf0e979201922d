"""Read-only queries behind public endpoints: no personal data ever leaves through these."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def town_summary(session: Session, municipality_id: int) -> dict[str, Any] | None:
    """Name, phone, disaster mode, bbox (lon/lat) and demo-data counts of a municipality."""
    row = (
        session.execute(
            text(
                "SELECT m.id, m.code, m.name, m.prefecture, m.phone, m.disaster_mode, "
                "ST_XMin(m.boundary) AS minx, ST_YMin(m.boundary) AS miny, "
                "ST_XMax(m.boundary) AS maxx, ST_YMax(m.boundary) AS maxy, "
                "(SELECT count(*) FROM district WHERE municipality_id = m.id) AS districts, "
                "(SELECT count(*) FROM evacuation_site WHERE municipality_id = m.id) AS sites, "
                "(SELECT count(*) FROM road_edge WHERE municipality_id = m.id) AS road_edges "
                "FROM municipality m WHERE m.id = :m"
            ),
            {"m": municipality_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return {
        "code": row["code"],
        "name": row["name"],
        "prefecture": row["prefecture"],
        "phone": row["phone"],
        "disaster_mode": row["disaster_mode"],
        "bbox": [row["minx"], row["miny"], row["maxx"], row["maxy"]],
        "counts": {
            "districts": row["districts"],
            "evacuation_sites": row["sites"],
            "road_edges": row["road_edges"],
        },
    }


def _collection(session: Session, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "id": r["id"],
            "geometry": json.loads(r["geometry"]),
            "properties": {k: v for k, v in r.items() if k not in {"id", "geometry"}},
        }
        for r in session.execute(text(sql), params).mappings()
    ]
    return {"type": "FeatureCollection", "features": features}


def districts_geojson(session: Session, municipality_id: int) -> dict[str, Any]:
    """Districts as a GeoJSON FeatureCollection (6-decimal lon/lat)."""
    return _collection(
        session,
        "SELECT id, code, name, town, approximate, ST_AsGeoJSON(geom, 6) AS geometry "
        "FROM district WHERE municipality_id = :m ORDER BY code",
        {"m": municipality_id},
    )


def evacuation_sites_geojson(session: Session, municipality_id: int) -> dict[str, Any]:
    """Designated emergency evacuation sites as a GeoJSON FeatureCollection."""
    return _collection(
        session,
        "SELECT id, code, name, address, hazards, ST_AsGeoJSON(location, 6) AS geometry "
        "FROM evacuation_site WHERE municipality_id = :m ORDER BY code",
        {"m": municipality_id},
    )
