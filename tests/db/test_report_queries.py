"""Staff-desk map queries on real PostGIS: scope, grid counts, capped counts, the map use case."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import Department
from geo.report_cells import grid_cell_deg, report_grid, snap_to_grid
from geo.report_queries import BBox, ReportFilter, count_reports, report_points
from tests.conftest import MUNICIPALITY_ID
from workflow.demo.seed import seed_reports
from workflow.desk.map_view import map_view

TOWN = BBox(139.30, 35.65, 139.50, 35.76)


def _road(session: Session) -> int:
    return session.scalars(select(Department.id).where(Department.code == "road")).one()


def _filter(session: Session, **kw: object) -> ReportFilter:
    now = dt.datetime.now(tz=dt.UTC)
    return ReportFilter(MUNICIPALITY_ID, _road(session), now, TOWN, **kw)  # type: ignore[arg-type]


def test_grid_counts_add_up_to_the_points(db_session: Session) -> None:
    seed_reports(db_session, MUNICIPALITY_ID, 60, seed=5)
    f = _filter(db_session)
    features, total = report_points(db_session, f, 5000)
    points = json.loads(features)
    assert total == len(points) == count_reports(db_session, f)
    assert {p["properties"]["kind"] for p in points} <= {"road"}
    cell = grid_cell_deg(TOWN)
    grid_json, grid_total = report_grid(db_session, f, cell)
    cells = json.loads(grid_json)
    assert grid_total == total == sum(c["properties"]["count"] for c in cells)
    for c in cells:
        p = c["properties"]
        assert p["count"] == p["received"] + p["in_progress"] + p["done"] + p["closed"]


def test_capped_count_stops_early(db_session: Session) -> None:
    seed_reports(db_session, MUNICIPALITY_ID, 40, seed=6)
    f = _filter(db_session)
    assert count_reports(db_session, f, cap=3) == 3
    assert count_reports(db_session, f) > 3


def test_map_view_switches_to_grid_above_the_limit(db_session: Session) -> None:
    seed_reports(db_session, MUNICIPALITY_ID, 40, seed=7)
    f = _filter(db_session)
    total = count_reports(db_session, f)
    assert map_view(db_session, f, total, "auto").mode == "points"
    crowded = map_view(db_session, f, total - 1, "auto")
    assert crowded.mode == "grid" and crowded.total == total


def test_snapped_bbox_covers_the_view_with_whole_cells() -> None:
    cell = grid_cell_deg(TOWN)
    snapped = snap_to_grid(TOWN, cell)
    assert snapped.min_lon <= TOWN.min_lon and snapped.max_lat >= TOWN.max_lat
    cells_across = (snapped.max_lon - snapped.min_lon) / cell[0]
    assert abs(cells_across - round(cells_across)) < 1e-6
