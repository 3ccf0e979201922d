"""The web-map tile grid (Web Mercator, EPSG:3857, XYZ numbering with y down). Pure.

Values in, values out: which tiles exist, where a tile lies in lon/lat (EPSG:4326), and how
many degrees one screen pixel spans, used as the simplification tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

MAX_ZOOM: Final = 20  # street level and a little closer; deeper tiles are not served
TILE_PX: Final = 256  # screen pixels per tile side in Leaflet
EXTENT: Final = 4096  # MVT coordinate units per tile side
BUFFER: Final = 64  # MVT units drawn past the tile edge, so lines and symbols join up


@dataclass(frozen=True)
class Tile:
    """One XYZ tile: zoom ``z``, column ``x`` (west to east), row ``y`` (north to south)."""

    z: int
    x: int
    y: int


def tile_exists(z: int, x: int, y: int, max_zoom: int = MAX_ZOOM) -> bool:
    """True when z/x/y names a tile of the grid up to ``max_zoom``."""
    if not 0 <= z <= max_zoom:
        return False
    side = 1 << z
    return 0 <= x < side and 0 <= y < side


def _lon(x: float, z: int) -> float:
    return x / (1 << z) * 360.0 - 180.0


def _lat(y: float, z: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / (1 << z)))))


def tile_bounds_lonlat(tile: Tile, margin: float = 0.0) -> tuple[float, float, float, float]:
    """The tile's (west, south, east, north) in EPSG:4326 degrees.

    Args:
        tile: the tile.
        margin: grow the box by this fraction of the tile's side on every edge (0.0625 is
            the MVT buffer), clamped to the grid.
    """
    z = tile.z
    x0, x1 = tile.x - margin, tile.x + 1 + margin
    y0, y1 = tile.y - margin, tile.y + 1 + margin
    side = float(1 << z)
    x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, side), min(y1, side)
    return _lon(x0, z), _lat(y1, z), _lon(x1, z), _lat(y0, z)


def buffer_fraction() -> float:
    """The MVT buffer as a fraction of the tile side."""
    return BUFFER / EXTENT


def pixel_deg(z: int) -> float:
    """Degrees of longitude one screen pixel spans at zoom ``z`` (a simplification tolerance)."""
    return 360.0 / (TILE_PX * (1 << z))


def tile_at(lon: float, lat: float, z: int) -> Tile:
    """The tile at zoom ``z`` holding the point (lon, lat) in EPSG:4326."""
    side = 1 << z
    x = int((lon + 180.0) / 360.0 * side)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * side)
    return Tile(z, min(max(x, 0), side - 1), min(max(y, 0), side - 1))
