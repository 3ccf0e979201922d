"""POST requests: an Open311 client files a report through the web form's own workflow.

The report is made by :func:`workflow.web.reports.record_web_report` with channel ``open311``:
the same category, place and length checks, the same receipt numbers. The key check, the
report and the link to the key commit together or not at all, so a refused request writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session

from geo.models import Open311Request
from geo.open311_queries import find_district_point, list_public_services
from workflow.clock import now_tokyo
from workflow.errors import WorkflowError
from workflow.line.reports import add_resident_note
from workflow.open311.errors import BadRequestError
from workflow.open311.jurisdiction import check_jurisdiction
from workflow.open311.keys import check_key
from workflow.reports.create import MAX_DESCRIPTION_CHARS
from workflow.web.reports import WebReportSubmission, record_web_report

MAX_ADDRESS_CHARS: Final = 256
MAX_MEDIA_URL_CHARS: Final = 1000
URGENT_ATTRIBUTE: Final = "urgent"
URGENT_VALUES: Final = {"yes": True, "no": False}


@dataclass(frozen=True)
class Open311Submission:
    """The POST's fields as the client sent them (strings; empty ones as None)."""

    service_code: str | None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    description: str | None = None
    media_url: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PostedRequest:
    service_request_id: str  # the receipt number, as on every other channel
    token: uuid.UUID


def _check_lengths(form: Open311Submission) -> None:
    limits = (
        ("description", form.description, MAX_DESCRIPTION_CHARS),
        ("address_string", form.address_string, MAX_ADDRESS_CHARS),
        ("media_url", form.media_url, MAX_MEDIA_URL_CHARS),
    )
    for name, value, max_chars in limits:
        if value is not None and len(value) > max_chars:
            raise BadRequestError("too_long", field=name, max_chars=max_chars)
    if form.media_url and not form.media_url.startswith(("https://", "http://")):
        raise BadRequestError("malformed", field="media_url")


def _degrees(value: str, name: str, limit: float) -> float:
    try:
        degrees = float(value)
    except ValueError:
        raise BadRequestError("malformed", field=name) from None
    if not (math.isfinite(degrees) and -limit <= degrees <= limit):
        raise BadRequestError("malformed", field=name)
    return degrees


def _locate(session: Session, municipality_id: int, form: Open311Submission) -> tuple[float, float]:
    if (form.lat is None) != (form.long is None):
        raise BadRequestError("required", field="long" if form.long is None else "lat")
    if form.lat is not None and form.long is not None:
        return _degrees(form.long, "long", 180), _degrees(form.lat, "lat", 90)
    if not form.address_string:
        raise BadRequestError("location_missing", field="lat")
    point = find_district_point(session, municipality_id, form.address_string.strip())
    if point is None:
        raise BadRequestError("address_unknown", field="address_string")
    return point


def _urgent(kind: str, attributes: dict[str, str]) -> bool | None:
    if kind != "disaster":
        return None
    answer = attributes.get(URGENT_ATTRIBUTE)
    if answer not in URGENT_VALUES:
        raise BadRequestError("attribute", field=f"attribute[{URGENT_ATTRIBUTE}]")
    return URGENT_VALUES[answer]


def _web_form(
    session: Session, municipality_id: int, form: Open311Submission
) -> WebReportSubmission:
    if not form.service_code:
        raise BadRequestError("required", field="service_code")
    services = {s.code: s for s in list_public_services(session, municipality_id)}
    service = services.get(form.service_code)
    if service is None:
        raise BadRequestError("service_code", field="service_code", code=form.service_code)
    lon, lat = _locate(session, municipality_id, form)
    return WebReportSubmission(
        flow=service.kind,
        category_code=service.code,
        lon=lon,
        lat=lat,
        description=form.description or None,
        urgent=_urgent(service.kind, form.attributes),
        channel="open311",
    )


def post_request(
    session: Session,
    municipality_id: int,
    jurisdiction: str | None,
    api_key: str | None,
    form: Open311Submission,
    media_dir: Path,
    now: dt.datetime | None = None,
) -> PostedRequest:
    """Check the key, then create the report and its token in one commit.

    Args:
        session: a session with nothing pending; this use case commits it.
        municipality_id: tenant.
        jurisdiction: the client's ``jurisdiction_id`` (None: this municipality).
        api_key: the client's key as sent.
        form: the submitted fields.
        media_dir: root folder of stored photos (Open311 sends none; remote media are noted
            for staff, never fetched: the server may have no internet).
        now: creation time (aware); defaults to the current time.

    Raises:
        UnknownResourceError: unknown jurisdiction.
        KeyRefusedError: missing, unknown or revoked key.
        BadRequestError: unknown service, bad place, text over a limit, missing attribute.
    """
    now = now or now_tokyo()
    if session.in_transaction():
        session.commit()
    with session.begin():
        check_jurisdiction(session, municipality_id, jurisdiction)
        key_id = check_key(session, municipality_id, api_key, now)
        _check_lengths(form)
        web_form = _web_form(session, municipality_id, form)
        try:
            target = record_web_report(session, municipality_id, web_form, media_dir, 1.0, now, [])
        except WorkflowError as exc:  # outside the town, too long, category gone
            raise BadRequestError(exc.code, field=exc.field) from exc
        if form.media_url:
            add_resident_note(session, municipality_id, target.report_id, form.media_url)
        token = uuid.uuid4()
        session.add(
            Open311Request(
                municipality_id=municipality_id,
                report_id=target.report_id,
                key_id=key_id,
                token=token,
            )
        )
    return PostedRequest(target.receipt_no, token)
