"""Street grids composed from cached blocks of cells equal the grid counted over the view."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from geo.change_feed import REPORTS, Change
from geo.report_cells import grid_cell_deg, report_grid, snap_to_grid
from geo.report_queries import BBox, ReportFilter
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import PLACE, ReportFactory
from workflow.desk.block_keeper import BlockKeeper
from workflow.desk.grid_blocks import (
    BLOCK_CELLS,
    Block,
    composed_grid,
    count_block,
    count_town_blocks,
    kept_grid,
)
from workflow.fresh import FreshCache

pytestmark = pytest.mark.db
NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


def _cells(features: str) -> dict[str, int]:
    return {f["id"]: f["properties"]["count"] for f in json.loads(features)}


def test_a_composed_grid_equals_the_counted_one_and_follows_changes(
    engine: Engine, reports: ReportFactory
) -> None:
    lon, lat = PLACE
    view = BBox(lon - 0.0095, lat - 0.0045, lon + 0.0095, lat + 0.0045)  # a clerk's street view
    cell = grid_cell_deg(view)
    step = cell[0] * BLOCK_CELLS  # reports on both sides of block edges
    for i in range(-3, 4):
        reports("road_pothole", place=(lon + i * step / 3, lat + i * cell[1]))
    key = ReportFilter(MUNICIPALITY_ID, None, NOW, bbox=snap_to_grid(view, cell))
    cache: FreshCache[Block] = FreshCache(60.0, 100, frozenset({REPORTS}))
    cache.set_live(True)
    with Session(engine) as session:
        counted, total = report_grid(session, key, cell)
        composed = composed_grid(session, key, NOW, cell, cache)
        assert composed.mode == "grid" and composed.total == total and total >= 7
        assert _cells(composed.geojson) == _cells(counted)
        blocks = len(cache)
        assert blocks >= 2  # the view spans several blocks

        again = composed_grid(session, key, NOW, cell, cache)  # all from memory
        assert again == composed and len(cache) == blocks
        assert again is composed  # the answer itself is kept, and with it its gzip body
        made = reports("road_pothole", place=(lon + 0.0001, lat + 0.0001))
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, (lon + 0.0001, lat + 0.0001) * 2))
        assert len(cache) == blocks - 1  # only the block holding it
        after = composed_grid(session, key, NOW, cell, cache)
        assert after.total == total + 1 and after is not composed
        assert _cells(after.geojson) == _cells(report_grid(session, key, cell)[0])
        assert made.id
        smaller = replace(key, bbox=snap_to_grid(BBox(lon, lat, lon + 0.004, lat + 0.003), cell))
        assert _cells(composed_grid(session, smaller, NOW, cell, cache).geojson) == _cells(
            report_grid(session, smaller, cell)[0]
        )


def _idle(keeper: BlockKeeper) -> None:
    deadline = time.monotonic() + 10
    while not keeper.idle():
        assert time.monotonic() < deadline, "the keeper never finished"
        time.sleep(0.02)


def test_a_town_counted_at_once_equals_its_blocks_counted_one_by_one(
    engine: Engine, reports: ReportFactory
) -> None:
    lon, lat = PLACE
    cell = grid_cell_deg(BBox(lon - 0.0095, lat, lon + 0.0095, lat + 0.001))
    for i in range(-4, 5):
        reports("road_pothole", place=(lon + i * cell[0] * 3, lat - i * cell[1] * 2))
    scope = ReportFilter(MUNICIPALITY_ID, None, NOW)
    with Session(engine) as session:
        town = count_town_blocks(session, scope, cell, 8192)
        assert town is not None
        assert any(not block.cells for block in town.values())  # empty blocks are kept too
        for (bx, by), block in town.items():  # mean positions compared as sent (rounded)
            alone = count_block(session, scope, cell, bx, by)
            assert _as_sent(block) == _as_sent(alone), (bx, by)
        assert (
            sum(c.n for b in town.values() for c, _ in b.cells.values())
            == (report_grid(session, scope, cell)[1])
        )
        # a cell so fine that the town's blocks would push out everything else: not counted
        assert count_town_blocks(session, scope, (cell[0] / 64, cell[1] / 64), 8192) is None


def test_the_keeper_counts_ahead_and_again_after_a_change(
    engine: Engine, reports: ReportFactory
) -> None:
    lon, lat = PLACE
    view = BBox(lon - 0.0095, lat - 0.0045, lon + 0.0095, lat + 0.0045)
    cell = grid_cell_deg(view)
    reports("road_pothole", place=(lon - 0.008, lat - 0.004))  # the view's blocks between
    reports("road_pothole", place=(lon + 0.008, lat + 0.004))
    key = ReportFilter(MUNICIPALITY_ID, None, NOW, bbox=snap_to_grid(view, cell))
    cache: FreshCache[Block] = FreshCache(60.0, 4096, frozenset({REPORTS}))
    cache.set_live(True)
    keeper = BlockKeeper(cache)
    queries: list[str] = []

    def count(*args: object) -> None:
        queries.append(str(args[2]))

    with Session(engine) as session:
        assert kept_grid(key, cell, cache) is None  # nothing kept yet, nothing read
        keeper.warm(session, replace(key, bbox=None), cell)
        _idle(keeper)
        kept = len(cache)
        assert kept >= 2
        event.listen(engine, "before_cursor_execute", count)
        try:
            first = composed_grid(session, key, NOW, cell, cache)
            assert queries == []  # every block of the view was counted ahead
            assert kept_grid(key, cell, cache) == first
            reports("road_pothole", place=(lon + 0.0001, lat + 0.0001))
            cache.hear(Change(REPORTS, MUNICIPALITY_ID, (lon + 0.0001, lat + 0.0001) * 2))
            _idle(keeper)
            assert len(cache) == kept  # counted again at once, not left for a clerk
            queries.clear()
            after = composed_grid(session, key, NOW, cell, cache)
            assert queries == [] and after.total == first.total + 1
        finally:
            event.remove(engine, "before_cursor_execute", count)


def _as_sent(block: Block) -> dict[tuple[int, int], tuple[int, str]]:
    return {key: (counts.n, feature) for key, (counts, feature) in block.cells.items()}
