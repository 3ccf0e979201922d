"""A town counted once at the base cell answers every wider view as its own count would."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import replace
from typing import Any

import mapbox_vector_tile
import pytest
from sqlalchemy.orm import Session

from geo.report_cells import grid_cell_counts, grid_cell_deg, report_grid, snap_to_grid
from geo.report_queries import BBox, ReportFilter
from geo.report_tiles import counted_clusters_tile, report_clusters_tile
from geo.tilegrid import Tile, tile_at, tile_bounds_lonlat
from geo.town_grid import BASE_CELL, CellCounts, TownGrid, covers
from tests.conftest import MUNICIPALITY_ID
from workflow.demo.seed import seed_reports

pytestmark = pytest.mark.db


def _by_id(features: str) -> dict[str, dict[str, object]]:
    return {f["id"]: f for f in json.loads(features)}


def test_every_wider_view_matches_its_own_count(db_session: Session) -> None:
    seed_reports(db_session, MUNICIPALITY_ID, 400, seed=23)
    now = dt.datetime.now(tz=dt.UTC)
    scope = ReportFilter(MUNICIPALITY_ID, None, now)
    town = TownGrid([CellCounts(*r) for r in grid_cell_counts(db_session, scope, BASE_CELL)])
    assert town.total >= 400
    rng = random.Random(3)
    cells_seen = set()
    for _ in range(12):  # windows of many sizes, dragged about the town
        half_w = rng.uniform(0.02, 0.4)
        lon, lat = rng.uniform(139.36, 139.44), rng.uniform(35.68, 35.73)
        view = BBox(lon - half_w, lat - half_w * 0.6, lon + half_w, lat + half_w * 0.6)
        cell = grid_cell_deg(view)
        assert covers(cell)
        cells_seen.add(cell)
        snapped = snap_to_grid(view, cell)
        features, total = report_grid(
            db_session, ReportFilter(MUNICIPALITY_ID, None, now, snapped), cell
        )
        composed = town.view(cell, snapped)
        assert composed is not None
        assert composed[1] == total
        want, got = _by_id(features), _by_id(composed[0])
        assert set(got) == set(want)
        for key, feature in want.items():
            w, g = feature["properties"], got[key]["properties"]
            assert isinstance(w, dict) and isinstance(g, dict)
            assert {k: v for k, v in g.items() if k != "cell"} == {
                k: v for k, v in w.items() if k != "cell"
            }
            assert g["cell"] == pytest.approx(w["cell"], abs=1e-9)
            mine, theirs = got[key]["geometry"], feature["geometry"]
            assert isinstance(mine, dict) and isinstance(theirs, dict)
            assert mine["coordinates"] == pytest.approx(theirs["coordinates"], abs=2e-6)
    assert len(cells_seen) >= 3


def test_a_street_cell_is_not_made_from_the_town_counts() -> None:
    fine = (BASE_CELL[0] / 2, BASE_CELL[1] / 2)
    assert not covers(fine)
    assert TownGrid([]).view(fine, BBox(139.3, 35.6, 139.31, 35.61)) is None
    assert covers(BASE_CELL) and covers((BASE_CELL[0] * 8, BASE_CELL[1] * 8))


def _clusters(body: bytes) -> list[dict[str, Any]]:
    layer = mapbox_vector_tile.decode(body).get("reports", {"features": []})
    return [f["properties"] for f in layer["features"]]


def test_cluster_tiles_from_the_town_counts_hold_what_counting_the_tile_holds(
    db_session: Session,
) -> None:
    seed_reports(db_session, MUNICIPALITY_ID, 400, seed=31)
    scope = ReportFilter(MUNICIPALITY_ID, None, dt.datetime.now(tz=dt.UTC))
    town = TownGrid([CellCounts(*r) for r in grid_cell_counts(db_session, scope, BASE_CELL)])
    sums = ("count", "received", "in_progress", "done", "closed", "urgent", "overdue")
    west, north = tile_at(139.30, 35.76, 12), tile_at(139.50, 35.64, 12)
    both: dict[str, list[int]] = {name: [0, 0] for name in sums}
    tiles = 0
    for x in range(west.x, north.x + 1):
        for y in range(west.y, north.y + 1):
            tile = Tile(12, x, y)
            box = BBox(*tile_bounds_lonlat(tile))
            counted = _clusters(counted_clusters_tile(db_session, town.rows_in(box), box, tile))
            queried = _clusters(report_clusters_tile(db_session, replace(scope, bbox=box), tile))
            assert all(c["cluster"] is True for c in counted) and len(counted) <= 64
            for name in sums:
                both[name][0] += sum(c[name] for c in counted)
                both[name][1] += sum(q[name] for q in queried)
            # a counted cell across the tile's edge is drawn on the side of its reports' mean
            n_counted, n_queried = (sum(c["count"] for c in t) for t in (counted, queried))
            assert abs(n_counted - n_queried) <= max(2, n_queried // 20)
            tiles += bool(counted)
    for name, (counted_sum, queried_sum) in both.items():  # the query's ``&&`` takes a report
        assert counted_sum <= queried_sum <= counted_sum + 2, name  # on an edge in both tiles
    assert both["count"][0] == town.total >= 400 and tiles >= 2
