"""Staff-desk map queries: filtered reports as GeoJSON built in SQL, or grid counts.

Every query is scoped by municipality and, for department staff, by department; the bbox
filter uses the GiST index on ``report.location`` (``&&`` against an envelope). No personal
data (resident, contact, free-text address) is selected here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.json_sql import array_agg_sql, object_sql, raw_sql, value_sql

OPEN_STATUSES = ("received", "in_progress")
GRID_TARGET_CELLS = 14  # about this many cells across the view (~50–60 px each)

# True when an open report has waited longer than its category's target.
OVERDUE_SQL = (
    "(r.status IN ('received', 'in_progress') AND c.target_hours IS NOT NULL "
    "AND r.created_at < CAST(:now AS timestamptz) - make_interval(hours => c.target_hours))"
)
# The town views (migration 0012), not the tables: under row-level security a bbox (``&&``)
# is an index condition only when no table of the query has a policy.
FROM_SQL = (
    "FROM town_report r JOIN town_category c ON c.municipality_id = r.municipality_id "
    "AND c.id = r.category_id "
    "LEFT JOIN town_district d ON d.municipality_id = r.municipality_id "
    "AND d.id = r.district_id "
)
CREATED_AT_SQL = (
    "to_char(r.created_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+09:00\"')"
)


@dataclass(frozen=True)
class BBox:
    """A lon/lat (EPSG:4326) box: west, south, east, north."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class ReportFilter:
    """Which reports a staff view shows; empty tuples and None mean "any"."""

    municipality_id: int
    department_id: int | None  # None: every department (admin)
    now: dt.datetime
    bbox: BBox | None = None
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # category codes
    district_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    urgent: bool | None = None
    overdue: bool | None = None
    created_from: dt.datetime | None = None  # inclusive
    created_to: dt.datetime | None = None  # exclusive


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


@dataclass(frozen=True)
class MapAnswer:
    """A GeoJSON FeatureCollection as JSON text, and how it was made."""

    geojson: str
    mode: str  # "points" or "grid"
    total: int
    # Bytes made from this answer (the API's gzip body), kept while the answer is kept.
    memo: dict[Any, bytes] = field(default_factory=dict, compare=False, repr=False)


_LISTS = (
    ("statuses", "r.status"),
    ("kinds", "r.kind"),
    ("categories", "c.code"),
    ("district_ids", "r.district_id"),
    ("channels", "r.channel"),
)


def where_clause(f: ReportFilter) -> tuple[str, dict[str, Any]]:
    """SQL ``WHERE`` text and its parameters for a filter (aliases ``r``, ``c``, ``d``)."""
    parts = ["r.municipality_id = :m"]
    params: dict[str, Any] = {"m": f.municipality_id, "now": f.now}
    if f.department_id is not None:
        parts.append("r.department_id = :dept")
        params["dept"] = f.department_id
    if f.bbox is not None:
        parts.append("r.location && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 4326)")
        b = f.bbox
        params.update(x0=b.min_lon, y0=b.min_lat, x1=b.max_lon, y1=b.max_lat)
    for name, column in _LISTS:
        values = getattr(f, name)
        if values:
            parts.append(f"{column} = ANY(:{name})")
            params[name] = list(values)
    if f.urgent is not None:
        parts.append("r.urgent = :urgent")
        params["urgent"] = f.urgent
    if f.overdue is not None:
        parts.append(OVERDUE_SQL if f.overdue else f"NOT {OVERDUE_SQL}")
    if f.created_from is not None:
        parts.append("r.created_at >= :created_from")
        params["created_from"] = f.created_from
    if f.created_to is not None:
        parts.append("r.created_at < :created_to")
        params["created_to"] = f.created_to
    return " AND ".join(parts), params


_FEATURE_SQL = object_sql(
    ("type", "'\"Feature\"'"),
    ("id", value_sql("r.id")),
    ("geometry", raw_sql("ST_AsGeoJSON(r.location, 6)")),
    (
        "properties",
        object_sql(
            *(
                (k, value_sql(v))
                for k, v in (
                    ("status", "r.status"),
                    ("kind", "r.kind"),
                    ("category", "c.name"),
                    ("category_code", "c.code"),
                    ("channel", "r.channel"),
                    ("receipt_no", "r.receipt_no"),
                    ("district", "d.name"),
                    ("created_at", CREATED_AT_SQL),
                    ("urgent", "r.urgent"),
                    ("overdue", OVERDUE_SQL),
                )
            )  # fmt: skip
        ),
    ),
)


def count_reports(session: Session, f: ReportFilter, cap: int | None = None) -> int:
    """How many reports match the filter, counting at most ``cap`` (cheap for big areas)."""
    where, params = where_clause(f)
    inner = f"SELECT 1 {FROM_SQL} WHERE {where}" + (" LIMIT :cap" if cap is not None else "")
    sql = f"SELECT count(*) FROM ({inner}) AS hits"
    value = session.execute(text(sql), {**params, "cap": cap}).scalar()
    return int(value or 0)


def report_points(session: Session, f: ReportFilter, limit: int) -> tuple[str, int]:
    """The newest ``limit`` matching reports as a JSON array of GeoJSON Features.

    Returns:
        The array as JSON text and how many reports matched in all.
    """
    where, params = where_clause(f)
    # The newest ``limit`` ids first (with the total), then JSON for those rows only: building
    # a feature for every match before the LIMIT took 570 ms for a street with 5,000 reports.
    sql = (
        "WITH hits AS (SELECT r.id, r.created_at, count(*) OVER () AS total "
        f"{FROM_SQL} WHERE {where} ORDER BY r.created_at DESC, r.id DESC LIMIT :limit) "
        f"SELECT {array_agg_sql(_FEATURE_SQL, 'h.created_at DESC, h.id DESC')} AS features, "
        "coalesce(max(h.total), 0) AS total FROM hits h "
        "JOIN town_report r ON r.municipality_id = :m AND r.id = h.id "
        "JOIN town_category c ON c.municipality_id = r.municipality_id "
        "AND c.id = r.category_id LEFT JOIN town_district d "
        "ON d.municipality_id = r.municipality_id AND d.id = r.district_id"
    )
    row = session.execute(text(sql), {**params, "limit": limit}).one()
    return str(row.features), int(row.total)


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
    "avg(ST_X(r.location)) AS lon, avg(ST_Y(r.location)) AS lat, "
    "count(*) FILTER (WHERE r.status = 'received') AS received, "
    "count(*) FILTER (WHERE r.status = 'in_progress') AS in_progress, "
    "count(*) FILTER (WHERE r.status = 'done') AS done, "
    "count(*) FILTER (WHERE r.status IN ('rejected', 'duplicate')) AS closed, "
    "count(*) FILTER (WHERE r.urgent) AS urgent, "
    f"count(*) FILTER (WHERE {OVERDUE_SQL}) AS overdue "
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
