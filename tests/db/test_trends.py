"""Trends on real PostGIS: counts by category × status, Tokyo weekday/hour, district, medians."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.models import StaffUser
from tests.conftest import MUNICIPALITY_ID
from workflow.clock import TOKYO
from workflow.desk.auth import StaffIdentity, identity_of
from workflow.desk.trends import MAX_DAYS, Trends, load_trends, trend_period
from workflow.errors import ForbiddenError, InvalidInputError
from workflow.reports.create import ReportDraft, create_report
from workflow.reports.transitions import Actor, transition

M = MUNICIPALITY_ID
WEEK = (dt.date(2021, 3, 1), dt.date(2021, 3, 7))  # Monday .. Sunday


def _who(session: Session, username: str) -> StaffIdentity:
    user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one()
    return identity_of(session, user)


def _place(session: Session, district: str) -> tuple[int, float, float]:
    row = session.execute(
        text(
            "SELECT id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM district "
            "WHERE municipality_id = :m AND name = :n"
        ),
        {"m": M, "n": district},
    ).one()
    return int(row.id), float(row.lon), float(row.lat)


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 3, day, hour, minute, tzinfo=TOKYO)


def _report(
    session: Session,
    category: str,
    created: dt.datetime,
    place: tuple[int, float, float],
    done_after_h: float | None = None,
) -> int:
    draft = ReportDraft(category, place[1], place[2], "phone")
    report = create_report(session, M, draft, now=created)
    if done_after_h is not None:
        done_at = created + dt.timedelta(hours=done_after_h)
        transition(session, M, report.id, "done", Actor("staff:test"), now=done_at)
    return report.id


@pytest.fixture()
def week(db_session: Session) -> Session:
    """A week of reports in 2021 (no other test writes there), flushed, rolled back after."""
    nishiki = _place(db_session, "錦町二丁目")
    akebono = _place(db_session, "曙町一丁目")
    _report(db_session, "road_pothole", _at(1, 9, 15), nishiki, done_after_h=10)
    _report(db_session, "road_pothole", _at(1, 10), nishiki, done_after_h=20)
    _report(db_session, "road_pothole", _at(3, 23, 30), akebono, done_after_h=40)
    _report(db_session, "road_pothole", _at(3, 23, 45), akebono)  # still 受付
    _report(db_session, "road_crack", _at(7, 0, 10), nishiki, done_after_h=5)
    _report(db_session, "dumping", _at(5, 14), akebono)
    # Just outside the week on both sides: never counted.
    _report(db_session, "road_pothole", dt.datetime(2021, 2, 28, 23, 59, tzinfo=TOKYO), nishiki)
    _report(db_session, "road_pothole", dt.datetime(2021, 3, 8, 0, 0, 30, tzinfo=TOKYO), nishiki)
    db_session.flush()
    return db_session


def _trends(session: Session, username: str, department: str | None = None) -> Trends:
    return load_trends(session, _who(session, username), *WEEK, department, dt.date(2026, 1, 1))


def test_category_by_status_counts_and_medians(week: Session) -> None:
    t = _trends(week, "doro")
    assert t.department is not None and t.department.code == "road"
    by_code = {c.code: c for c in t.categories}
    assert {c.kind for c in t.categories} == {"road"}  # staff see their own department only
    pothole = by_code["road_pothole"]
    assert (pothole.counts.done, pothole.counts.received, pothole.counts.total) == (3, 1, 4)
    assert pothole.median_hours_to_done == 20.0
    assert by_code["road_crack"].median_hours_to_done == 5.0
    assert by_code["road_light"].counts.total == 0  # listed with zeros
    assert by_code["road_light"].median_hours_to_done is None
    assert t.overall.counts.total == 5 and t.overall.counts.done == 4
    assert t.overall.median_hours_to_done == 15.0  # of 5, 10, 20, 40 hours


def test_weekday_and_hour_are_tokyo_time(week: Session) -> None:
    t = _trends(week, "doro")
    assert t.by_weekday == [2, 0, 2, 0, 0, 0, 1]  # Mon 2, Wed 2 (23:30 JST), Sun 1 (00:10 JST)
    assert t.weekday_hour[2][23] == 2 and t.weekday_hour[6][0] == 1
    assert t.by_hour[9] == 1 and t.by_hour[10] == 1 and sum(t.by_hour) == 5


def test_district_counts_cover_every_district(week: Session) -> None:
    t = _trends(week, "doro")
    counts = {d.name: d.count for d in t.districts}
    assert len(counts) == 79
    assert counts["錦町二丁目"] == 3 and counts["曙町一丁目"] == 2
    assert sum(counts.values()) + t.overall.without_district == t.overall.counts.total


def test_admin_sees_all_departments_or_the_one_chosen(week: Session) -> None:
    everything = _trends(week, "admin")
    assert everything.department is None and everything.overall.counts.total == 6
    assert {c.kind for c in everything.categories} >= {"road", "disaster", "bulky", "other"}
    kankyo = _trends(week, "admin", "kankyo")
    assert kankyo.overall.counts.total == 1
    assert [c.code for c in kankyo.categories if c.counts.total] == ["dumping"]


def test_staff_cannot_ask_for_another_department(week: Session) -> None:
    assert _trends(week, "kankyo", "kankyo").overall.counts.total == 1
    with pytest.raises(ForbiddenError) as refused:
        _trends(week, "kankyo", "road")
    assert refused.value.field == "department"
    with pytest.raises(InvalidInputError) as unknown:
        _trends(week, "admin", "nosuch")
    assert unknown.value.field == "department"


def test_crews_have_no_trends(db_session: Session) -> None:
    with pytest.raises(ForbiddenError):
        _trends(db_session, "crew1")


def test_period_defaults_and_limits() -> None:
    today = dt.date(2026, 11, 24)
    assert trend_period(None, None, today) == (dt.date(2026, 10, 26), today)
    assert trend_period(dt.date(2026, 11, 1), None, today) == (dt.date(2026, 11, 1), today)
    with pytest.raises(InvalidInputError) as backwards:
        trend_period(dt.date(2026, 11, 2), dt.date(2026, 11, 1), today)
    assert backwards.value.field == "from"
    with pytest.raises(InvalidInputError) as too_long:
        trend_period(today - dt.timedelta(days=MAX_DAYS), today, today)
    assert too_long.value.field == "to"
    assert trend_period(today - dt.timedelta(days=MAX_DAYS - 1), today, today)[0] < today
