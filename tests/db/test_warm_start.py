"""A web process counts each desk's opening map view ahead once it hears changes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo.report_queries import ReportFilter, count_reports
from geo.trend_queries import departments
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import ReportFactory
from workflow.clock import now_tokyo
from workflow.desk import map_view, warm_start

pytestmark = pytest.mark.db


@pytest.fixture()
def live_blocks() -> Iterator[None]:
    def forget() -> None:  # what earlier tests of this process had counted
        _idle()
        map_view._keeper._warmed.clear()
        map_view._keeper._extents.clear()
        map_view._wide._made.clear()

    forget()
    map_view._blocks.set_live(True)
    yield
    map_view._blocks.set_live(False)  # forget what the test kept
    forget()


def _idle() -> None:
    deadline = time.monotonic() + 30
    while not map_view._keeper.idle():
        assert time.monotonic() < deadline, "the keeper never finished"
        time.sleep(0.05)


def _timed(department: int | None) -> ReportFilter:
    return ReportFilter(MUNICIPALITY_ID, department, now_tokyo())


def _scope(department: int | None) -> ReportFilter:
    return ReportFilter(MUNICIPALITY_ID, department, map_view._EPOCH)


def test_every_desk_of_a_large_enough_town_is_counted_ahead(
    engine: Engine, live_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = ReportFactory(engine)
    try:
        reports("road_pothole")
        with Session(engine) as session:
            desks = [None, *(d.id for d in departments(session, MUNICIPALITY_ID))]
        monkeypatch.setattr(warm_start, "WARM_MIN_REPORTS", 10**9)
        assert warm_start.warm_opening_views(engine) == 0  # no town that large
        assert all(map_view._wide.town(_scope(d)) is None for d in desks)

        monkeypatch.setattr(warm_start, "WARM_MIN_REPORTS", 1)
        assert warm_start.warm_opening_views(engine) >= len(desks)
        _idle()
        counted = {desk: map_view._wide.town(_scope(desk)) for desk in desks}
        admins = counted[None]
        assert admins is not None and admins.total >= 1  # the admins' view
        assert all(town is not None for town in counted.values())
        with Session(engine) as session:  # a desk with no reports has its town, empty:
            having = {d for d in desks[1:] if count_reports(session, _timed(d), cap=1)}
        assert having  # the road desk's at least; its first report lands in a kept block
        assert {d for d, town in counted.items() if d and town and town.total} == having
    finally:
        reports.cleanup()


def test_a_process_that_cannot_hear_changes_counts_nothing_ahead(engine: Engine) -> None:
    with Session(engine) as session:
        assert not map_view.warm_city_view(
            session, ReportFilter(MUNICIPALITY_ID, None, now_tokyo())
        )
