"""Staff-desk map queries: the filter, its SQL, and filtered reports as GeoJSON built in SQL.

Grid counts of the same filter are in ``geo.report_cells``.

Every query is scoped by municipality and, for department staff, by department; the bbox
filter uses the GiST index on ``report.location`` (``&&`` against an envelope). No personal
data (resident, contact, free-text address) is selected here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.json_sql import array_agg_sql, object_sql, raw_sql, value_sql

OPEN_STATUSES = ("received", "in_progress")

# True when an open report has waited longer than its category's target.
OVERDUE_SQL = (
    "(r.status IN ('received', 'in_progress') AND c.target_hours IS NOT NULL "
    "AND r.created_at < CAST(:now AS timestamptz) - make_interval(hours => c.target_hours))"
)
# What a grid cell of reports carries (aliases ``r``, ``c``): its mean position, counts by
# status, urgent and overdue. Shared by the bbox API's grid and the reports tile's clusters.
CELL_SUMS_SQL = (
    "avg(ST_X(r.location)) AS lon, avg(ST_Y(r.location)) AS lat, "
    "count(*) FILTER (WHERE r.status = 'received') AS received, "
    "count(*) FILTER (WHERE r.status = 'in_progress') AS in_progress, "
    "count(*) FILTER (WHERE r.status = 'done') AS done, "
    "count(*) FILTER (WHERE r.status IN ('rejected', 'duplicate')) AS closed, "
    "count(*) FILTER (WHERE r.urgent) AS urgent, "
    f"count(*) FILTER (WHERE {OVERDUE_SQL}) AS overdue"
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


_PROPERTIES = (
    ("status", "r.status"),
    ("kind", "r.kind"),
    ("category", "c.name"),
    ("category_code", "c.code"),
    ("channel", "r.channel"),
    ("receipt_no", "r.receipt_no"),
    ("district", "d.name"),
    ("created_at", CREATED_AT_SQL),
    ("urgent", "r.urgent"),
)


def _feature_sql(*properties: tuple[str, str]) -> str:
    return object_sql(
        ("type", "'\"Feature\"'"),
        ("id", value_sql("r.id")),
        ("geometry", raw_sql("ST_AsGeoJSON(r.location, 6)")),
        ("properties", object_sql(*((k, value_sql(v)) for k, v in properties))),
    )


_FEATURE_SQL = _feature_sql(*_PROPERTIES, ("overdue", OVERDUE_SQL))
# The same Feature without its last property, ``overdue``, which moves with the clock: the
# text ends ``}}``; ``workflow.desk.point_blocks`` adds the flag when it answers.
FEATURE_HEAD_SQL = _feature_sql(*_PROPERTIES)
_MICROS = "(extract(epoch FROM {}) * 1000000)::bigint"
_POINT_ROWS_SQL = (
    f"SELECT r.id, ST_X(r.location) AS lon, ST_Y(r.location) AS lat, "
    f"{_MICROS.format('r.created_at')} AS created_us, "
    "CASE WHEN r.status IN ('received', 'in_progress') AND c.target_hours IS NOT NULL THEN "
    f"{_MICROS.format('r.created_at + make_interval(hours => c.target_hours)')} END AS due_us, "
    f"{FEATURE_HEAD_SQL} AS feature {FROM_SQL} WHERE "
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


def point_rows(session: Session, f: ReportFilter, most: int) -> list[Any] | None:
    """Every report matching ``f`` as a row for the map, or None when more than ``most`` match.

    A row: ``id``, ``lon``, ``lat``, ``created_us`` (microseconds since 1970), ``due_us`` (when
    an open report becomes overdue; None: never) and ``feature`` (``FEATURE_HEAD_SQL``).
    """
    if count_reports(session, f, cap=most + 1) > most:
        return None
    where, params = where_clause(f)
    return list(session.execute(text(_POINT_ROWS_SQL + where), params).all())
