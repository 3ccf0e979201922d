"""Reading GeoReport v2 parameters: the query of GET requests, the form of POST requests.

The query parameters are declared (FastAPI checks them against the schema, answering a
GeoReport 400 through ``api.open311.errors``); the POST's form is read by hand, because its
``attribute[code]`` fields are open-ended, and documented by ``api.open311.schema``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Final, Literal
from urllib.parse import urlsplit

from fastapi import Depends, Path, Query, Request

from api.deps import SettingsDep
from api.schema_types import comma_list, one_of
from api.towns import town_base_url
from machi.settings import Settings
from workflow.clock import TOKYO
from workflow.open311.errors import BadRequestError
from workflow.open311.posting import Open311Submission
from workflow.open311.reads import STATUS_GROUPS, RequestQuery

_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]{1,64})\]$")
# W3C date-time as the spec's examples write it; a "+" left unencoded arrives as a space.
_TIME: Final = r"T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+\- ][0-9]{2}:[0-9]{2})?"
MOMENT: Final = rf"^(?:[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?:{_TIME})?)?$"
STATUS_LIST: Final = f"^(?:{comma_list(one_of(STATUS_GROUPS))[1:-1]})?$"

Fmt = Annotated[Literal["json", "xml"], Path(description="the answer's format")]


@dataclass(frozen=True)
class PostedForm:
    jurisdiction: str | None
    api_key: str | None
    submission: Open311Submission


def jurisdiction_of(value: str | None, settings: Settings, town_url: str = "") -> str | None:
    """None for "this server", else the value (a JIS code is checked against the town later).

    "This server": absent, empty, or the host name of this town's or the deployment's URL.
    """
    if not value:
        return None
    own = {urlsplit(settings.base_url).hostname, settings.host, urlsplit(town_url).hostname}
    return None if value in own else value


def jurisdiction(
    request: Request,
    settings: SettingsDep,
    jurisdiction_id: Annotated[
        str | None, Query(description="the town's JIS code or this server's host name")
    ] = None,
) -> str | None:
    """The jurisdiction a GET names (None: this server); another one answers 404 later."""
    return jurisdiction_of(jurisdiction_id, settings, town_base_url(request, settings))


JurisdictionDep = Annotated[str | None, Depends(jurisdiction)]


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _moment(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:  # a day or an hour that does not exist (2026-02-30, 25:00)
        raise BadRequestError("malformed", field=name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=TOKYO)


def request_query(
    service_request_id: Annotated[
        str | None, Query(description="comma-separated; overrides every other parameter")
    ] = None,
    service_code: Annotated[str | None, Query(description="comma-separated")] = None,
    status: Annotated[
        str | None, Query(pattern=STATUS_LIST, description="comma-separated: open, closed")
    ] = None,
    start_date: Annotated[str | None, Query(pattern=MOMENT, description="W3C date-time")] = None,
    end_date: Annotated[str | None, Query(pattern=MOMENT, description="W3C date-time")] = None,
) -> RequestQuery:
    """GET requests' parameters. Without dates the last 90 days; at most 90 days apart."""
    return RequestQuery(
        service_request_ids=_list(service_request_id),
        service_codes=_list(service_code),
        statuses=_list(status),
        start=_moment(start_date, "start_date"),
        end=_moment(end_date, "end_date"),
    )


RequestQueryDep = Annotated[RequestQuery, Depends(request_query)]


def _field(values: dict[str, str], name: str) -> str | None:
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
