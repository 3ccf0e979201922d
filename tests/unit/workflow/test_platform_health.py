"""The platform page's verdicts on a town's figures, and how waiting times read."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from workflow.platform.health import EVENTS_BACKLOG, EVENTS_STALE_S, TownHealth, problems_of
from workflow.texts.platform import PROBLEM_LABELS_JA, age_ja

QUIET = TownHealth(
    code="13202",
    name="立川市",
    active=True,
    host="tachikawa.example.jp",
    disaster_mode=False,
    line_configured=True,
    line_channel="ok",
    events_pending=0,
    oldest_pending_event_s=None,
    last_event_at=dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC),
    outbox_waiting=0,
    outbox_failed=0,
    reports_total=10,
    reports_last_day=2,
    reports_open=3,
    bookings_upcoming=1,
)


@pytest.mark.parametrize(
    ("changes", "problems", "level"),
    [
        ({}, (), "ok"),
        ({"events_pending": EVENTS_BACKLOG}, ("events_backlog",), "warn"),
        ({"oldest_pending_event_s": EVENTS_STALE_S + 1}, ("events_stale",), "bad"),
        ({"outbox_failed": 1}, ("outbox_failed",), "bad"),
        ({"outbox_waiting": 500}, ("outbox_backlog",), "warn"),
        ({"line_configured": False}, ("line_not_configured",), "warn"),
        ({"line_configured": False, "active": False}, (), "ok"),  # a disabled town sends nothing
        (
            {"line_channel": "auth", "outbox_failed": 2},
            ("outbox_failed", "line_channel_fault"),
            "bad",
        ),
    ],
)
def test_problems_and_level(
    changes: dict[str, object], problems: tuple[str, ...], level: str
) -> None:
    town = replace(QUIET, **changes)  # type: ignore[arg-type]
    town = replace(town, problems=problems_of(town))
    assert town.problems == problems
    assert town.level == level


def test_every_problem_has_a_label() -> None:
    worst = replace(
        QUIET,
        events_pending=EVENTS_BACKLOG,
        oldest_pending_event_s=EVENTS_STALE_S * 10,
        outbox_waiting=1000,
        outbox_failed=3,
        line_configured=False,
        line_channel="throttled",
    )
    assert set(problems_of(worst)) == set(PROBLEM_LABELS_JA)


def test_json_form_has_tokyo_times_and_the_level() -> None:
    data = replace(QUIET, problems=("outbox_failed",)).as_dict()
    assert data["last_event_at"] == "2026-12-03T10:00:00+09:00"
    assert data["problems"] == ["outbox_failed"] and data["level"] == "bad"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (5, "5秒"), (600, "10分"), (5400, "1.5時間"), (3 * 86400, "3.0日")],
)
def test_waiting_times_read_as_people_say_them(seconds: float | None, text: str) -> None:
    assert age_ja(seconds) == text
