"""What a staff view shows: the clerk's criteria, scoped to what the clerk may see.

The web layer parses query parameters into ``FilterCriteria``; ``scoped_filter`` adds the
municipality and the department scope (staff see their own department, admins every one),
so no view can forget the scope. The vocabularies a filter accepts are re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geo.models.reports import CHANNELS, REPORT_STATUSES
from geo.models.tenancy import CATEGORY_KINDS
from geo.report_queries import BBox, ReportFilter
from workflow.clock import now_tokyo
from workflow.desk.auth import StaffIdentity
from workflow.desk.reports import scope_of

__all__ = [
    "CATEGORY_KINDS",
    "CHANNELS",
    "REPORT_STATUSES",
    "BBox",
    "FilterCriteria",
    "ReportFilter",
    "scoped_filter",
]


@dataclass(frozen=True)
class FilterCriteria:
    """The reports a clerk asked for; empty tuples and None mean "any"."""

    bbox: BBox | None = None
    statuses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # category codes
    district_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    urgent: bool | None = None
    overdue: bool | None = None
    created_from: dt.datetime | None = None  # aware, included
    created_to: dt.datetime | None = None  # aware, excluded


def scoped_filter(
    who: StaffIdentity, criteria: FilterCriteria, now: dt.datetime | None = None
) -> ReportFilter:
    """The filter of ``criteria`` limited to the municipality and department of ``who``.

    Args:
        who: the staff member asking.
        criteria: what was asked for.
        now: the time "overdue" is measured at (aware); defaults to now in Tokyo.

    Raises:
        ForbiddenError: crews and staff without a department have no desk scope.
    """
    return ReportFilter(
        municipality_id=who.municipality_id,
        department_id=scope_of(who),
        now=now or now_tokyo(),
        bbox=criteria.bbox,
        statuses=criteria.statuses,
        kinds=criteria.kinds,
        categories=criteria.categories,
        district_ids=criteria.district_ids,
        channels=criteria.channels,
        urgent=criteria.urgent,
        overdue=criteria.overdue,
        created_from=criteria.created_from,
        created_to=criteria.created_to,
    )
