"""Japanese national holidays (国民の祝日) for 2026–2027, as published by the Cabinet Office.

A fixed table rather than a rule engine: the equinox days are set by official announcement
each February, and substitute (振替休日) and sandwiched (国民の休日) days follow from the
table. Extend the table before the end of 2027 (``covered_years`` says how far it goes).
"""

from __future__ import annotations

import datetime as dt

_D = dt.date

HOLIDAYS: dict[dt.date, str] = {
    _D(2026, 1, 1): "元日",
    _D(2026, 1, 12): "成人の日",
    _D(2026, 2, 11): "建国記念の日",
    _D(2026, 2, 23): "天皇誕生日",
    _D(2026, 3, 20): "春分の日",
    _D(2026, 4, 29): "昭和の日",
    _D(2026, 5, 3): "憲法記念日",
    _D(2026, 5, 4): "みどりの日",
    _D(2026, 5, 5): "こどもの日",
    _D(2026, 5, 6): "振替休日",
    _D(2026, 7, 20): "海の日",
    _D(2026, 8, 11): "山の日",
    _D(2026, 9, 21): "敬老の日",
    _D(2026, 9, 22): "国民の休日",
    _D(2026, 9, 23): "秋分の日",
    _D(2026, 10, 12): "スポーツの日",
    _D(2026, 11, 3): "文化の日",
    _D(2026, 11, 23): "勤労感謝の日",
    _D(2027, 1, 1): "元日",
    _D(2027, 1, 11): "成人の日",
    _D(2027, 2, 11): "建国記念の日",
    _D(2027, 2, 23): "天皇誕生日",
    _D(2027, 3, 21): "春分の日",
    _D(2027, 3, 22): "振替休日",
    _D(2027, 4, 29): "昭和の日",
    _D(2027, 5, 3): "憲法記念日",
    _D(2027, 5, 4): "みどりの日",
    _D(2027, 5, 5): "こどもの日",
    _D(2027, 7, 19): "海の日",
    _D(2027, 8, 11): "山の日",
    _D(2027, 9, 20): "敬老の日",
    _D(2027, 9, 23): "秋分の日",
    _D(2027, 10, 11): "スポーツの日",
    _D(2027, 11, 3): "文化の日",
    _D(2027, 11, 23): "勤労感謝の日",
}

covered_years = frozenset(day.year for day in HOLIDAYS)


def holiday_name(day: dt.date) -> str | None:
    """The national holiday's name on ``day`` (Asia/Tokyo calendar date), or None.

    Args:
        day: a calendar date; years outside ``covered_years`` always answer None.
    """
    return HOLIDAYS.get(day)
