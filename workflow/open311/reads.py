"""The GET side of GeoReport v2 and the public map: published reports only, no personal data.

What is published is decided in :mod:`geo.open311_queries` (one rule for every reader).
Each function is one read-only transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from geo.open311_queries import Jurisdiction as Jurisdiction
from geo.open311_queries import PublicHistoryEntry as PublicHistoryEntry
from geo.open311_queries import PublicReport as PublicReport
from geo.open311_queries import PublicService as PublicService
from geo.open311_queries import (
    ReportFilter,
    find_public_photo,
    find_receipt_by_token,
    list_public_history,
    list_public_reports,
    list_public_services,
)
from workflow.clock import now_tokyo
from workflow.open311.errors import BadRequestError, UnknownResourceError
from workflow.open311.jurisdiction import check_jurisdiction
from workflow.open311.posting import URGENT_ATTRIBUTE, URGENT_VALUES

OPEN_STATUSES: Final = ("received", "in_progress")
CLOSED_STATUSES: Final = ("done", "rejected", "duplicate")
STATUS_GROUPS: Final = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}
DEFAULT_WINDOW: Final = dt.timedelta(days=90)  # the spec's default and widest date range
MAX_RESULTS: Final = 1000
MAP_MAX_REPORTS: Final = 1000


@dataclass(frozen=True)
class AttributeSpec:
    """One question of a service; the edge supplies its words by ``code``."""

    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    order: int
    value_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceDefinition:
    service: PublicService
    attributes: tuple[AttributeSpec, ...]


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' parameters, parsed. ``statuses`` holds ``open`` / ``closed``."""

    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class PublicMap:
    reports: list[PublicReport]
    history: list[PublicHistoryEntry]


def attributes_of(service: PublicService) -> tuple[AttributeSpec, ...]:
    """The questions a service asks: disaster reports ask whether lives are at risk."""
    if service.kind != "disaster":
        return ()
    return (AttributeSpec(URGENT_ATTRIBUTE, "singlevaluelist", True, 1, tuple(URGENT_VALUES)),)


def describe_jurisdiction(
    session: Session, municipality_id: int, jurisdiction: str | None
) -> Jurisdiction:
    """The municipality this server answers for (discovery).

    Raises:
        UnknownResourceError: unknown jurisdiction.
    """
    with session.begin():
        return check_jurisdiction(session, municipality_id, jurisdiction)


def list_services(
    session: Session, municipality_id: int, jurisdiction: str | None
) -> list[PublicService]:
    """The services (categories) clients may post to.

    Raises:
        UnknownResourceError: unknown jurisdiction.
    """
    with session.begin():
        check_jurisdiction(session, municipality_id, jurisdiction)
        return list_public_services(session, municipality_id)


def get_service_definition(
    session: Session, municipality_id: int, jurisdiction: str | None, service_code: str
) -> ServiceDefinition:
    """One service and its attributes.

    Raises:
        UnknownResourceError: unknown jurisdiction or service.
    """
    for service in list_services(session, municipality_id, jurisdiction):
        if service.code == service_code:
            return ServiceDefinition(service, attributes_of(service))
    raise UnknownResourceError("service", field="service_code", code=service_code)


def _window(query: RequestQuery, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    start, end = query.start, query.end
    if start is None and end is None:
        return now - DEFAULT_WINDOW, now
    if start is None and end is not None:
        return end - DEFAULT_WINDOW, end
    if end is None and start is not None:
        return start, start + DEFAULT_WINDOW
    assert start is not None and end is not None
    if end < start:
        raise BadRequestError("date_order", field="end_date")
    if end - start > DEFAULT_WINDOW:
        raise BadRequestError("date_span", field="end_date", days=DEFAULT_WINDOW.days)
    return start, end


def _filter(query: RequestQuery, now: dt.datetime) -> ReportFilter:
    if query.service_request_ids:  # the spec: ids override every other parameter
        return ReportFilter(receipt_nos=query.service_request_ids, limit=MAX_RESULTS)
    statuses: list[str] = []
    for group in query.statuses:
        if group not in STATUS_GROUPS:
            raise BadRequestError("status", field="status", value=group)
        statuses.extend(STATUS_GROUPS[group])
    since, until = _window(query, now)
    return ReportFilter(
        service_codes=query.service_codes,
        statuses=tuple(statuses),
        since=since,
        until=until,
        limit=MAX_RESULTS,
    )


def list_requests(
    session: Session,
    municipality_id: int,
    jurisdiction: str | None,
    query: RequestQuery,
    now: dt.datetime | None = None,
) -> list[PublicReport]:
    """Published reports matching the query, newest first, at most 1,000.

    Without dates: the last 90 days; a range may span at most 90 days.

    Raises:
        UnknownResourceError: unknown jurisdiction.
        BadRequestError: unknown status, end before start, or a range over 90 days.
    """
    where = _filter(query, now or now_tokyo())
    with session.begin():
        check_jurisdiction(session, municipality_id, jurisdiction)
        return list_public_reports(session, municipality_id, where)


def get_request(
    session: Session, municipality_id: int, jurisdiction: str | None, service_request_id: str
) -> PublicReport:
    """One published report by its receipt number.

    Raises:
        UnknownResourceError: unknown jurisdiction, or no published report with that number.
    """
    where = ReportFilter(receipt_nos=(service_request_id,), limit=1)
    with session.begin():
        check_jurisdiction(session, municipality_id, jurisdiction)
        found = list_public_reports(session, municipality_id, where)
    if not found:
        raise UnknownResourceError("request", field="service_request_id", value=service_request_id)
    return found[0]


def resolve_token(
    session: Session, municipality_id: int, jurisdiction: str | None, token: str
) -> str:
    """The service_request_id (receipt number) a POST's token stands for.

    Raises:
        UnknownResourceError: unknown jurisdiction or token.
    """
    try:
        parsed = uuid.UUID(token)
    except ValueError:
        raise UnknownResourceError("token", field="token") from None
    with session.begin():
        check_jurisdiction(session, municipality_id, jurisdiction)
        receipt_no = find_receipt_by_token(session, municipality_id, parsed)
    if receipt_no is None:
        raise UnknownResourceError("token", field="token")
    return receipt_no


def load_public_map(session: Session, municipality_id: int) -> PublicMap:
    """Open published reports (newest first, at most 1,000) and their status histories."""
    where = ReportFilter(statuses=OPEN_STATUSES, limit=MAP_MAX_REPORTS)
    with session.begin():
        reports = list_public_reports(session, municipality_id, where)
        history = list_public_history(
            session, municipality_id, [report.receipt_no for report in reports]
        )
    return PublicMap(reports, history)


def find_photo_path(session: Session, municipality_id: int, photo_id: int) -> str | None:
    """The stored path of a photo whose category publishes photos, or None."""
    with session.begin():
        return find_public_photo(session, municipality_id, photo_id)
