"""Planning moves bookings to 作業中 and tells each LINE resident once; dropped ones go back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from api.line.notices import planned_notice
from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky_day import book_day, release_day
from workflow.plans.plan import plan
from workflow.texts.staff import DROPPED_NOTE, ROUTED_NOTE

_STATUS = (
    "SELECT b.id, r.status FROM booking b JOIN report r ON r.municipality_id = b.municipality_id "
    "AND r.id = b.report_id WHERE b.municipality_id = :m AND b.id = ANY(:ids)"
)
_PUSHES = (
    "SELECT o.report_id, o.to_line_user_id, o.messages::text AS body FROM outbox_message o "
    "JOIN booking b ON b.municipality_id = o.municipality_id AND b.report_id = o.report_id "
    "WHERE o.municipality_id = :m AND b.id = ANY(:ids) AND o.purpose = 'status_change'"
)
_AUDIT = (
    "SELECT h.from_status, h.to_status, h.note FROM status_history h JOIN booking b ON "
    "b.municipality_id = h.municipality_id AND b.report_id = h.report_id "
    "WHERE h.municipality_id = :m AND b.id = :b AND h.actor = 'system:planning' ORDER BY h.id"
)


@pytest.fixture(scope="module")
def booked(engine: Engine) -> Iterator[tuple[dt.date, list[int]]]:
    day, ids = book_day(engine, offset_days=90, count=4, seed=71)
    try:
        yield day, ids
    finally:
        release_day(engine, day)


def _rows(engine: Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), {"m": MUNICIPALITY_ID, **params})]


def test_routing_tells_each_resident_once_and_a_dropped_booking_goes_back(
    engine: Engine, booked: tuple[dt.date, list[int]]
) -> None:
    day, ids = booked
    plan(engine, MUNICIPALITY_ID, day, time_limit_s=1, seed=1, notice=planned_notice)
    assert {s for _b, s in _rows(engine, _STATUS, ids=ids)} == {"in_progress"}
    pushes = _rows(engine, _PUSHES, ids=ids)
    assert len(pushes) == 4 and len({p[1] for p in pushes}) == 4
    assert all("作業中" in str(p[2]) and "8時30分" in str(p[2]) for p in pushes)

    too_big, kept = ids[0], ids[1:]
    with engine.begin() as conn:  # bigger than any truck: the next plan cannot route it
        conn.execute(
            text(
                "UPDATE booking SET size_points_total = 9999 WHERE municipality_id = :m AND id = :b"
            ),
            {"m": MUNICIPALITY_ID, "b": too_big},
        )
    result = plan(engine, MUNICIPALITY_ID, day, time_limit_s=1, seed=1, notice=planned_notice)
    assert [b for b, _reason in result.unassigned] == [too_big]
    statuses = {row[0]: row[1] for row in _rows(engine, _STATUS, ids=ids)}
    assert statuses[too_big] == "received"
    assert {statuses[b] for b in kept} == {"in_progress"}
    assert len(_rows(engine, _PUSHES, ids=ids)) == 4  # re-planning pushed nothing new
    assert _rows(engine, _AUDIT, b=too_big) == [
        ("received", "in_progress", ROUTED_NOTE),
        ("in_progress", "received", DROPPED_NOTE),
    ]
