"""Wide views put together from the keeper's blocks: as counted, and current after a change."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo.change_feed import REPORTS, Change
from geo.report_cells import grid_cell_deg, report_grid, snap_to_grid
from geo.report_queries import BBox, ReportFilter
from geo.town_grid import BASE_CELL, TownGrid
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import PLACE, ReportFactory
from workflow.clock import now_tokyo
from workflow.desk.block_keeper import BlockKeeper
from workflow.desk.grid_blocks import Block
from workflow.desk.wide_grid import WideGrids
from workflow.fresh import FreshCache

pytestmark = pytest.mark.db


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


def _idle(keeper: BlockKeeper) -> None:
    deadline = time.monotonic() + 20
    while not keeper.idle():
        assert time.monotonic() < deadline, "the keeper never finished"
        time.sleep(0.02)


def _view_matches_count(session: Session, town: TownGrid, scope: ReportFilter) -> int:
    """The whole-city view cut from ``town`` has the cells and counts of its own count."""
    lon, lat = PLACE
    view = BBox(lon - 0.12, lat - 0.07, lon + 0.12, lat + 0.07)
    cell = grid_cell_deg(view)
    snapped = snap_to_grid(view, cell)
    cut = town.view(cell, snapped)
    assert cut is not None
    features, total = report_grid(session, ReportFilter(**{**vars(scope), "bbox": snapped}), cell)

    def counts(text: str) -> dict[str, int]:
        return {f["id"]: f["properties"]["count"] for f in json.loads(text)}

    assert cut[1] == total
    assert counts(cut[0]) == counts(features)
    return total


def test_a_wide_view_is_its_blocks_put_together_and_follows_changes(
    engine: Engine, reports: ReportFactory
) -> None:
    for i in range(9):  # across many blocks of the base cell, inside the town
        reports("road_pothole", place=(139.401 + i * 0.003, 35.695 + i * 0.003))
    scope = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    cache: FreshCache[Block] = FreshCache(300.0, 8192, frozenset({REPORTS}))
    cache.set_live(True)
    keeper = BlockKeeper(cache)
    wide = WideGrids(cache, keeper)
    with Session(engine) as session:
        assert wide.town(scope) is None  # not counted yet: the caller counts the town itself
        keeper.warm(session, scope, BASE_CELL)
        _idle(keeper)
        town = wide.town(scope)
        assert town is not None
        total = _view_matches_count(session, town, scope)
        assert total >= 9
        assert wide.town(scope) is town  # nothing changed: not put together again

        place = (139.4101, 35.7051)
        reports("road_pothole", place=place)
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, place * 2))
        _idle(keeper)  # the changed block is counted again at once
        after = wide.town(scope)
        assert after is not None and after is not town
        assert _view_matches_count(session, after, scope) == total + 1

        cache.set_live(True)  # every block forgotten (the feed came back)
        assert wide.town(scope) is after  # the last town meanwhile, its blocks asked for
        _idle(keeper)
        again = wide.town(scope)
        assert again is not None and again is not after
        assert _view_matches_count(session, again, scope) == total + 1


def test_a_report_far_from_every_other_reaches_the_wide_view(
    engine: Engine, reports: ReportFactory
) -> None:
    started = now_tokyo()  # only this test's reports match: the town's first report, then one more
    reports("road_pothole", place=(139.4290, 35.6925))  # the south-east of 立川市
    scope = ReportFilter(MUNICIPALITY_ID, None, started, created_from=started)
    cache: FreshCache[Block] = FreshCache(300.0, 8192, frozenset({REPORTS}))
    cache.set_live(True)
    keeper = BlockKeeper(cache)
    wide = WideGrids(cache, keeper)
    with Session(engine) as session:
        keeper.warm(session, scope, BASE_CELL)
        _idle(keeper)
        town = wide.town(scope)
        assert town is not None and town.total == 1

        far = (139.3560, 35.7355)  # the north-west: 4 blocks west and 3 north of it
        reports("road_pothole", place=far)
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, far * 2))
        _idle(keeper)
        after = wide.town(scope)
        assert after is not None and after.total == 2
