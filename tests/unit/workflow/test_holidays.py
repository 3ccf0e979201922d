"""The national-holiday table and the working-day cut-off built on it."""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.bookings.calendar import (
    BookingWindow,
    change_deadline,
    closed_reason,
    is_working_day,
)
from workflow.bookings.holidays import HOLIDAYS, covered_years, holiday_name
from workflow.clock import TOKYO

HAPPY_MONDAYS = {"成人の日": (1, 2), "海の日": (7, 3), "敬老の日": (9, 3), "スポーツの日": (10, 2)}


def test_counts_per_year() -> None:
    assert covered_years == {2026, 2027}
    assert sum(d.year == 2026 for d in HOLIDAYS) == 18
    assert sum(d.year == 2027 for d in HOLIDAYS) == 17


@pytest.mark.parametrize("name", sorted(HAPPY_MONDAYS))
def test_happy_monday_holidays_fall_on_the_right_monday(name: str) -> None:
    month, nth = HAPPY_MONDAYS[name]
    for day in (d for d, n in HOLIDAYS.items() if n == name):
        assert day.month == month and day.weekday() == 0 and (day.day - 1) // 7 + 1 == nth


def test_substitute_holidays_follow_a_sunday_holiday() -> None:
    for day, name in HOLIDAYS.items():
        if name == "振替休日":
            before = day - dt.timedelta(days=1)
            while before in HOLIDAYS and before.weekday() != 6:
                before -= dt.timedelta(days=1)
            assert before.weekday() == 6 and before in HOLIDAYS
        if day.weekday() == 6:  # every Sunday holiday has its substitute
            after = day + dt.timedelta(days=1)
            while after in HOLIDAYS and HOLIDAYS[after] != "振替休日":
                after += dt.timedelta(days=1)
            assert HOLIDAYS.get(after) == "振替休日"


def test_sandwiched_day_2026_and_fixed_days() -> None:
    assert holiday_name(dt.date(2026, 9, 22)) == "国民の休日"
    assert holiday_name(dt.date(2026, 11, 23)) == "勤労感謝の日"
    assert holiday_name(dt.date(2027, 3, 22)) == "振替休日"
    assert holiday_name(dt.date(2026, 11, 24)) is None


def test_closed_days_and_working_days() -> None:
    assert closed_reason(dt.date(2026, 12, 31)) == "年末年始"
    assert closed_reason(dt.date(2026, 11, 3)) == "文化の日"
    assert not is_working_day(dt.date(2026, 11, 23))  # Monday, holiday
    assert not is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert is_working_day(dt.date(2026, 11, 24))


@pytest.mark.parametrize(
    ("service", "deadline"),
    [
        (dt.date(2026, 11, 26), dt.datetime(2026, 11, 24, 17, 0)),  # Thu -> Tue
        (dt.date(2026, 11, 30), dt.datetime(2026, 11, 26, 17, 0)),  # Mon -> Thu
        (dt.date(2026, 11, 25), dt.datetime(2026, 11, 20, 17, 0)),  # Wed -> Fri (23rd holiday)
        (dt.date(2027, 1, 5), dt.datetime(2026, 12, 28, 17, 0)),  # Jan 4, then over 12/29–1/3
    ],
)
def test_change_deadline_counts_two_working_days(service: dt.date, deadline: dt.datetime) -> None:
    assert change_deadline(service, TOKYO) == deadline.replace(tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (dt.date(2026, 12, 2), dt.date(2026, 12, 5)),  # Wed: three days (Sat's deadline is Thu)
        (dt.date(2026, 12, 3), dt.date(2026, 12, 8)),  # Thu: Mon's deadline is today, Tue's Fri
        (dt.date(2026, 12, 4), dt.date(2026, 12, 9)),  # Fri evening: not Mon, not Tue
        (dt.date(2026, 12, 5), dt.date(2026, 12, 9)),  # Sat: Tue's deadline was Fri
        (dt.date(2026, 12, 7), dt.date(2026, 12, 10)),  # Mon: three days, deadline Tue
        (dt.date(2026, 12, 24), dt.date(2026, 12, 29)),  # a bound: 12/29 itself is closed
    ],
)
def test_first_bookable_day_can_still_be_changed_after_booking(
    today: dt.date, first: dt.date
) -> None:
    assert BookingWindow().first_day(today) == first
    assert change_deadline(first, TOKYO).date() > today
    before = first - dt.timedelta(days=1)
    assert not BookingWindow().holds(before, today)
    assert BookingWindow().holds(first, today)
