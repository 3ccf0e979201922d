"""Street views' points put together from kept blocks equal the points a query of the view reads."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.change_feed import REPORTS, Change
from geo.report_queries import BBox, ReportFilter, report_points
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import PLACE, ReportFactory
from workflow.desk import point_blocks
from workflow.desk.point_blocks import (
    BLOCK_DEG,
    PointBlock,
    kept_points,
    plain_cache,
    street_points,
)
from workflow.fresh import FreshCache

pytestmark = pytest.mark.db
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


@pytest.fixture()
def cache() -> FreshCache[PointBlock]:
    made: FreshCache[PointBlock] = plain_cache(300.0, frozenset({REPORTS}))
    made.set_live(True)
    return made


def _edge() -> tuple[float, float]:
    """A block corner near the test place: reports on it fall on four blocks' edges."""
    lon, lat = PLACE
    return round(lon / BLOCK_DEG) * BLOCK_DEG, round(lat / BLOCK_DEG) * BLOCK_DEG


def _seed(reports: ReportFactory, engine: Engine) -> list[int]:
    x, y = _edge()
    ids = []
    for i in range(-4, 5):
        for j in (-1, 0, 1):  # on the corner's row and column, and a little either side
            ids.append(reports("road_pothole", place=(x + i * 0.0004, y + j * 1e-9)).id)
            ids.append(reports("road_pothole", place=(x + j * 1e-9, y + i * 0.0004)).id)
    with engine.begin() as conn:  # a spread of ages: some past the category's target
        conn.execute(
            text(
                "UPDATE report SET urgent = (id % 3 = 0), "
                "created_at = now() - make_interval(hours => CAST(id % 9 AS int) * 24) "
                "WHERE municipality_id = :m AND id = ANY(:ids)"
            ),
            {"m": MUNICIPALITY_ID, "ids": ids},
        )
    return ids


def _view(f: ReportFilter, limit: int, engine: Engine) -> tuple[str, int]:
    with Session(engine) as session:
        return report_points(session, f, limit)


def test_views_from_blocks_equal_the_query_of_each_view(
    engine: Engine, reports: ReportFactory, cache: FreshCache[PointBlock]
) -> None:
    _seed(reports, engine)
    x, y = _edge()
    rng = random.Random(15)
    views = [BBox(x - 0.002, y - 0.0016, x + 0.002, y + 0.0016)]  # over the corner
    views += [BBox(x, y, x + 0.003, y + 0.003), BBox(x - 0.0016, y - 0.0012, x, y)]  # on edges
    for _ in range(30):
        w, s = x + rng.uniform(-0.004, 0.002), y + rng.uniform(-0.004, 0.002)
        views.append(BBox(w, s, w + rng.uniform(0.0005, 0.004), s + rng.uniform(0.0005, 0.004)))
    seen = 0
    for department in (None, 1):
        for b in views:
            f = ReportFilter(MUNICIPALITY_ID, department, NOW, bbox=b)
            for limit in (1000, 5):
                with Session(engine) as session:
                    made = street_points(session, f, limit, cache)
                assert made is not None
                total, answer = made
                features, counted = _view(f, limit, engine)
                assert (total, answer.total, answer.mode) == (counted, counted, "points")
                assert json.loads(answer.geojson) == json.loads(features)
                assert answer.geojson == features  # the very same text
                seen += min(counted, limit)
    assert seen > 100
    overdue = [
        feature["properties"]["overdue"]
        for feature in json.loads(
            _view(ReportFilter(MUNICIPALITY_ID, None, NOW, views[0]), 1000, engine)[0]
        )  # fmt: skip
    ]
    assert True in overdue and False in overdue  # both flags were compared


def test_the_overdue_flag_follows_the_clock_without_reading_again(
    engine: Engine, reports: ReportFactory, cache: FreshCache[PointBlock]
) -> None:
    _seed(reports, engine)
    x, y = _edge()
    b = BBox(x - 0.002, y - 0.0016, x + 0.002, y + 0.0016)
    with Session(engine) as session:
        assert street_points(session, ReportFilter(MUNICIPALITY_ID, None, NOW, b), 1000, cache)
    for later in (NOW + dt.timedelta(hours=30), NOW + dt.timedelta(days=20)):
        f = ReportFilter(MUNICIPALITY_ID, None, later, bbox=b)
        kept = kept_points(f, 1000, cache)  # no session: from the kept blocks only
        assert kept is not None
        assert kept[1].geojson == _view(f, 1000, engine)[0]


def test_a_change_drops_only_its_block_and_the_view_shows_it(
    engine: Engine, reports: ReportFactory, cache: FreshCache[PointBlock]
) -> None:
    _seed(reports, engine)
    x, y = _edge()
    f = ReportFilter(
        MUNICIPALITY_ID, None, NOW, bbox=BBox(x - 0.002, y - 0.0016, x + 0.002, y + 0.0016)
    )
    with Session(engine) as session:
        before = street_points(session, f, 1000, cache)
    assert before is not None and kept_points(f, 1000, cache) is not None
    blocks = len(cache)
    spot = (x + 0.001, y + 0.001)
    made = reports("road_pothole", place=spot)
    assert kept_points(f, 1000, cache) == before  # not heard yet: still the kept answer
    cache.hear(Change(REPORTS, MUNICIPALITY_ID, spot * 2))
    assert len(cache) == blocks - 1 and kept_points(f, 1000, cache) is None
    with Session(engine) as session:
        after = street_points(session, f, 1000, cache)
    assert len(cache) == blocks  # that block read again, the others kept
    assert after is not None and after[0] == before[0] + 1
    assert json.loads(after[1].geojson)[0]["id"] == made.id  # the newest comes first
    assert after[1].geojson == _view(f, 1000, engine)[0]


def test_a_dense_block_is_left_to_the_query_and_remembered(
    engine: Engine, reports: ReportFactory, cache: FreshCache[PointBlock],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _seed(reports, engine)
    monkeypatch.setattr(point_blocks, "BLOCK_MOST", 3)
    x, y = _edge()
    f = ReportFilter(
        MUNICIPALITY_ID, None, NOW, bbox=BBox(x + 0.0001, y + 0.0001, x + 0.002, y + 0.002)
    )
    with Session(engine) as session:
        assert street_points(session, f, 1000, cache) is None
    assert len(cache) == 1  # the dense block, kept as such: nobody counts it again
    assert kept_points(f, 1000, cache) is None
    overdue = ReportFilter(MUNICIPALITY_ID, None, NOW, bbox=f.bbox, overdue=True)
    with Session(engine) as session:
        assert street_points(session, overdue, 1000, cache) is None  # moves with the clock
