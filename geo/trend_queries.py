"""Trend aggregations for the staff desk, computed in SQL over a ``ReportFilter``.

Every query starts from the same scoped ``hits`` (municipality, department for staff, the
period as ``created_from`` / ``created_to``), so the numbers on one page always agree.
Weekdays and hours are those of Asia/Tokyo. Time to 完了 is ``closed_at - created_at`` of
reports whose status is ``done`` now (a reopened report counts from its last completion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.report_queries import FROM_SQL, ReportFilter, where_clause

LOCAL_TIME_SQL = "(r.created_at AT TIME ZONE 'Asia/Tokyo')"
HOURS_TO_DONE_SQL = "extract(epoch FROM h.closed_at - h.created_at) / 3600.0"
MEDIAN_TO_DONE_SQL = (
    f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {HOURS_TO_DONE_SQL}) "
    "FILTER (WHERE h.status = 'done' AND h.closed_at IS NOT NULL)"
)
STATUS_COUNTS_SQL = (
    "count(h.id) FILTER (WHERE h.status = 'received') AS received, "
    "count(h.id) FILTER (WHERE h.status = 'in_progress') AS in_progress, "
    "count(h.id) FILTER (WHERE h.status = 'done') AS done, "
    "count(h.id) FILTER (WHERE h.status = 'rejected') AS rejected, "
    "count(h.id) FILTER (WHERE h.status = 'duplicate') AS duplicate, "
    "count(h.id) AS total"
)


@dataclass(frozen=True)
class StatusCounts:
    received: int
    in_progress: int
    done: int
    rejected: int
    duplicate: int
    total: int


@dataclass(frozen=True)
class CategoryTrend:
    code: str
    name: str
    kind: str
    counts: StatusCounts
    median_hours_to_done: float | None  # None when nothing in it is done


@dataclass(frozen=True)
class Overall:
    counts: StatusCounts
    median_hours_to_done: float | None
    without_district: int


@dataclass(frozen=True)
class DistrictCount:
    id: int
    code: str
    name: str
    town: str
    count: int


def _hits(f: ReportFilter, columns: str) -> tuple[str, dict[str, Any]]:
    where, params = where_clause(f)
    return f"WITH h AS (SELECT {columns} {FROM_SQL} WHERE {where}) ", params


def _counts(row: Any) -> StatusCounts:
    return StatusCounts(
        int(row.received),
        int(row.in_progress),
        int(row.done),
        int(row.rejected),
        int(row.duplicate),
        int(row.total),
    )


def _hours(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def overall_trend(session: Session, f: ReportFilter) -> Overall:
    """Counts by status, the median hours to 完了 and reports without a district, in all."""
    head, params = _hits(f, "r.id, r.status, r.created_at, r.closed_at, r.district_id")
    sql = (
        f"{head}SELECT {STATUS_COUNTS_SQL}, {MEDIAN_TO_DONE_SQL} AS median_h, "
        "count(h.id) FILTER (WHERE h.district_id IS NULL) AS without_district FROM h"
    )
    row = session.execute(text(sql), params).one()
    return Overall(_counts(row), _hours(row.median_h), int(row.without_district))


def category_trends(session: Session, f: ReportFilter) -> list[CategoryTrend]:
    """Counts by category × status and each category's median hours to 完了.

    Lists every active category in scope (zeros included) and inactive ones that have reports,
    in menu order.
    """
    head, params = _hits(f, "r.id, r.category_id, r.status, r.created_at, r.closed_at")
    sql = (
        f"{head}SELECT c.code, c.name, c.kind, {STATUS_COUNTS_SQL}, "
        f"{MEDIAN_TO_DONE_SQL} AS median_h FROM category c "
        "LEFT JOIN h ON h.category_id = c.id WHERE c.municipality_id = :m "
        "AND (CAST(:scope AS bigint) IS NULL OR c.department_id = :scope) "
        "GROUP BY c.municipality_id, c.id HAVING c.active OR count(h.id) > 0 "
        "ORDER BY c.sort_order, c.id"
    )
    rows = session.execute(text(sql), {**params, "scope": f.department_id}).all()
    return [
        CategoryTrend(str(r.code), str(r.name), str(r.kind), _counts(r), _hours(r.median_h))
        for r in rows
    ]


def weekday_hour_counts(session: Session, f: ReportFilter) -> list[list[int]]:
    """Reports by weekday (rows, Monday first) and hour of day (24 columns), Tokyo time."""
    where, params = where_clause(f)
    sql = (
        f"SELECT extract(isodow FROM {LOCAL_TIME_SQL})::int AS dow, "
        f"extract(hour FROM {LOCAL_TIME_SQL})::int AS hour, count(*) AS n "
        f"{FROM_SQL} WHERE {where} GROUP BY 1, 2"
    )
    grid = [[0] * 24 for _ in range(7)]
    for row in session.execute(text(sql), params):
        grid[int(row.dow) - 1][int(row.hour)] = int(row.n)
    return grid


def district_counts(session: Session, f: ReportFilter) -> list[DistrictCount]:
    """Reports per district (町丁目), every district listed (zeros too), in code order."""
    head, params = _hits(f, "r.id, r.district_id")
    sql = (
        f"{head}SELECT d.id, d.code, d.name, d.town, count(h.id) AS n FROM district d "
        "LEFT JOIN h ON h.district_id = d.id WHERE d.municipality_id = :m "
        "GROUP BY d.municipality_id, d.id ORDER BY d.code"
    )
    return [
        DistrictCount(int(r.id), str(r.code), str(r.name), str(r.town), int(r.n))
        for r in session.execute(text(sql), params)
    ]


@dataclass(frozen=True)
class DistrictShape:
    id: int
    name: str
    geojson: str  # the polygon, simplified to about 5 m (EPSG:4326)
    approximate: bool


def district_shapes(session: Session, municipality_id: int) -> list[DistrictShape]:
    """District polygons for a choropleth, simplified, with their ``approximate`` flag."""
    rows = session.execute(
        text(
            "SELECT id, name, approximate, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, "
            "0.00005), 5) AS geojson FROM district WHERE municipality_id = :m ORDER BY code"
        ),
        {"m": municipality_id},
    )
    return [
        DistrictShape(int(r.id), str(r.name), str(r.geojson), bool(r.approximate)) for r in rows
    ]


@dataclass(frozen=True)
class DepartmentChoice:
    id: int
    code: str
    name: str


def departments(session: Session, municipality_id: int) -> list[DepartmentChoice]:
    """The municipality's departments, in id order."""
    rows = session.execute(
        text("SELECT id, code, name FROM department WHERE municipality_id = :m ORDER BY id"),
        {"m": municipality_id},
    )
    return [DepartmentChoice(int(r.id), str(r.code), str(r.name)) for r in rows]
