"""GeoReport v2 at ``/open311/v2/``: discovery, services, requests, tokens, public photos."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, Response

from api.client_address import client_address
from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.open311 import texts as t
from api.open311.errors import install_error_handlers
from api.open311.limits import RateLimiter, key_client
from api.open311.params import (
    PostedForm,
    check_format,
    jurisdiction_of,
    posted_form,
    request_query,
)
from api.open311.render import (
    definition_document,
    request_document,
    respond,
    service_document,
)
from api.towns import town_base_url
from machi.settings import Settings
from workflow.open311 import reads
from workflow.open311.errors import UnknownResourceError
from workflow.open311.posting import post_request

PREFIX = "/open311/v2"
CHANGESET = "2026-12-03T00:00:00+09:00"
_PHOTO_NAME = re.compile(r"^(\d{1,18})\.jpg$")


@dataclass
class Limits:
    key: RateLimiter
    address: RateLimiter


def limit_address(request: Request) -> None:
    """Count the call against the client's address (429 over the limit)."""
    limits = request.app.state.open311_limits
    assert isinstance(limits, Limits)
    limits.address.hit("addr:" + client_address(request))


router = APIRouter(prefix=PREFIX, tags=["open311"], dependencies=[Depends(limit_address)])
FormDep = Annotated[PostedForm, Depends(posted_form)]


def _jurisdiction(request: Request, settings: Settings) -> str | None:
    town_url = town_base_url(request, settings)
    return jurisdiction_of(request.query_params.get("jurisdiction_id"), settings, town_url)


def _media_base(request: Request, settings: Settings) -> str:
    return f"{town_base_url(request, settings)}{PREFIX}/media"


@router.get("/discovery.{fmt}", summary="Service discovery")
def discovery(
    fmt: str, request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> Response:
    check_format(fmt)
    town = reads.describe_jurisdiction(session, mid, _jurisdiction(request, settings))
    body = {
        "changeset": CHANGESET,
        "contact": t.CONTACT.format(name=town.name, phone=town.phone),
        "key_service": t.KEY_SERVICE.format(name=town.name, phone=town.phone),
        "endpoints": [
            {
                "specification": t.SPECIFICATION_URL,
                "url": f"{town_base_url(request, settings)}{PREFIX}",
                "changeset": CHANGESET,
                "type": "production" if settings.env == "production" else "test",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(fmt, "discovery", None, body)


@router.get("/services.{fmt}", summary="Service list (public categories)")
def services(
    fmt: str, request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> Response:
    check_format(fmt)
    found = reads.list_services(session, mid, _jurisdiction(request, settings))
    return respond(fmt, "services", "service", [service_document(s) for s in found])


@router.get("/services/{service_code}.{fmt}", summary="Service definition")
def service_definition(
    service_code: str,
    fmt: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    check_format(fmt)
    jurisdiction = _jurisdiction(request, settings)
    definition = reads.get_service_definition(session, mid, jurisdiction, service_code)
    return respond(fmt, "service_definition", None, definition_document(definition))


@router.post("/requests.{fmt}", summary="Post a service request (form-encoded, api_key)")
def create_request(
    fmt: str,
    request: Request,
    form: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    check_format(fmt)
    limits = request.app.state.open311_limits
    assert isinstance(limits, Limits)
    if form.api_key:
        limits.key.hit(key_client(form.api_key))
    posted = post_request(
        session, mid, form.jurisdiction, form.api_key, form.submission, settings.media_dir
    )
    body = [
        {
            "service_request_id": posted.service_request_id,
            "token": str(posted.token),
            "service_notice": t.SERVICE_NOTICE.format(receipt_no=posted.service_request_id),
            "account_id": None,
        }
    ]
    return respond(fmt, "service_requests", "request", body)


@router.get("/requests.{fmt}", summary="Service requests (published reports)")
def list_requests(
    fmt: str, request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> Response:
    check_format(fmt)
    query = request_query(request.query_params)
    found = reads.list_requests(session, mid, _jurisdiction(request, settings), query)
    media = _media_base(request, settings)
    return respond(fmt, "service_requests", "request", [request_document(r, media) for r in found])


@router.get("/requests/{service_request_id}.{fmt}", summary="One service request")
def get_request(
    service_request_id: str,
    fmt: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    check_format(fmt)
    jurisdiction = _jurisdiction(request, settings)
    found = reads.get_request(session, mid, jurisdiction, service_request_id)
    body = [request_document(found, _media_base(request, settings))]
    return respond(fmt, "service_requests", "request", body)


@router.get("/tokens/{token}.{fmt}", summary="The service request a token stands for")
def get_token(
    token: str,
    fmt: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    check_format(fmt)
    receipt_no = reads.resolve_token(session, mid, _jurisdiction(request, settings), token)
    body = [{"service_request_id": receipt_no, "token": token}]
    return respond(fmt, "service_requests", "request", body)


@router.get("/media/{name}", summary="A published photo")
def get_photo(
    name: str, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> Response:
    found = _PHOTO_NAME.match(name)
    path = reads.find_photo_path(session, mid, int(found.group(1))) if found else None
    if path is None:
        raise UnknownResourceError("path")
    return FileResponse(settings.media_dir / path, media_type="image/jpeg")


@router.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
def unknown(rest: str) -> Response:
    raise UnknownResourceError("path", field=rest)


def install_open311(app: FastAPI, settings: Settings) -> None:
    """Mount GeoReport v2 with its error format and rate limits."""
    app.state.open311_limits = Limits(
        key=RateLimiter(settings.open311_key_per_minute),
        address=RateLimiter(settings.open311_address_per_minute),
    )
    install_error_handlers(app)
    app.include_router(router)
