"""``/r/status``: a resident opens their report's status with its receipt number and PIN."""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.client_address import client_address
from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.resident.csrf import form_token_ok
from api.resident.pages import page, page_with_token
from machi.settings import Settings
from workflow.texts.resident import web as t
from workflow.texts.sentences import error_text
from workflow.web.pins import PinLockedError, PinRefusedError
from workflow.web.places import load_web_facts
from workflow.web.status import look_up_web_report

router = APIRouter(include_in_schema=False)  # included by resident_web under /r


@router.get("/status", response_class=HTMLResponse)
def status_form(
    request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> HTMLResponse:
    context = {"facts": load_web_facts(session, mid), "receipt_no": "", "errors": {}}
    return page_with_token(request, settings, "status_form.html", context)


def client_key(request: Request, settings: Settings) -> str:
    address = client_address(request)  # behind a trusted proxy: the resident, not the proxy
    digest = hmac.new(settings.secret_key.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


@router.post("/status", response_class=HTMLResponse)
def status_lookup(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    receipt_no: Annotated[str, Form(max_length=40)] = "",
    pin: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    receipt_no, pin = receipt_no.strip().upper(), pin.strip()
    facts = load_web_facts(session, mid)
    context: dict[str, Any] = {"facts": facts, "receipt_no": receipt_no}
    if not form_token_ok(request, settings, csrf_token):
        return page_with_token(
            request,
            settings,
            "status_form.html",
            {**context, "errors": {"form": t.FORM_EXPIRED}},
            403,
        )
    if not receipt_no or not pin:
        errors = {"pin": t.STATUS_FIELDS_MISSING}
        return page_with_token(
            request, settings, "status_form.html", {**context, "errors": errors}, 422
        )
    try:
        view = look_up_web_report(session, mid, receipt_no, pin, client_key(request, settings))
    except (PinLockedError, PinRefusedError) as exc:
        status = 429 if isinstance(exc, PinLockedError) else 401
        errors = {"pin": error_text(exc)}
        return page_with_token(
            request, settings, "status_form.html", {**context, "errors": errors}, status
        )
    return page(request, "status.html", {"facts": facts, "view": view})
