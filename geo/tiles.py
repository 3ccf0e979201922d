"""Base-map vector tiles (Mapbox Vector Tile) made by PostGIS with ``ST_AsMVT``.

Layers, each from data we hold for one municipality: ``roads`` (one feature per street
segment, with ``class``, ``highway`` and ``name``; below ``MERGE_ROADS_BELOW_ZOOM`` one per
street), ``boundary`` (the municipal line),
``districts`` (町丁目 polygons with ``name`` and ``town``), ``evacuation`` (指定緊急避難場所)
and ``facilities`` (depot / disposal). Geometry is simplified to about one screen pixel
and clipped to the tile plus a buffer; the rows are found with the GiST indexes through
``&&`` against the tile's lon/lat box (EPSG:4326), and only projected to EPSG:3857 for
the tiles. The SQL follows the shape tipg uses: ``ST_AsMVTGeom(ST_Transform(..., 3857),
ST_TileEnvelope(z, x, y), extent, buffer, true)`` in a sub-select fed to ``ST_AsMVT``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.tilegrid import BUFFER, EXTENT, Tile, buffer_fraction, pixel_deg, tile_bounds_lonlat

# In drawing order: districts under the roads, points on top.
BASE_LAYERS: Final = ("districts", "roads", "boundary", "evacuation", "facilities")
MAX_FEATURES: Final = 20_000  # per layer and tile: a guard, far above what a town tile holds
# The lowest zoom whose tiles carry each layer (roads: per class, see ``RoadTileSpec``).
LAYER_MIN_ZOOM: Final = {"boundary": 0, "roads": 0, "districts": 12, "evacuation": 12}
FACILITY_MIN_ZOOM: Final = 11
MERGE_ROADS_BELOW_ZOOM: Final = 14  # below it a street is one feature (see ``_roads``)

MVT_GEOM = "ST_AsMVTGeom(ST_Transform({geom}, 3857), b.e3857, {extent}, {buffer}, true)"


@dataclass(frozen=True)
class RoadTileSpec:
    """Which road classes a tile carries.

    ``highway_classes`` maps a ``highway`` base value to its class name (values not in it
    count as ``default_class``); ``classes`` are the classes shown at the tile's zoom,
    least important first.
    """

    highway_classes: Mapping[str, str]
    classes: Sequence[str]
    default_class: str = "service"


@dataclass(frozen=True)
class _Part:
    layer: str
    geom: str  # the source geometry (EPSG:4326)
    attrs: str  # the attribute columns
    source: str  # FROM ... WHERE ... after ``FROM b``; may use b.e4326 and :m
    params: dict[str, Any] = field(default_factory=dict)


def turn_jit_off(session: Session) -> None:
    """Turn PostgreSQL's JIT off for the rest of the transaction.

    ``ST_AsMVTGeom`` is declared costly, so tile queries over a few thousand rows pass
    ``jit_above_cost``: JIT compilation then took 2.9 s of a 3.4 s cluster tile over 38,000
    reports, for a query that runs in well under 0.5 s without it.
    """
    session.execute(text("SET LOCAL jit = off"))


def _mvt_geom(geom: str) -> str:
    return MVT_GEOM.format(geom=geom, extent=EXTENT, buffer=BUFFER)


_ROAD_ROWS = (
    "town_road_edge r LEFT JOIN unnest(CAST(:hw AS text[]), CAST(:hc AS text[])) "
    "AS k(highway, class) ON k.highway = regexp_replace(r.highway, '_link$', '') "
    "WHERE r.municipality_id = :m AND r.geom && b.e4326 "
    # each two-way street is stored once per direction: draw it once
    "AND (r.oneway OR r.source < r.target) "
    "AND coalesce(k.class, :default_class) = ANY(CAST(:classes AS text[]))"
)
# least important first, so main roads are drawn over side streets
_ROAD_ORDER = "ORDER BY array_position(CAST(:classes AS text[]), {cls})"


def _roads(spec: RoadTileSpec, z: int) -> _Part:
    params = {
        "hw": list(spec.highway_classes),
        "hc": list(spec.highway_classes.values()),
        "classes": list(spec.classes),
        "default_class": spec.default_class,
    }
    if z >= MERGE_ROADS_BELOW_ZOOM:
        return _Part(
            "roads",
            "ST_Simplify(r.geom, :tol)",
            'coalesce(k.class, :default_class) AS "class", r.highway, r.name',
            _ROAD_ROWS + " " + _ROAD_ORDER.format(cls="coalesce(k.class, :default_class)"),
            params,
        )
    # One feature per street (class, highway and name) instead of one per graph edge: the
    # whole-city view (z13) drew 5,885 road features, each a separate object to build and
    # stroke in the browser. No labels are drawn at these zooms, so nothing needs the edges.
    merged = (
        "LATERAL (SELECT ST_Simplify(ST_LineMerge(ST_Collect(r.geom)), :tol) AS geom, "
        'coalesce(k.class, :default_class) AS "class", r.highway, r.name '
        f"FROM {_ROAD_ROWS} GROUP BY 2, 3, 4) AS g "
    )
    return _Part(
        "roads", "g.geom", 'g."class", g.highway, g.name',
        merged + _ROAD_ORDER.format(cls='g."class"'), params,
    )  # fmt: skip


_BOUNDARY = _Part(
    "boundary",
    "ST_Boundary(ST_Simplify(t.boundary, :tol))",
    "t.name",
    "town_municipality t WHERE t.id = :m AND t.boundary && b.e4326",
)
_DISTRICTS = _Part(
    "districts",
    "ST_Simplify(t.geom, :tol)",
    "t.id, t.code, t.name, t.town",
    "town_district t WHERE t.municipality_id = :m AND t.geom && b.e4326",
)
_EVACUATION = _Part(
    "evacuation",
    "t.location",
    "t.id, t.name, array_to_string(t.hazards, ',') AS hazards",
    "town_evacuation_site t WHERE t.municipality_id = :m AND t.location && b.e4326",
)
_FACILITIES = _Part(
    "facilities",
    "t.location",
    "t.id, t.name, t.is_depot, t.is_disposal",
    "town_facility t WHERE t.municipality_id = :m AND t.location && b.e4326",
)


def _parts(layers: Sequence[str], z: int, roads: RoadTileSpec) -> list[_Part]:
    fixed = {"boundary": _BOUNDARY, "districts": _DISTRICTS, "evacuation": _EVACUATION}
    parts = []
    for layer in layers:
        if layer == "roads":
            if roads.classes:
                parts.append(_roads(roads, z))
        elif layer == "facilities":
            if z >= FACILITY_MIN_ZOOM:
                parts.append(_FACILITIES)
        elif z >= LAYER_MIN_ZOOM[layer]:
            parts.append(fixed[layer])
    return parts


def _layer_sql(part: _Part) -> str:
    rows = (
        f"SELECT {_mvt_geom(part.geom)} AS geom, {part.attrs} FROM b, {part.source} "
        f"LIMIT {MAX_FEATURES}"
    )
    # ``geom`` becomes the feature geometry; ST_AsMVT encodes the other columns as attributes
    return (
        f"(SELECT coalesce(ST_AsMVT(t, '{part.layer}', {EXTENT}, 'geom'), ''::bytea) "
        f"FROM ({rows}) AS t WHERE t.geom IS NOT NULL)"
    )


def base_tile(
    session: Session, municipality_id: int, tile: Tile, layers: Sequence[str], roads: RoadTileSpec,
    detail_z: int | None = None,
) -> bytes:  # fmt: skip
    """One MVT tile with the given base layers (those shown at its zoom), as protobuf bytes.

    Args:
        session: open session (read only).
        municipality_id: the tenant whose data fills the tile.
        tile: the tile (``tile_exists`` checked by the caller).
        layers: names from ``BASE_LAYERS``, in the order they are encoded.
        roads: the road classes carried at this zoom.
        detail_z: the zoom whose layers and simplification the tile carries: its own, or one
            more for a tile drawn 512 px wide.

    Returns:
        The tile; empty bytes when nothing of ours lies in it.
    """
    detail = tile.z if detail_z is None else detail_z
    parts = _parts(layers, detail, roads)
    if not parts:
        return b""
    west, south, east, north = tile_bounds_lonlat(tile, buffer_fraction())
    params: dict[str, Any] = {"z": tile.z, "x": tile.x, "y": tile.y, "m": municipality_id}
    params.update(w=west, s=south, e=east, n=north, tol=pixel_deg(detail) / 2)
    for part in parts:
        params.update(part.params)
    turn_jit_off(session)
    layer_sql = " || ".join(_layer_sql(p) for p in parts)
    sql = (
        "WITH b AS (SELECT ST_TileEnvelope(:z, :x, :y) AS e3857, "
        f"ST_MakeEnvelope(:w, :s, :e, :n, 4326) AS e4326) SELECT {layer_sql} AS mvt FROM b"
    )
    value = session.execute(text(sql), params).scalar()
    return bytes(value or b"")
