"""The public, anonymous view of the town: summary, districts, evacuation sites.

Nothing here carries personal data; the answers are GeoJSON-ready dicts (EPSG:4326).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geo.public_queries import districts_geojson, evacuation_sites_geojson, town_summary


def load_town_summary(session: Session, municipality_id: int) -> dict[str, Any] | None:
    """Name, phone, disaster mode, bbox (lon/lat) and counts; None when the town is not loaded."""
    return town_summary(session, municipality_id)


def load_districts(session: Session, municipality_id: int) -> dict[str, Any]:
    """Districts (chome) as a GeoJSON FeatureCollection."""
    return districts_geojson(session, municipality_id)


def load_evacuation_sites(session: Session, municipality_id: int) -> dict[str, Any]:
    """Designated emergency evacuation sites as a GeoJSON FeatureCollection."""
    return evacuation_sites_geojson(session, municipality_id)
