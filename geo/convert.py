"""Shapely <-> PostGIS conversion in one place, always with an explicit SRID."""

from __future__ import annotations

from collections.abc import Sequence

from geoalchemy2 import WKBElement
from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry

from geo.models.base import SRID


def to_ewkt(geom: BaseGeometry, srid: int = SRID) -> str:
    """EWKT text (``SRID=4326;POINT(lon lat)``) for inserts and query parameters."""
    return f"SRID={srid};{geom.wkt}"


def point_ewkt(lon: float, lat: float, srid: int = SRID) -> str:
    """EWKT of a lon/lat point (EPSG:4326 unless ``srid`` says otherwise)."""
    return f"SRID={srid};POINT({lon!r} {lat!r})"


def line_ewkt(coords: Sequence[tuple[float, float]], srid: int = SRID) -> str:
    """EWKT of a linestring from (lon, lat) pairs."""
    body = ", ".join(f"{x!r} {y!r}" for x, y in coords)
    return f"SRID={srid};LINESTRING({body})"


def from_db(element: WKBElement) -> BaseGeometry:
    """A Shapely geometry from a GeoAlchemy2 column value (SRID dropped, it is always 4326)."""
    return to_shape(element)
