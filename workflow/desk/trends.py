"""Trends of the staff desk: what came in over a period, how it went, where and when.

Department staff see their own department; admins every department or one they choose.
The period is whole days in Tokyo, both ends included; reports count by when they came in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from geo.report_queries import ReportFilter
from geo.trend_queries import (
    CategoryTrend,
    DepartmentChoice,
    DistrictCount,
    Overall,
    category_trends,
    departments,
    district_counts,
    overall_trend,
    weekday_hour_counts,
)
from workflow.clock import TOKYO, now_tokyo
from workflow.desk.auth import StaffIdentity
from workflow.desk.reports import scope_of
from workflow.errors import ForbiddenError, InvalidInputError

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years: the page stays quick and the charts readable


@dataclass(frozen=True)
class Trends:
    period_from: dt.date
    period_to: dt.date  # inclusive
    department: DepartmentChoice | None  # None: every department (admin)
    overall: Overall
    categories: list[CategoryTrend]
    weekday_hour: list[list[int]]  # [weekday Monday..Sunday][hour 0..23]
    districts: list[DistrictCount]

    @property
    def by_weekday(self) -> list[int]:
        return [sum(hours) for hours in self.weekday_hour]

    @property
    def by_hour(self) -> list[int]:
        return [sum(day[h] for day in self.weekday_hour) for h in range(24)]


def trend_department(
    session: Session, who: StaffIdentity, code: str | None
) -> DepartmentChoice | None:
    """The department the trends cover: staff their own, admins the one asked for (or all).

    Raises:
        ForbiddenError: staff asking for another department; crews.
        InvalidInputError: an admin naming an unknown department.
    """
    scope = scope_of(who)
    known = departments(session, who.municipality_id)
    if scope is not None:
        own = next(d for d in known if d.id == scope)
        if code and code != own.code:
            raise ForbiddenError("trends_other_department", field="department")
        return own
    if not code:
        return None
    chosen = next((d for d in known if d.code == code), None)
    if chosen is None:
        raise InvalidInputError("department_unknown", field="department")
    return chosen


def trend_period(
    period_from: dt.date | None, period_to: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period asked for; the end defaults to today, the start to ``DEFAULT_DAYS`` before it.

    Raises:
        InvalidInputError: the start is after the end, or the period exceeds ``MAX_DAYS``.
    """
    end = period_to or today
    start = period_from or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInputError("period_reversed", field="from")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInputError("period_too_long", field="to", max=MAX_DAYS)
    return start, end


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)


def load_trends(
    session: Session,
    who: StaffIdentity,
    period_from: dt.date | None,
    period_to: dt.date | None,
    department_code: str | None,
    today: dt.date,
) -> Trends:
    """Counts by category × status, weekday and hour, district, and median time to 完了.

    Args:
        session: open session (read only).
        who: the staff member asking (department-scoped; admins see all or one department).
        period_from: first day (Tokyo), or None for ``DEFAULT_DAYS`` before ``period_to``.
        period_to: last day, included; None for today.
        department_code: for admins, one department's code; staff may give only their own.
        today: the current day in Tokyo.

    Raises:
        InvalidInputError: bad period or unknown department.
        ForbiddenError: another department's trends, or a crew member asking.
    """
    department = trend_department(session, who, department_code)
    start, end = trend_period(period_from, period_to, today)
    f = ReportFilter(
        municipality_id=who.municipality_id,
        department_id=department.id if department else None,
        now=now_tokyo(),
        created_from=_day_start(start),
        created_to=_day_start(end + dt.timedelta(days=1)),
    )
    return Trends(
        period_from=start,
        period_to=end,
        department=department,
        overall=overall_trend(session, f),
        categories=category_trends(session, f),
        weekday_hour=weekday_hour_counts(session, f),
        districts=district_counts(session, f),
    )
