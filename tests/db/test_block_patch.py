"""A block a change dropped is made again from the old one and a count of the touched cells."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from geo.change_feed import REPORTS, Change
from geo.report_queries import ReportFilter
from geo.town_grid import BASE_CELL
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import PLACE, ReportFactory
from workflow.clock import now_tokyo
from workflow.desk import block_keeper
from workflow.desk.block_keeper import BlockKeeper
from workflow.desk.grid_blocks import BLOCK_CELLS, Block, block_key, count_block
from workflow.fresh import FreshCache

pytestmark = pytest.mark.db
CX, CY = BASE_CELL
BX, BY = int(PLACE[0] // (CX * BLOCK_CELLS)), int(PLACE[1] // (CY * BLOCK_CELLS))


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


def _in_cell(i: int, j: int) -> tuple[float, float]:
    """A point inside cell (i, j) of the block around ``PLACE``."""
    n = BLOCK_CELLS
    return ((BX * n + i + 0.4) * CX, (BY * n + j + 0.6) * CY)


def _idle(keeper: BlockKeeper) -> None:
    deadline = time.monotonic() + 20
    while not keeper.idle():
        assert time.monotonic() < deadline, "the keeper never finished"
        time.sleep(0.02)


def _as_sent(block: Block | None) -> dict[tuple[int, int], tuple[int, str]]:
    assert block is not None
    return {key: (counts.n, feature) for key, (counts, feature) in block.cells.items()}


@contextmanager
def _listening(engine: Engine, *listeners: Callable[..., None]) -> Iterator[None]:
    """``listeners`` see every statement the engine runs inside the block."""
    for listener in listeners:
        event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        for listener in listeners:
            event.remove(engine, "before_cursor_execute", listener)


def _boxes_read(seen: list[float]) -> Callable[..., None]:
    """A listener recording the width of every bbox the keeper's thread reads."""

    def record(_conn: object, _cursor: object, _sql: str, params: Any, *_rest: object) -> None:
        if threading.current_thread().name == "machi-blocks" and isinstance(params, dict):
            if "x0" in params:
                seen.append(params["x1"] - params["x0"])

    return record


def _kept_block(engine: Engine) -> tuple[FreshCache[Block], BlockKeeper, ReportFilter]:
    scope = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    cache: FreshCache[Block] = FreshCache(300.0, 8192, frozenset({REPORTS}))
    cache.set_live(True)
    keeper = BlockKeeper(cache)
    with Session(engine) as session:
        keeper.warm(session, scope, BASE_CELL)
    _idle(keeper)
    assert cache.get(block_key(scope, BASE_CELL, BX, BY)) is not None
    return cache, keeper, scope


def test_a_changed_report_recounts_its_cell_only_and_the_block_is_as_counted(
    engine: Engine, reports: ReportFactory
) -> None:
    for i, j in ((0, 0), (3, 5), (7, 7), (3, 5)):
        reports("road_pothole", place=_in_cell(i, j))
    cache, keeper, scope = _kept_block(engine)
    key = block_key(scope, BASE_CELL, BX, BY)
    asked = cache._items[key].used
    widths: list[float] = []
    with _listening(engine, _boxes_read(widths)):
        place = _in_cell(3, 5)
        reports("road_pothole", place=place)
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, place * 2))
        _idle(keeper)
    assert widths and all(w == pytest.approx(CX) for w in widths)  # one cell, not the block
    with Session(engine) as session:
        counted = count_block(session, scope, BASE_CELL, BX, BY)
    assert cache._items[key].used == asked  # made again, not asked for: renewed only a while
    patched = cache.get(key)
    assert _as_sent(patched) == _as_sent(counted)
    assert _as_sent(patched)[(BX * BLOCK_CELLS + 3, BY * BLOCK_CELLS + 5)][0] == 3


def test_a_change_while_the_cell_is_counted_has_its_cell_counted_in_a_next_round(
    engine: Engine, reports: ReportFactory
) -> None:
    reports("road_pothole", place=_in_cell(1, 1))
    cache, keeper, scope = _kept_block(engine)
    reading, go_on = threading.Event(), threading.Event()

    def hold(_conn: object, _cursor: object, _sql: str, params: Any, *_rest: object) -> None:
        if threading.current_thread().name != "machi-blocks" or not isinstance(params, dict):
            return
        if "x0" in params and not reading.is_set():  # the cell's read, begun
            reading.set()
            assert go_on.wait(10)

    widths: list[float] = []
    with _listening(engine, hold, _boxes_read(widths)):
        first = _in_cell(1, 1)
        reports("road_pothole", place=first)
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, first * 2))
        assert reading.wait(10)  # the keeper is counting the touched cell
        second = _in_cell(6, 2)  # another cell: the patch would miss it
        reports("road_pothole", place=second)
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, second * 2))
        go_on.set()
        _idle(keeper)
    # the patch was refused (a change came in meanwhile); the next round counted that
    # change's cell on top of it, never the whole block
    assert widths == [pytest.approx(CX), pytest.approx(CX)]
    with Session(engine) as session:
        counted = count_block(session, scope, BASE_CELL, BX, BY)
    kept = cache.get(block_key(scope, BASE_CELL, BX, BY))
    assert _as_sent(kept) == _as_sent(counted)
    assert _as_sent(kept)[(BX * BLOCK_CELLS + 6, BY * BLOCK_CELLS + 2)][0] == 1


def _keeper() -> tuple[FreshCache[Block], BlockKeeper]:
    cache: FreshCache[Block] = FreshCache(300.0, 8192, frozenset({REPORTS}))
    cache.set_live(True)
    return cache, BlockKeeper(cache)


def test_a_block_changed_while_its_town_is_counted_is_counted_on_top_not_left_missing(
    engine: Engine, reports: ReportFactory
) -> None:
    reports("road_pothole")
    cache, keeper = _keeper()
    scope = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    reading, go_on = threading.Event(), threading.Event()

    def hold(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        if threading.current_thread().name != "machi-blocks" or sql.lstrip().startswith("SET"):
            return
        if not reading.is_set():  # the town's count, begun
            reading.set()
            assert go_on.wait(10)

    with _listening(engine, hold):
        with Session(engine) as session:
            keeper.warm(session, scope, BASE_CELL)
        assert reading.wait(10)
        reports("road_pothole")  # committed and heard while the town is counted
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, PLACE * 2))
        go_on.set()
        _idle(keeper)
    kept = cache.get(block_key(scope, BASE_CELL, BX, BY))  # there: a wide view needs no SQL
    with Session(engine) as session:
        counted = count_block(session, scope, BASE_CELL, BX, BY)
    assert _as_sent(kept) == _as_sent(counted)


def test_a_wide_block_looked_at_minutes_ago_is_counted_again_one_counted_ahead_is_not(
    engine: Engine, reports: ReportFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(block_keeper, "RENEW_USED_S", 0.05)  # WIDE_USED_S stays 3 minutes
    reports("road_pothole")
    cache, keeper = _keeper()
    looked_at = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    ahead = ReportFilter(MUNICIPALITY_ID, None, now_tokyo(), categories=("road_pothole",))
    with Session(engine) as session:
        keeper.warm(session, looked_at, BASE_CELL)
        keeper.warm(session, ahead, BASE_CELL, asked=False)  # a desk's opening view, at start
    _idle(keeper)
    assert cache.get(block_key(looked_at, BASE_CELL, BX, BY)) is not None  # a clerk's look
    time.sleep(0.08)  # longer ago than a street block is counted again for
    reports("road_pothole")
    cache.hear(Change(REPORTS, MUNICIPALITY_ID, PLACE * 2))
    _idle(keeper)
    assert cache.get(block_key(ahead, BASE_CELL, BX, BY)) is None  # left until a view asks
    kept = cache.get(block_key(looked_at, BASE_CELL, BX, BY))
    with Session(engine) as session:
        counted = count_block(session, looked_at, BASE_CELL, BX, BY)
    assert _as_sent(kept) == _as_sent(counted)
    assert sum(n for n, _ in _as_sent(kept).values()) >= 2  # the new report is in it
