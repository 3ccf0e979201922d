"""Grid counts of the staff-desk filter: reports per cell by status, as numbers or GeoJSON.

Cells are powers of two of a degree (``grid_cell_deg``), so they stay put while a view pans;
the filter and its SQL are ``geo.report_queries``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.json_sql import array_agg_sql, object_sql, value_sql
from geo.report_queries import CELL_SUMS_SQL, FROM_SQL, BBox, ReportFilter, where_clause

GRID_TARGET_CELLS = 14  # about this many cells across the view (~50–60 px each)


class CellCounts(NamedTuple):
    """One grid cell's reports by status; column and row are ``floor(lon or lat / cell)``."""

    gx: int
    gy: int
    n: int
    lon: float  # mean of the cell's reports
    lat: float
    received: int
    in_progress: int
    done: int
    closed: int
    urgent: int
    overdue: int


def grid_cell_deg(bbox: BBox) -> tuple[float, float]:
    """Grid cell size (lon, lat degrees): a power of two near 1/14 of the view's width.

    Powers of two keep cells fixed while the view pans, so counts do not jump about.
    """
    span = max(bbox.max_lon - bbox.min_lon, 1e-6)
    cell_lon = 2.0 ** round(math.log2(span / GRID_TARGET_CELLS))
    return cell_lon, cell_lon * 0.8  # about square at Japan's latitudes (cos 35° ≈ 0.82)


def snap_to_grid(bbox: BBox, cell: tuple[float, float]) -> BBox:
    """The bbox grown to whole grid cells, so nearby views share cells (and cache entries)."""
    cx, cy = cell
    return BBox(
        math.floor(bbox.min_lon / cx) * cx,
        math.floor(bbox.min_lat / cy) * cy,
        math.ceil(bbox.max_lon / cx) * cx,
        math.ceil(bbox.max_lat / cy) * cy,
    )


_CELLS_SQL = (
    "WITH cells AS (SELECT floor(ST_X(r.location) / :cx) AS gx, "
    "floor(ST_Y(r.location) / :cy) AS gy, count(*) AS n, "
    f"{CELL_SUMS_SQL} "
    "{from_sql} WHERE {where} GROUP BY 1, 2) "
)
_CELL_FEATURE_SQL = object_sql(
    ("type", "'\"Feature\"'"),
    ("id", value_sql("'g' || gx || '_' || gy")),
    ("geometry", object_sql(
        ("type", "'\"Point\"'"),
        ("coordinates", "'[' || round(lon::numeric, 6) || ',' || round(lat::numeric, 6) || ']'"),
    )),
    ("properties", object_sql(
        ("cluster", "'true'"),
        ("count", value_sql("n")),
        *((k, value_sql(k)) for k in (
            "received", "in_progress", "done", "closed", "urgent", "overdue",
        )),
        ("cell", "'[' || gx * :cx || ',' || gy * :cy || ',' || (gx + 1) * :cx || ',' "
                 "|| (gy + 1) * :cy || ']'"),
    )),
)  # fmt: skip
_GRID_SQL = (
    _CELLS_SQL + f"SELECT {array_agg_sql(_CELL_FEATURE_SQL)} AS features, "
    "coalesce(sum(n), 0) AS total FROM cells"
)


def _cells_query(template: str, where: str) -> str:
    # ``replace``, not ``format``: the feature SQL holds JSON braces.
    return template.replace("{from_sql}", FROM_SQL, 1).replace("{where}", where, 1)


_COUNT_COLUMNS = "gx, gy, n, lon, lat, received, in_progress, done, closed, urgent, overdue"
_CELL_ROWS_SQL = _CELLS_SQL + f"SELECT {_COUNT_COLUMNS}, {_CELL_FEATURE_SQL} AS feature FROM cells"


def grid_cells(
    session: Session, f: ReportFilter, cell: tuple[float, float]
) -> list[tuple[CellCounts, str]]:
    """The cells of ``report_grid`` one by one: its counts, and its GeoJSON Feature text.

    Column and row are the cell's lower corner over the cell size (``floor``), as in its id.
    """
    where, params = where_clause(f)
    sql = _cells_query(_CELL_ROWS_SQL, where)
    rows = session.execute(text(sql), {**params, "cx": cell[0], "cy": cell[1]}).all()
    return [(_counts(r), str(r.feature)) for r in rows]


def _counts(r: Any) -> CellCounts:
    return CellCounts(
        int(r.gx), int(r.gy), int(r.n), float(r.lon), float(r.lat), int(r.received),
        int(r.in_progress), int(r.done), int(r.closed), int(r.urgent), int(r.overdue),
    )  # fmt: skip


def report_grid(session: Session, f: ReportFilter, cell: tuple[float, float]) -> tuple[str, int]:
    """Counts of matching reports per grid cell, as a JSON array of GeoJSON Features.

    Each feature sits at the mean position of its reports and carries counts by status
    (``received``, ``in_progress``, ``done``, ``closed``), ``urgent``, ``overdue`` and the
    cell's lon/lat bounds. ``cell`` is the cell size in lon/lat degrees.

    Returns:
        The array as JSON text and how many reports matched in all.
    """
    where, params = where_clause(f)
    cx, cy = cell
    sql = _cells_query(_GRID_SQL, where)
    row = session.execute(text(sql), {**params, "cx": cx, "cy": cy}).one()
    return str(row.features), int(row.total)


_CELL_COUNTS_SQL = _CELLS_SQL + f"SELECT {_COUNT_COLUMNS} FROM cells"


def grid_cell_counts(
    session: Session, f: ReportFilter, cell: tuple[float, float]
) -> list[CellCounts]:
    """The cells of ``report_grid`` as numbers, to be summed into coarser cells."""
    where, params = where_clause(f)
    sql = _cells_query(_CELL_COUNTS_SQL, where)
    rows = session.execute(text(sql), {**params, "cx": cell[0], "cy": cell[1]}).all()
    return [_counts(r) for r in rows]
