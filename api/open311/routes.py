"""GeoReport v2 at ``/open311/v2/``: discovery, services, requests, tokens, public photos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import FileResponse, Response

from api.client_address import client_address
from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.media import JPEGResponse, binary_answer
from api.open311 import schema as doc
from api.open311 import texts as t
from api.open311.errors import install_error_handlers
from api.open311.limits import RateLimiter, key_client
from api.open311.params import (
    Fmt,
    JurisdictionDep,
    PostedForm,
    RequestQueryDep,
    posted_form,
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
PHOTO_NAME = r"^([0-9]{1,18})\.jpg$"


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


def _media_base(request: Request, settings: Settings) -> str:
    return f"{town_base_url(request, settings)}{PREFIX}/media"


@router.get(
    "/discovery.{fmt}", summary="Service discovery", responses=doc.answers(doc.DISCOVERY, 404)
)
def discovery(
    fmt: Fmt,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    jurisdiction: JurisdictionDep,
) -> Response:
    town = reads.describe_jurisdiction(session, mid, jurisdiction)
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


@router.get(
    "/services.{fmt}",
    summary="Service list (public categories)",
    responses=doc.answers(doc.SERVICES, 404),
)
def services(
    fmt: Fmt, session: SessionDep, mid: MunicipalityDep, jurisdiction: JurisdictionDep
) -> Response:
    found = reads.list_services(session, mid, jurisdiction)
    return respond(fmt, "services", "service", [service_document(s) for s in found])


@router.get(
    "/services/{service_code}.{fmt}",
    summary="Service definition",
    responses=doc.answers(doc.DEFINITION, 404),
)
def service_definition(
    service_code: str,
    fmt: Fmt,
    session: SessionDep,
    mid: MunicipalityDep,
    jurisdiction: JurisdictionDep,
) -> Response:
    definition = reads.get_service_definition(session, mid, jurisdiction, service_code)
    return respond(fmt, "service_definition", None, definition_document(definition))


@router.post(
    "/requests.{fmt}",
    summary="Post a service request (form-encoded, api_key)",
    responses=doc.answers(doc.POSTED, 400, 403, 404),
    openapi_extra=doc.form_body(),
)
def create_request(
    fmt: Fmt,
    request: Request,
    form: FormDep,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
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


@router.get(
    "/requests.{fmt}",
    summary="Service requests (published reports)",
    responses=doc.answers(doc.REQUESTS, 400, 404),
)
def list_requests(
    fmt: Fmt,
    request: Request,
    query: RequestQueryDep,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    jurisdiction: JurisdictionDep,
) -> Response:
    """Newest first, at most 1,000; 400 for a range over 90 days or an end before its start."""
    found = reads.list_requests(session, mid, jurisdiction, query)
    media = _media_base(request, settings)
    return respond(fmt, "service_requests", "request", [request_document(r, media) for r in found])


@router.get(
    "/requests/{service_request_id}.{fmt}",
    summary="One service request",
    responses=doc.answers(doc.REQUESTS, 404),
)
def get_request(
    service_request_id: str,
    fmt: Fmt,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    jurisdiction: JurisdictionDep,
) -> Response:
    found = reads.get_request(session, mid, jurisdiction, service_request_id)
    body = [request_document(found, _media_base(request, settings))]
    return respond(fmt, "service_requests", "request", body)


@router.get(
    "/tokens/{token}.{fmt}",
    summary="The service request a token stands for",
    responses=doc.answers(doc.TOKEN, 404),
)
def get_token(
    token: str,
    fmt: Fmt,
    session: SessionDep,
    mid: MunicipalityDep,
    jurisdiction: JurisdictionDep,
) -> Response:
    receipt_no = reads.resolve_token(session, mid, jurisdiction, token)
    body = [{"service_request_id": receipt_no, "token": token}]
    return respond(fmt, "service_requests", "request", body)


@router.get(
    "/media/{name}",
    summary="A published photo",
    response_class=JPEGResponse,
    responses={**binary_answer(JPEGResponse), **doc.errors_only(404)},
)
def get_photo(
    name: Annotated[str, Path(pattern=PHOTO_NAME, description="{photo id}.jpg")],
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    photo_id = int(name.removesuffix(".jpg"))
    path = reads.find_photo_path(session, mid, photo_id)
    if path is None:
        raise UnknownResourceError("path")
    return FileResponse(settings.media_dir / path, media_type=JPEGResponse.media_type)


def install_open311(app: FastAPI, settings: Settings) -> None:
    """Mount GeoReport v2 with its error format and rate limits."""
    app.state.open311_limits = Limits(
        key=RateLimiter(settings.open311_key_per_minute),
        address=RateLimiter(settings.open311_address_per_minute),
    )
    install_error_handlers(app)
    app.include_router(router)
