"""Page geometry of the maps: rectangles in PDF points and the local map projection.

Page coordinates are PDF points with the origin at the bottom left of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MM = 72.0 / 25.4
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle in page points."""

    x: float
    y: float
    width: float
    height: float

    def contains(self, px: float, py: float, pad: float = 0.0) -> bool:
        return (
            self.x + pad <= px <= self.x + self.width - pad
            and self.y + pad <= py <= self.y + self.height - pad
        )

    def meets_segment_box(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """True when the bounding box of segment a-b overlaps this rectangle."""
        return (
            max(a[0], b[0]) >= self.x
            and min(a[0], b[0]) <= self.x + self.width
            and max(a[1], b[1]) >= self.y
            and min(a[1], b[1]) <= self.y + self.height
        )

    def inset(self, pad: float) -> Rect:
        return Rect(self.x + pad, self.y + pad, self.width - 2 * pad, self.height - 2 * pad)


@dataclass(frozen=True)
class Viewport:
    """Local equirectangular projection (metres, scaled by cos(lat0)) fitted into a frame."""

    frame: Rect
    lon0: float
    lat0: float
    centre_x_m: float
    centre_y_m: float
    scale_pt_per_m: float

    def to_metres(self, lon: float, lat: float) -> tuple[float, float]:
        k = math.radians(1.0) * EARTH_RADIUS_M
        return ((lon - self.lon0) * k * math.cos(math.radians(self.lat0)), (lat - self.lat0) * k)

    def to_page(self, lon: float, lat: float) -> tuple[float, float]:
        x_m, y_m = self.to_metres(lon, lat)
        cx = self.frame.x + self.frame.width / 2
        cy = self.frame.y + self.frame.height / 2
        s = self.scale_pt_per_m
        return (cx + (x_m - self.centre_x_m) * s, cy + (y_m - self.centre_y_m) * s)

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The (lon, lat) EPSG:4326 shown at page point (x, y): the inverse of ``to_page``."""
        k = math.radians(1.0) * EARTH_RADIUS_M
        x_m = (x - self.frame.x - self.frame.width / 2) / self.scale_pt_per_m + self.centre_x_m
        y_m = (y - self.frame.y - self.frame.height / 2) / self.scale_pt_per_m + self.centre_y_m
        return (self.lon0 + x_m / (k * math.cos(math.radians(self.lat0))), self.lat0 + y_m / k)

    def page_rect_of(self, other: Viewport) -> Rect:
        """Where another viewport's frame extent falls on this viewport's page."""
        half_w = other.frame.width / 2 / other.scale_pt_per_m * self.scale_pt_per_m
        half_h = other.frame.height / 2 / other.scale_pt_per_m * self.scale_pt_per_m
        k = math.radians(1.0) * EARTH_RADIUS_M
        lon = other.lon0 + other.centre_x_m / (k * math.cos(math.radians(other.lat0)))
        lat = other.lat0 + other.centre_y_m / k
        cx, cy = self.to_page(lon, lat)
        return Rect(cx - half_w, cy - half_h, 2 * half_w, 2 * half_h)
