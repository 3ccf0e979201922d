"""The change feed on the real database: committed changes arrive, with their town and place."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from geo.change_feed import CONFIG, REPORTS, STAFF, Change, ChangeFeed
from geo.db import libpq_conninfo
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import PLACE, ReportFactory

pytestmark = pytest.mark.db


class Heard:
    def __init__(self) -> None:
        self.changes: queue.Queue[Change] = queue.Queue()
        self.live: list[bool] = []

    def next(self, timeout_s: float = 5.0) -> Change:
        return self.changes.get(timeout=timeout_s)

    def nothing_more(self, wait_s: float = 0.3) -> bool:
        try:
            self.changes.get(timeout=wait_s)
        except queue.Empty:
            return True
        return False


@pytest.fixture()
def heard(app_database_url: str) -> Iterator[Heard]:
    """A feed listening as the app role, as the web processes do."""
    got = Heard()
    feed = ChangeFeed(libpq_conninfo(app_database_url), got.changes.put, got.live.append, 0.2)
    feed.start()
    assert feed.wait_live(10)
    yield got
    feed.stop()
    assert got.live[-1] is False


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


def test_a_new_report_is_heard_with_its_town_and_place(
    heard: Heard, reports: ReportFactory
) -> None:
    reports("road_pothole")
    change = heard.next()
    assert change.kind == REPORTS and change.town == MUNICIPALITY_ID
    assert change.box is not None
    assert change.box[0] == pytest.approx(PLACE[0]) and change.box[1] == pytest.approx(PLACE[1])
    assert heard.nothing_more()  # one notice for the statement


def test_a_status_change_is_heard_only_when_it_commits(
    heard: Heard, reports: ReportFactory, engine: Engine
) -> None:
    made = reports("road_pothole")
    heard.next()
    with engine.connect() as conn:
        conn.execute(
            text("UPDATE report SET status = 'in_progress' WHERE id = :id"), {"id": made.id}
        )
        assert heard.nothing_more()  # not committed yet: nobody may drop anything for it
        conn.commit()
    assert heard.next().box == pytest.approx((*PLACE, *PLACE))


def test_a_rolled_back_change_is_never_heard(
    heard: Heard, reports: ReportFactory, engine: Engine
) -> None:
    made = reports("road_pothole")
    heard.next()
    with engine.connect() as conn:
        conn.execute(text("UPDATE report SET urgent = true WHERE id = :id"), {"id": made.id})
        conn.rollback()
    assert heard.nothing_more()


def test_one_statement_over_many_reports_sends_one_notice_with_their_extent(
    heard: Heard, reports: ReportFactory, engine: Engine
) -> None:
    east = (PLACE[0] + 0.01, PLACE[1] + 0.005)
    ids = [reports("road_pothole").id, reports("road_pothole", place=east).id]
    heard.next(), heard.next()
    with engine.begin() as conn:
        conn.execute(text("UPDATE report SET urgent = true WHERE id = ANY(:ids)"), {"ids": ids})
    assert heard.next().box == pytest.approx((PLACE[0], PLACE[1], east[0], east[1]))
    assert heard.nothing_more()


def test_staff_settings_are_heard(heard: Heard, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE department SET name = name WHERE municipality_id = :m"),
            {"m": MUNICIPALITY_ID},
        )
    assert heard.next().kind == CONFIG


def test_staff_accounts_have_a_kind_of_their_own(heard: Heard, engine: Engine) -> None:
    """A failed login writes its count: that must not read as a change to what maps show."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE staff_user SET failed_logins = failed_logins WHERE municipality_id = :m"),
            {"m": MUNICIPALITY_ID},
        )
    assert heard.next() == Change(STAFF)
    assert heard.nothing_more()


def test_a_broken_connection_is_reported_and_the_feed_listens_again(
    heard: Heard, engine: Engine, reports: ReportFactory
) -> None:
    with engine.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'machi change feed' AND datname = current_database()"
            )
        ).scalars().all()  # fmt: skip
    assert killed == [True]
    for _ in range(100):
        if heard.live[-2:] == [False, True]:
            break
        heard.nothing_more(0.05)
    assert heard.live[-2:] == [False, True]  # caches forgot everything, then trust it again
    reports("road_pothole")
    assert heard.next().kind == REPORTS
