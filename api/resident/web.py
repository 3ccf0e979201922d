"""``/r/``: the web fallback for residents without LINE (road damage, disaster information).

Mobile-first pages: the flow's form (category, map pin, photos, description, confirm), the
receipt (number + PIN, shown once after a redirect), and the status page (receipt number +
PIN). Forms carry a signed double-submit CSRF token (``api.resident.csrf``). No personal
data is asked for or shown; nothing is written unless the whole report is accepted.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData, UploadFile

from api.basemap import basemap_of
from api.deps import MunicipalityDep, SessionDep, SettingsDep, get_municipality_id
from api.resident import booking as resident_booking
from api.resident import status as resident_status
from api.resident.csrf import form_token_ok
from api.resident.forms import MAX_MB, ParsedReport, ReportFields, parse_report_form
from api.resident.pages import NO_STORE, page, page_with_token
from api.textsafety import clean_text
from machi.settings import Settings
from workflow.errors import WorkflowError
from workflow.reports.create import MAX_DESCRIPTION_CHARS
from workflow.reports.images import MAX_PHOTO_BYTES
from workflow.texts.resident import web as t
from workflow.texts.sentences import error_text
from workflow.web.places import WebFacts, check_web_place, load_web_facts
from workflow.web.reports import (
    FLOWS,
    MAX_PHOTOS,
    WebReceipt,
    submit_web_report,
)

router = APIRouter(prefix="/r", include_in_schema=False)
log = logging.getLogger("machi.resident_web")

RECEIPT_COOKIE: Final = "machi_r_receipt"
RECEIPT_MAX_AGE_S: Final = 30 * 60
MAX_BODY_BYTES: Final = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024


router.include_router(resident_status.router)  # before /{flow}, which would take "status"
router.include_router(resident_booking.router)  # and "bulky"


@router.get("/", response_class=HTMLResponse)
def resident_home(request: Request, session: SessionDep, mid: MunicipalityDep) -> HTMLResponse:
    return page(request, "home.html", {"facts": load_web_facts(session, mid)})


# --- receipt (Post/Redirect/Get: the PIN is shown once, never put in a URL) ---


def _receipt_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="resident-receipt")


def _receipt_redirect(settings: Settings, receipt: WebReceipt) -> Response:
    response = RedirectResponse("/r/done", status_code=303)
    value = _receipt_serializer(settings).dumps(vars(receipt))
    response.set_cookie(
        RECEIPT_COOKIE,
        value,
        max_age=RECEIPT_MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=settings.env == "production",
        path="/r/done",
    )
    return response


@router.get("/done", response_class=HTMLResponse, response_model=None)
def receipt_page(
    request: Request, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> Response:
    raw = request.cookies.get(RECEIPT_COOKIE, "")
    try:
        data = _receipt_serializer(settings).loads(raw, max_age=RECEIPT_MAX_AGE_S)
        receipt = WebReceipt(**data)
    except (BadSignature, TypeError):
        return RedirectResponse("/r/", status_code=303)
    return page(request, "done.html", {"facts": load_web_facts(session, mid), "receipt": receipt})


# --- the place check behind the map step (JSON for the page's script) ---


@router.get("/place")
def place_check(
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    category: Annotated[str, Query(min_length=1, max_length=64)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> JSONResponse:
    answer = check_web_place(session, mid, category, lon, lat, settings.duplicate_radius_m)
    message = answer.refusal
    if answer.inside:
        district = answer.district_name
        message = (
            t.PLACE_INSIDE.format(district=district) if district else t.PLACE_INSIDE_NO_DISTRICT
        )
    body = {
        "inside": answer.inside,
        "district": answer.district_name,
        "message": message,
        "nearby_message": t.NEARBY_FOUND if answer.nearby else None,
        "nearby": [
            {
                "receipt_no": r.receipt_no,
                "category": r.category_name,
                "distance_m": round(r.distance_m),
            }
            for r in answer.nearby
        ],
    }
    return JSONResponse(body, headers=dict(NO_STORE))


# --- the two flows ---


def _form_context(facts: WebFacts, flow: str, settings: Settings) -> dict[str, Any]:
    return {
        "facts": facts,
        "flow": flow,
        "title": t.FLOW_TITLES[flow],
        "lead": t.FLOW_LEADS[flow],
        "categories": facts.categories_of(flow),
        "max_photos": MAX_PHOTOS,
        "max_mb": MAX_MB,
        "basemap": basemap_of(settings).config(),
        "messages": {**t.SCRIPT_MESSAGES, "max_mb": str(MAX_MB), "max_photos": str(MAX_PHOTOS)},
    }


def _closed_or_unknown(request: Request, facts: WebFacts, flow: str) -> HTMLResponse | None:
    if flow not in FLOWS:
        return page(request, "closed.html", {"facts": facts, "unknown": True}, 404)
    if flow == "disaster" and not facts.disaster_mode:
        return page(request, "closed.html", {"facts": facts, "unknown": False})
    return None


@router.get("/{flow}", response_class=HTMLResponse)
def report_form(
    request: Request, flow: str, session: SessionDep, settings: SettingsDep, mid: MunicipalityDep
) -> HTMLResponse:
    facts = load_web_facts(session, mid)
    refused = _closed_or_unknown(request, facts, flow)
    if refused is not None:
        return refused
    context = {**_form_context(facts, flow, settings), "fields": ReportFields(), "errors": {}}
    return page_with_token(request, settings, "report_form.html", context)


def _form_again(
    request: Request,
    settings: Settings,
    facts: WebFacts,
    flow: str,
    parsed: ParsedReport,
    status: int,
) -> HTMLResponse:
    errors = dict(parsed.errors)
    if parsed.photos_sent and "photos" not in errors:
        errors["photos"] = t.PHOTOS_AGAIN  # a browser cannot refill a file input
    errors.setdefault("form", t.FORM_HAS_ERRORS)
    context = {**_form_context(facts, flow, settings), "fields": parsed.fields, "errors": errors}
    return page_with_token(request, settings, "report_form.html", context, status)


def _text(form: FormData, name: str, max_chars: int) -> str:
    value = form.get(name)  # multipart text may carry NUL: cleaned, the form still goes through
    return clean_text(value)[:max_chars] if isinstance(value, str) else ""


def _fields_of(form: FormData) -> ReportFields:
    return ReportFields(
        category=_text(form, "category", 64),
        lon=_text(form, "lon", 32),
        lat=_text(form, "lat", 32),
        urgent=_text(form, "urgent", 1),
        description=_text(form, "description", MAX_DESCRIPTION_CHARS + 100),
        attach=_text(form, "attach", 24),
    )


def _submit(request: Request, flow: str, form: FormData | None) -> Response:
    """The synchronous part of a submission: CSRF, fields, photos, then the use case."""
    settings: Settings = request.app.state.settings
    mid = get_municipality_id(request)
    with request.app.state.sessionmaker() as session:
        facts = load_web_facts(session, mid)
        refused = _closed_or_unknown(request, facts, flow)
        if refused is not None:
            return refused
        fields = ReportFields() if form is None else _fields_of(form)
        if form is None:
            too_large = t.BODY_TOO_LARGE.format(max_mb=MAX_MB)
            return _form_again(
                request, settings, facts, flow, ParsedReport(fields, {"photos": too_large}), 413
            )
        if not form_token_ok(request, settings, _text(form, "csrf_token", 200)):
            return _form_again(
                request, settings, facts, flow, ParsedReport(fields, {"form": t.FORM_EXPIRED}), 403
            )
        uploads = [item for item in form.getlist("photos") if isinstance(item, UploadFile)]
        parsed = parse_report_form(flow, fields, uploads)
        if parsed.submission is None:
            return _form_again(request, settings, facts, flow, parsed, 422)
        try:
            receipt = submit_web_report(
                session, mid, parsed.submission, settings.media_dir, settings.duplicate_radius_m
            )
        except WorkflowError as exc:
            parsed.errors[exc.field or "form"] = error_text(exc)
            return _form_again(request, settings, facts, flow, parsed, 422)
        except OSError:  # the photos could not be stored: nothing was kept, say so politely
            log.exception("web report: photo storage failed")
            parsed.errors["form"] = t.STORAGE_FAILED.format(phone=facts.phone)
            return _form_again(request, settings, facts, flow, parsed, 503)
    return _receipt_redirect(settings, receipt)


def _declared_size_ok(request: Request) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) <= MAX_BODY_BYTES


@router.post("/{flow}", response_class=HTMLResponse, response_model=None)
async def report_submit(request: Request, flow: str) -> Response:
    # The body is read here, not through Form()/File() parameters, so an oversized upload is
    # refused from its Content-Length before a byte of it is spooled to disk.
    if not _declared_size_ok(request):
        return await run_in_threadpool(_submit, request, flow, None)
    form = await request.form(max_files=10, max_fields=20)
    try:
        return await run_in_threadpool(_submit, request, flow, form)
    finally:
        await form.close()
