"""The staff reports layer as vector tiles: report points, or counts per cell by status.

Same filter as the bbox API (``geo.report_queries.where_clause``): municipality, department
scope and every staff filter; the caller sets ``f.bbox`` to the tile's lon/lat box, so rows
are found through the GiST index on ``report.location``. No personal data is encoded.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.report_cells import CellCounts
from geo.report_queries import (
    CELL_SUMS_SQL,
    FROM_SQL,
    OVERDUE_SQL,
    BBox,
    ReportFilter,
    where_clause,
)
from geo.tilegrid import BUFFER, EXTENT, Tile
from geo.tiles import turn_jit_off

LAYER: Final = "reports"
CELLS_PER_TILE: Final = 8  # cluster cells of 32 screen pixels

_ENVELOPE = "(SELECT ST_TileEnvelope(:z, :x, :y) AS e3857) AS b"
_POINTS_SQL = (
    "WITH hits AS (SELECT r.id, r.status, c.code AS category, r.urgent, "
    f"{OVERDUE_SQL} AS overdue, r.location {{from_sql}} WHERE {{where}} "
    "ORDER BY r.created_at DESC, r.id DESC LIMIT :limit) "
    f"SELECT coalesce(ST_AsMVT(t, '{LAYER}', {EXTENT}, 'geom', 'fid'), ''::bytea) FROM ("
    f"SELECT ST_AsMVTGeom(ST_Transform(h.location, 3857), b.e3857, {EXTENT}, {BUFFER}, true) "
    "AS geom, h.id AS fid, h.id, h.status, h.category, h.urgent, h.overdue "
    f"FROM hits h, {_ENVELOPE}) AS t WHERE t.geom IS NOT NULL"
)
_CELLS_MVT_SQL = (
    f"SELECT coalesce(ST_AsMVT(t, '{LAYER}', {EXTENT}, 'geom'), ''::bytea) FROM ("
    "SELECT ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), 3857), "
    f"b.e3857, {EXTENT}, {BUFFER}, true) AS geom, true AS cluster, c.count, c.received, "
    "c.in_progress, c.done, c.closed, c.urgent, c.overdue "
    f"FROM cells c, {_ENVELOPE}) AS t WHERE t.geom IS NOT NULL"
)
_CLUSTERS_SQL = (
    "WITH cells AS (SELECT floor((ST_X(r.location) - :x0) / :cx) AS gx, "
    "floor((ST_Y(r.location) - :y0) / :cy) AS gy, count(*) AS count, "
    f"{CELL_SUMS_SQL} "
    "{from_sql} WHERE {where} GROUP BY 1, 2) " + _CELLS_MVT_SQL
)
_COUNTED = ("count", "received", "in_progress", "done", "closed", "urgent", "overdue")
_KEPT_CLUSTERS_SQL = (
    "WITH cells AS (SELECT * FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[]), "
    + ", ".join(f"CAST(:{k} AS bigint[])" for k in _COUNTED)
    + f") AS c(lon, lat, {', '.join(_COUNTED)})) "
    + _CELLS_MVT_SQL
)


def report_points_tile(session: Session, f: ReportFilter, tile: Tile, limit: int) -> bytes:
    """The newest ``limit`` matching reports as MVT points.

    Each point carries ``id``, ``status``, ``category`` (code), ``urgent`` and ``overdue``;
    its feature id is the report id.

    Args:
        session: open session (read only).
        f: the filter, scope included, with ``bbox`` set to the tile's box plus its buffer.
        tile: the tile being drawn.
        limit: most points encoded.
    """
    where, params = where_clause(f)
    turn_jit_off(session)
    sql = _POINTS_SQL.format(from_sql=FROM_SQL, where=where)
    params.update(z=tile.z, x=tile.x, y=tile.y, limit=limit)
    return bytes(session.execute(text(sql), params).scalar() or b"")


def report_clusters_tile(session: Session, f: ReportFilter, tile: Tile) -> bytes:
    """Counts of matching reports in ``CELLS_PER_TILE`` x ``CELLS_PER_TILE`` cells, as points.

    Each point sits at the mean position of its cell's reports and carries ``cluster``
    (true), ``count``, ``received``, ``in_progress``, ``done``, ``closed`` (rejected or
    duplicate), ``urgent`` and ``overdue``.

    Args:
        session: open session (read only).
        f: the filter, scope included, with ``bbox`` set to the tile's own box (no buffer:
            each report is counted in exactly one tile).
        tile: the tile being drawn.
    """
    assert f.bbox is not None
    where, params = where_clause(f)
    b = f.bbox
    cx = (b.max_lon - b.min_lon) / CELLS_PER_TILE
    cy = (b.max_lat - b.min_lat) / CELLS_PER_TILE
    turn_jit_off(session)
    sql = _CLUSTERS_SQL.format(from_sql=FROM_SQL, where=where)
    params.update(z=tile.z, x=tile.x, y=tile.y, x0=b.min_lon, y0=b.min_lat, cx=cx, cy=cy)
    return bytes(session.execute(text(sql), params).scalar() or b"")


def counted_clusters_tile(
    session: Session, rows: list[CellCounts], bbox: BBox, tile: Tile
) -> bytes:
    """``report_clusters_tile`` from counts already made (``geo.town_grid``): no report read.

    Each counted cell (``rows``: those of the tile, ``TownGrid.rows_in``) is summed into the
    tile's cell holding its reports' mean position, so a fine cell on a tile cell's edge
    counts on one side only; every report still counts in exactly one tile.

    Args:
        session: open session (encodes the tile: one query, no table read).
        rows: the counted cells whose mean position lies in the tile.
        bbox: the tile's own lon/lat box.
        tile: the tile being drawn.
    """
    cx = (bbox.max_lon - bbox.min_lon) / CELLS_PER_TILE
    cy = (bbox.max_lat - bbox.min_lat) / CELLS_PER_TILE
    sums: dict[tuple[int, int], list[float]] = {}
    for r in rows:
        key = (int((r.lon - bbox.min_lon) // cx), int((r.lat - bbox.min_lat) // cy))
        s = sums.setdefault(key, [0.0] * 9)
        s[0] += r.n * r.lon
        s[1] += r.n * r.lat
        for i, value in enumerate((r.n, r.received, r.in_progress, r.done, r.closed, r.urgent,
                                   r.overdue)):  # fmt: skip
            s[2 + i] += value
    cells = [s for s in sums.values() if s[2] > 0]
    params: dict[str, object] = {"z": tile.z, "x": tile.x, "y": tile.y}
    params["lon"] = [s[0] / s[2] for s in cells]
    params["lat"] = [s[1] / s[2] for s in cells]
    for i, name in enumerate(_COUNTED):
        params[name] = [int(s[2 + i]) for s in cells]
    return bytes(session.execute(text(_KEPT_CLUSTERS_SQL), params).scalar() or b"")
