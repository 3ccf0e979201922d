"""Pure area builders: approximate 町丁目 polygons from representative points (lon/lat)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class AreaCell:
    name: str
    point: Point
    polygon: MultiPolygon


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Return ``geom`` as a MultiPolygon, dropping lines and points left by clipping."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polygons = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    return MultiPolygon(polygons)


def build_voronoi_cells(
    names: Sequence[str], points: Sequence[Point], boundary: BaseGeometry
) -> list[AreaCell]:
    """Voronoi cells of the points, clipped to the boundary (all in EPSG:4326 lon/lat).

    The result is an approximation of district boundaries: every location in the boundary
    falls in exactly one cell, the one of the nearest representative point.

    Args:
        names: one name per point.
        points: representative points (lon, lat).
        boundary: the municipality polygon.
    """
    regions = shapely.voronoi_polygons(MultiPoint(list(points)), extend_to=boundary.envelope)
    cells: list[AreaCell] = []
    for name, point in zip(names, points, strict=True):
        region = next(r for r in regions.geoms if r.covers(point))
        clipped = shapely.make_valid(region.intersection(boundary))
        cells.append(AreaCell(name=name, point=point, polygon=as_multipolygon(clipped)))
    return cells
