"""Reading GeoReport v2 parameters: the query of GET requests, the form of POST requests."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request

from api.towns import town_base_url
from machi.settings import Settings
from workflow.clock import TOKYO
from workflow.open311.errors import BadRequestError, UnknownResourceError
from workflow.open311.posting import Open311Submission
from workflow.open311.reads import RequestQuery

FORMATS = ("json", "xml")
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]{1,64})\]$")


@dataclass(frozen=True)
class PostedForm:
    jurisdiction: str | None
    api_key: str | None
    submission: Open311Submission


def check_format(fmt: str) -> str:
    """``json`` or ``xml``; anything else is an unknown resource."""
    if fmt not in FORMATS:
        raise UnknownResourceError("format", field="format")
    return fmt


def jurisdiction_of(value: str | None, settings: Settings, town_url: str = "") -> str | None:
    """None for "this server", else the value (a JIS code is checked against the town later).

    "This server": absent, empty, or the host name of this town's or the deployment's URL.
    """
    if not value:
        return None
    own = {urlsplit(settings.base_url).hostname, settings.host, urlsplit(town_url).hostname}
    return None if value in own else value


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _moment(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:  # a "+" left unencoded in a query string arrives as a space
        moment = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        raise BadRequestError("malformed", field=name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


def request_query(query: Mapping[str, str]) -> RequestQuery:
    """GET requests' parameters (comma lists allowed for ids, service codes and status)."""
    return RequestQuery(
        service_request_ids=_list(query.get("service_request_id")),
        service_codes=_list(query.get("service_code")),
        statuses=_list(query.get("status")),
        start=_moment(query.get("start_date"), "start_date"),
        end=_moment(query.get("end_date"), "end_date"),
    )


def _field(values: Mapping[str, str], name: str) -> str | None:
    value = values.get(name)
    return value if value else None


async def posted_form(request: Request) -> PostedForm:
    """The form-encoded POST. Personal fields (name, email, phone, device) are not read."""
    form = await request.form()
    values = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    attributes = {
        found.group("code"): value
        for key, value in values.items()
        if (found := _ATTRIBUTE.match(key)) is not None
    }
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    submission = Open311Submission(
        service_code=_field(values, "service_code"),
        lat=_field(values, "lat"),
        long=_field(values, "long"),
        address_string=_field(values, "address_string"),
        description=_field(values, "description"),
        media_url=_field(values, "media_url"),
        attributes=attributes,
    )
    api_key = _field(values, "api_key") or request.query_params.get("api_key")
    jurisdiction = _field(values, "jurisdiction_id") or request.query_params.get("jurisdiction_id")
    town_url = town_base_url(request, settings)
    return PostedForm(jurisdiction_of(jurisdiction, settings, town_url), api_key, submission)
