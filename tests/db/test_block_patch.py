"""A block a change dropped is made again from the old one and a count of the touched cells.

An opening view's blocks are kept current whether a clerk looks or not: at a million reports,
one left to go stale while nobody looked cost the first clerk back a count of the whole town
(2 s) on each web process; the map bench's page step found it after another desk's clerks had
changed reports for a minute.
"""

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
from workflow import fresh
from workflow.clock import now_tokyo
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


def _total(block: Block | None) -> int:
    assert block is not None
    return sum(counts.n for counts, _feature in block.cells.values())


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


def _keeper(engine: Engine, ttl_s: float = 300.0) -> tuple[FreshCache[Block], BlockKeeper]:
    cache: FreshCache[Block] = FreshCache(ttl_s, 8192, frozenset({REPORTS}))
    cache.set_live(True)
    return cache, BlockKeeper(cache)


def test_a_change_nobody_looked_at_is_counted_into_an_opening_view_only(
    engine: Engine, reports: ReportFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fresh, "RENEW_USED_S", 0.05)
    reports("road_pothole")
    cache, keeper = _keeper(engine)
    opening = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    tried = ReportFilter(MUNICIPALITY_ID, None, now_tokyo(), categories=("road_pothole",))
    with Session(engine) as session:
        keeper.warm(session, opening, BASE_CELL, current=True)
        keeper.warm(session, tried, BASE_CELL)  # a filter a clerk tried once
    _idle(keeper)
    time.sleep(0.08)  # nobody has asked for either since
    reports("road_pothole")
    cache.hear(Change(REPORTS, MUNICIPALITY_ID, PLACE * 2))
    _idle(keeper)
    assert cache.get(block_key(tried, BASE_CELL, BX, BY)) is None  # left to be asked for
    kept = cache.get(block_key(opening, BASE_CELL, BX, BY))
    with Session(engine) as session:
        counted = count_block(session, opening, BASE_CELL, BX, BY)
    assert _as_sent(kept) == _as_sent(counted)
    assert _total(kept) >= 2  # the new report is in it


def test_an_opening_view_is_counted_again_before_it_grows_old_with_nobody_asking(
    engine: Engine, reports: ReportFactory
) -> None:
    cache, keeper = _keeper(engine, ttl_s=0.6)  # counted again after 0.45 s (WARM_SHARE)
    opening = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    key = block_key(opening, BASE_CELL, BX, BY)
    reports("road_pothole")
    with Session(engine) as session:
        keeper.warm(session, opening, BASE_CELL, current=True)
    _idle(keeper)
    before = _total(cache._items[key].value)
    reports("road_pothole")  # no notice: only a count of the town can see it
    deadline = time.monotonic() + 10
    while _total(cache._items[key].value) == before:
        assert time.monotonic() < deadline, "the opening view was never counted again"
        time.sleep(0.05)
    assert cache._items[key].expires > time.monotonic()  # current, not an expired block


def test_a_block_changed_while_its_town_is_counted_is_counted_on_top_not_left_missing(
    engine: Engine, reports: ReportFactory
) -> None:
    reports("road_pothole")
    cache, keeper = _keeper(engine)
    scope = ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
    reading, go_on = threading.Event(), threading.Event()

    def hold(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        if threading.current_thread().name != "machi-blocks" or sql.lstrip().startswith("SET"):
            return
        if not reading.is_set():  # the town's count, begun
            reading.set()
            assert go_on.wait(10)

    event.listen(engine, "before_cursor_execute", hold)
    try:
        with Session(engine) as session:
            keeper.warm(session, scope, BASE_CELL)
        assert reading.wait(10)
        reports("road_pothole")  # committed and heard while the town is counted
        cache.hear(Change(REPORTS, MUNICIPALITY_ID, PLACE * 2))
        go_on.set()
        _idle(keeper)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    kept = cache.get(block_key(scope, BASE_CELL, BX, BY))  # there: a wide view needs no SQL
    with Session(engine) as session:
        counted = count_block(session, scope, BASE_CELL, BX, BY)
    assert _as_sent(kept) == _as_sent(counted)
