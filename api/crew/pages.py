"""Crew pages (phones): a stop opened from its worksheet QR code, and the crew's day."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.crew.maplinks import geo_uri, gsi_url
from api.deps import EngineDep, MunicipalityDep, SessionDep, SettingsDep, get_municipality_id
from api.line.notices import status_notice
from api.security import OptionalStaff, session_data
from api.templating import templates
from api.textsafety import clean_text
from maps.basemap import Basemap
from workflow.clock import today_tokyo
from workflow.crew.links import read_stop_token, stop_token
from workflow.crew.outcomes import OutcomeNotices, StopNotFoundError, StopOutcome, record_outcomes
from workflow.crew.views import (
    LinkExpiredError,
    LinkNotYetOpenError,
    StopView,
    check_recording_day,
    load_stop,
    opens_later,
)
from workflow.desk.auth import load_identity
from workflow.errors import ForbiddenError, InvalidInputError
from workflow.plans.views import OUTCOME_LABELS_JA, check_plan_access, load_plan_summary
from workflow.reports.images import MAX_PHOTO_BYTES, CleanImage, ImageRejectedError, clean_image
from workflow.reports.transitions import Actor
from workflow.texts import crew as crew_texts
from workflow.texts.resident.booking import not_out_notice
from workflow.texts.sentences import error_text

router = APIRouter(include_in_schema=False)

NOTICES = OutcomeNotices(collected=status_notice, not_out=not_out_notice)


def crew_today() -> dt.date:
    """Today in Asia/Tokyo: the day crew links are checked against.

    A dependency, so tests can stand on a plan day without waiting for it.
    """
    return today_tokyo()


TodayDep = Annotated[dt.date, Depends(crew_today)]


def _problem(request: Request, message: str, status: int) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "crew/problem.html", {"message": message}, status_code=status
    )


def _stop_id(token: str, secret: str, mid: int) -> int | None:
    value = read_stop_token(secret, token)
    return value[1] if value is not None and value[0] == mid else None


def _stop_page(
    request: Request,
    token: str,
    view: StopView,
    today: dt.date,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = request.app.state.settings
    next_token = (
        stop_token(settings.secret_key, get_municipality_id(request), view.next_stop_id)
        if view.next_stop_id
        else None
    )
    context = {
        "stop": view,
        "token": token,
        "geo_uri": geo_uri(view.lat, view.lon, _pin_label(view)),
        "gsi_url": gsi_url(view.lat, view.lon),
        "next_token": next_token,
        "labels": OUTCOME_LABELS_JA,
        "just": request.query_params.get("r"),
        "error": error,
        "opens_later": opens_later(view, today),
    }
    return templates.TemplateResponse(request, "crew/stop.html", context, status_code=status)


def _pin_label(view: StopView) -> str:
    return f"No.{view.seq} {view.booking_no}".strip()


def _open(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    mid: int,
    today: dt.date,
) -> StopView | HTMLResponse:
    stop_id = _stop_id(token, settings.secret_key, mid)
    if stop_id is None:
        return _problem(request, crew_texts.BAD_LINK, 403)
    try:
        view = load_stop(session, mid, stop_id, today)
    except LinkExpiredError as exc:
        return _problem(request, error_text(exc), 403)
    return _problem(request, crew_texts.GONE, 404) if view is None else view


@router.get("/crew/s/{token}", response_class=HTMLResponse)
def crew_stop(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    today: TodayDep,
) -> HTMLResponse:
    view = _open(request, token, session, settings, mid, today)
    return view if isinstance(view, HTMLResponse) else _stop_page(request, token, view, today)


@router.get("/crew/s/{token}/map", response_class=HTMLResponse)
def crew_stop_map(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    today: TodayDep,
) -> HTMLResponse:
    """The stop's point on our own vector tiles: works where the internet does not."""
    view = _open(request, token, session, settings, mid, today)
    if isinstance(view, HTMLResponse):
        return view
    context = {
        "stop": view,
        "token": token,
        "label": _pin_label(view),
        "basemap": Basemap().config(),  # our tiles, whatever MACHI_BASEMAP says
        "geo_uri": geo_uri(view.lat, view.lon, _pin_label(view)),
    }
    return templates.TemplateResponse(request, "crew/map.html", context)


def _actor(request: Request, settings: SettingsDep, session: SessionDep, mid: int) -> Actor:
    data = session_data(request, settings)
    who = load_identity(session, mid, int(data["uid"])) if data else None
    if who is None:
        return Actor("crew:qr")
    return Actor(f"{who.role}:{who.username}", staff_user_id=who.id)


def _photo(upload: UploadFile | None) -> CleanImage | None:
    if upload is None or not upload.filename:
        return None
    data = upload.file.read(MAX_PHOTO_BYTES + 1)
    return clean_image(data) if data else None


@router.post("/crew/s/{token}", response_model=None)
def crew_record(
    request: Request,
    token: str,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    today: TodayDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    view = _open(request, token, session, settings, mid, today)
    if isinstance(view, HTMLResponse):
        return view
    try:
        check_recording_day(view, today)
    except LinkNotYetOpenError as exc:
        return _problem(request, error_text(exc), 403)
    actor = _actor(request, settings, session, mid)
    session.close()  # no connection held while the photo is cleaned and stored
    entry = StopOutcome(view.stop_id, outcome, clean_text(note))  # multipart: NUL may remain
    try:
        image = _photo(photo)
        result = record_outcomes(
            engine, mid, [entry], actor, NOTICES, photo=image, media_dir=settings.media_dir
        )[0]
    except StopNotFoundError:
        return _problem(request, crew_texts.GONE, 404)
    except ImageRejectedError:
        return _stop_page(request, token, view, today, crew_texts.PHOTO_REJECTED, 422)
    except InvalidInputError as exc:
        return _stop_page(request, token, view, today, error_text(exc), 422)
    flag = "new" if result.newly_recorded else "already"
    return RedirectResponse(f"/crew/s/{token}?r={flag}", status_code=303)


@router.get("/crew/", response_class=HTMLResponse, response_model=None)
def crew_home(
    request: Request,
    who: OptionalStaff,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    today: TodayDep,
    date: dt.date | None = None,
) -> Response:
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        check_plan_access(session, mid, who, crew_too=True)
    except ForbiddenError as exc:
        return _problem(request, error_text(exc), 403)
    day = date or today
    summary = load_plan_summary(session, mid, day)
    tokens = {
        stop.stop_id: stop_token(settings.secret_key, mid, stop.stop_id)
        for route in (summary.routes if summary else ())
        for stop in route.pickups
    }
    context = {
        "who": who,
        "csrf_token": request.state.csrf,
        "day": day,
        "today": today,
        "summary": summary,
        "tokens": tokens,
        "labels": OUTCOME_LABELS_JA,
    }
    return templates.TemplateResponse(request, "crew/home.html", context)
