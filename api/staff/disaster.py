"""Disaster HQ pages: the live map and list, the mode switch, the segment push with its preview."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.basemap import basemap_of
from api.deps import SessionDep, SettingsDep
from api.security import DeskStaff, OptionalStaff
from api.staff.disaster_views import (
    CONFIRM_MAX_AGE_S,
    confirmation_for,
    confirmed_push,
    push_messages,
)
from api.templating import templates
from maps.triage import build_triage_map
from workflow.clock import TOKYO, now_tokyo
from workflow.desk.auth import StaffIdentity
from workflow.desk.choices import Choice, district_choices, outline_of
from workflow.disaster.hq import (
    MAX_PUSH_CHARS,
    check_hq,
    disaster_mode,
    hq_log,
    preview_segment,
    send_segment,
    switch_disaster_mode,
)
from workflow.errors import ForbiddenError, InvalidInputError
from workflow.texts.sentences import error_text
from workflow.texts.staff import DISASTER_ACTION_LABELS_JA

router = APIRouter(include_in_schema=False)
FALLBACK_BOUNDS = (139.35, 35.67, 139.46, 35.74)
SHELTER_LEGEND = '<div class="row"><span class="shelter-icon">避</span>指定緊急避難場所</div>'


def _now() -> dt.datetime:
    return now_tokyo()


def _forbidden(request: Request, who: StaffIdentity, message: str) -> Response:
    context = {"who": who, "csrf_token": request.state.csrf, "message": message}
    return templates.TemplateResponse(request, "staff/forbidden.html", context, status_code=403)


def _refused(request: Request, who: StaffIdentity | None) -> Response | None:
    """Anonymous -> login page; anyone but admins and the disaster department -> 403."""
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        check_hq(who)
    except ForbiddenError as exc:
        return _forbidden(request, who, error_text(exc))
    return None


def _base(request: Request, session: SessionDep, who: StaffIdentity) -> dict[str, Any]:
    return {
        "who": who,
        "csrf_token": request.state.csrf,
        "mode": disaster_mode(session, who),
        "log": hq_log(session, who, 10),
        "action_labels": DISASTER_ACTION_LABELS_JA,
        "tz": TOKYO,
    }


@router.get("/staff/disaster", response_class=HTMLResponse)
def hq_page(
    request: Request, session: SessionDep, settings: SettingsDep, who: OptionalStaff
) -> Response:
    refused = _refused(request, who)
    if refused is not None or who is None:
        return refused or Response(status_code=500)
    outline = outline_of(session, who.municipality_id)
    parts = build_triage_map(
        outline.bbox_lonlat if outline else FALLBACK_BOUNDS,
        basemap_of(settings),
        outline.geojson if outline else None,
        legend_extra_html=SHELTER_LEGEND,
    )
    context = {**_base(request, session, who), "map": parts}
    return templates.TemplateResponse(request, "staff/disaster.html", context)


@router.post("/staff/disaster/mode")
def hq_mode_form(
    request: Request, session: SessionDep, who: DeskStaff, on: Annotated[str, Form()] = ""
) -> Response:
    if on not in {"1", "0"}:
        return RedirectResponse("/staff/disaster", status_code=303)
    try:
        switch_disaster_mode(session, who, on == "1", _now())
    except ForbiddenError as exc:
        return _forbidden(request, who, error_text(exc))
    return RedirectResponse("/staff/disaster", status_code=303)


def _push_page(
    request: Request,
    session: SessionDep,
    who: StaffIdentity,
    extra: dict[str, Any],
    status: int = 200,
) -> Response:
    chosen = {str(i) for i in extra.pop("chosen", ())}
    groups: dict[str, list[Choice]] = {}
    for district in district_choices(session, who.municipality_id):  # code order, 町 by 町
        groups.setdefault(district.group, []).append(district)
    context = {
        **_base(request, session, who),
        "district_groups": list(groups.items()),
        "chosen": chosen,
        "max_chars": MAX_PUSH_CHARS,
        "confirm_minutes": CONFIRM_MAX_AGE_S // 60,
        **extra,
    }
    return templates.TemplateResponse(request, "staff/disaster_push.html", context, status)


@router.get("/staff/disaster/push", response_class=HTMLResponse)
def push_form(
    request: Request, session: SessionDep, who: OptionalStaff, sent: str = ""
) -> Response:
    refused = _refused(request, who)
    if refused is not None or who is None:
        return refused or Response(status_code=500)
    done = None
    if sent.isdigit():
        done = next((e for e in hq_log(session, who, 50) if e.id == int(sent)), None)
    return _push_page(request, session, who, {"sent": done})


def _district_ids(raw: list[str]) -> list[int]:
    if not all(v.isdigit() and len(v) < 18 for v in raw):
        raise InvalidInputError("district_ids_invalid", field="district_ids")
    return [int(v) for v in raw]


@router.post("/staff/disaster/push/preview", response_class=HTMLResponse)
def push_preview_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: DeskStaff,
    body: Annotated[str, Form(max_length=MAX_PUSH_CHARS * 4)] = "",
    district: Annotated[list[str], Form()] = [],  # noqa: B006 — FastAPI copies defaults
) -> Response:
    draft = {"body": body, "chosen": district}
    try:
        preview = preview_segment(session, who, _district_ids(district), body)
    except ForbiddenError as exc:
        return _forbidden(request, who, error_text(exc))
    except InvalidInputError as exc:
        return _push_page(request, session, who, {**draft, "error": exc}, 422)
    extra = {
        **draft,
        "preview": preview,
        "preview_text": push_messages(preview.town, preview.body)[0]["text"],
        "confirmation": confirmation_for(settings, preview),
    }
    return _push_page(request, session, who, extra)


@router.post("/staff/disaster/push/send")
def push_send_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: DeskStaff,
    body: Annotated[str, Form(max_length=MAX_PUSH_CHARS * 4)] = "",
    confirmation: Annotated[str, Form(max_length=1000)] = "",
    district: Annotated[list[str], Form()] = [],  # noqa: B006 — FastAPI copies defaults
) -> Response:
    try:
        push = confirmed_push(settings, confirmation, _district_ids(district), body)
        sent = send_segment(session, who, push, push_messages, _now())
    except ForbiddenError as exc:
        return _forbidden(request, who, error_text(exc))
    except InvalidInputError as exc:
        extra = {"body": body, "chosen": district, "error": exc}
        return _push_page(request, session, who, extra, 422)
    return RedirectResponse(f"/staff/disaster/push?sent={sent.log_id}", status_code=303)
