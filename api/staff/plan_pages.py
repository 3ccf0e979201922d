"""Staff pages of the day plans: list, plan a day, route map, record a returned paper sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.basemap import basemap_of
from api.deps import EngineDep, MunicipalityDep, SessionDep, SettingsDep
from api.line.notices import planned_notice, status_notice
from api.security import OptionalStaff
from api.templating import templates
from maps.colours import truck_colour
from workflow.clock import today_tokyo
from workflow.crew.outcomes import OutcomeNotices, StopOutcome, check_outcome, record_outcomes
from workflow.desk.auth import StaffIdentity
from workflow.errors import ForbiddenError, InvalidInputError, NotFoundError
from workflow.plans.map import render_plan_map
from workflow.plans.plan import plan
from workflow.plans.views import (
    OUTCOME_LABELS_JA,
    PLAN_STATUS_JA,
    PlanSummary,
    check_plan_access,
    count_bookings,
    list_days,
    load_plan_summary,
)
from workflow.reports.transitions import Actor
from workflow.texts.resident.booking import not_out_notice
from workflow.texts.sentences import error_text

router = APIRouter(include_in_schema=False)

NOTICES = OutcomeNotices(collected=status_notice, not_out=not_out_notice)
PAGE_TIME_LIMIT_S = 20.0  # a clerk waits for the page; the API allows longer budgets
FLASH = {
    "planned": "計画を作成しました。",
    "locked": "作業が始まっているため、この日の計画は作り直せません。",
}


def _today() -> dt.date:
    return today_tokyo()


def _refused(
    request: Request, who: StaffIdentity | None, session: Any, mid: int
) -> Response | None:
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    try:
        check_plan_access(session, mid, who, crew_too=False)
    except ForbiddenError as exc:
        context = {"who": who, "csrf_token": request.state.csrf, "message": error_text(exc)}
        return templates.TemplateResponse(request, "staff/forbidden.html", context, 403)
    return None


@router.get("/staff/plans", response_class=HTMLResponse, response_model=None)
def plans_index(
    request: Request,
    who: OptionalStaff,
    session: SessionDep,
    mid: MunicipalityDep,
    date: dt.date | None = None,
) -> Response:
    refused = _refused(request, who, session, mid)
    if refused is not None:
        return refused
    if date is not None:
        return RedirectResponse(f"/staff/plans/{date.isoformat()}", status_code=303)
    today = _today()
    context = {
        "who": who,
        "csrf_token": request.state.csrf,
        "today": today,
        "days": list_days(session, mid, today, 35),
        "status_ja": PLAN_STATUS_JA,
    }
    return templates.TemplateResponse(request, "staff/plans.html", context)


def _plan_page(
    request: Request,
    who: StaffIdentity,
    session: Any,
    mid: int,
    date: dt.date,
    error: str | None = None,
    status: int = 200,
    submitted: dict[str, Any] | None = None,
) -> HTMLResponse:
    summary: PlanSummary | None = load_plan_summary(session, mid, date)
    context = {
        "who": who,
        "csrf_token": request.state.csrf,
        "day": date,
        "summary": summary,
        "bookings": count_bookings(session, mid, date),
        "labels": OUTCOME_LABELS_JA,
        "status_ja": PLAN_STATUS_JA,
        "colours": [truck_colour(i) for i in range(len(summary.routes) if summary else 0)],
        "flash": FLASH.get(request.query_params.get("m", "")),
        "recorded": request.query_params.get("recorded"),
        "already": request.query_params.get("already"),
        "error": error,
        "submitted": submitted or {},
        "no_sheets": _no_sheets(summary, date),
    }
    return templates.TemplateResponse(request, "staff/plan.html", context, status_code=status)


def _no_sheets(summary: PlanSummary | None, date: dt.date) -> str | None:
    """The worksheet download's refusal for a plan without a pickup, said on the page too."""
    if summary is None or any(route.pickups for route in summary.routes):
        return None
    return error_text(NotFoundError("day_without_stops", field="date", day=date))


@router.get("/staff/plans/{date}", response_class=HTMLResponse, response_model=None)
def plan_detail(
    request: Request, date: dt.date, who: OptionalStaff, session: SessionDep, mid: MunicipalityDep
) -> Response:
    refused = _refused(request, who, session, mid)
    if refused is not None or who is None:
        return refused or RedirectResponse("/staff/login", status_code=303)
    return _plan_page(request, who, session, mid, date)


@router.get("/staff/plans/{date}/map", response_class=HTMLResponse, response_model=None)
def plan_map(
    request: Request,
    date: dt.date,
    who: OptionalStaff,
    session: SessionDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
) -> Response:
    refused = _refused(request, who, session, mid)
    if refused is not None:
        return refused
    summary = load_plan_summary(session, mid, date)
    if summary is None:
        return HTMLResponse("<p>この日の収集計画はありません。</p>", status_code=404)
    return HTMLResponse(render_plan_map(summary, basemap_of(settings)))


@router.post("/staff/plans/{date}/plan", response_model=None)
def plan_submit(
    request: Request,
    date: dt.date,
    who: OptionalStaff,
    session: SessionDep,
    engine: EngineDep,
    mid: MunicipalityDep,
) -> Response:
    refused = _refused(request, who, session, mid)
    if refused is not None or who is None:
        return refused or RedirectResponse("/staff/login", status_code=303)
    session.close()  # no connection held during the solve
    try:
        plan(engine, mid, date, time_limit_s=PAGE_TIME_LIMIT_S, notice=planned_notice)
    except InvalidInputError as exc:  # includes PlanLockedError
        code = "locked" if exc.code == "plan_locked" else None
        if code is None:
            return _plan_page(request, who, session, mid, date, error_text(exc), 422)
        return RedirectResponse(f"/staff/plans/{date.isoformat()}?m={code}", status_code=303)
    return RedirectResponse(f"/staff/plans/{date.isoformat()}?m=planned", status_code=303)


def _sheet_entries(form: Any, summary: PlanSummary) -> list[StopOutcome]:
    return [
        StopOutcome(
            stop.stop_id,
            str(form[f"outcome_{stop.stop_id}"]),
            str(form.get(f"note_{stop.stop_id}") or ""),
        )
        for route in summary.routes
        for stop in route.pickups
        if form.get(f"outcome_{stop.stop_id}")  # recorded ones come back as "already"
    ]


def _first_problem(entries: list[StopOutcome], summary: PlanSummary) -> str | None:
    stops = {s.stop_id: s for route in summary.routes for s in route.pickups}
    for entry in entries:
        try:
            check_outcome(entry)
        except InvalidInputError as exc:
            stop = stops[entry.stop_id]
            return f"No.{stop.seq}（{stop.booking_no}）：{error_text(exc)}"
    return None


@router.post("/staff/plans/{date}/outcomes", response_model=None)
async def sheet_submit(
    request: Request,
    date: dt.date,
    who: OptionalStaff,
    session: SessionDep,
    engine: EngineDep,
    mid: MunicipalityDep,
) -> Response:
    refused = await run_in_threadpool(_refused, request, who, session, mid)
    if refused is not None or who is None:
        return refused or RedirectResponse("/staff/login", status_code=303)
    summary = await run_in_threadpool(load_plan_summary, session, mid, date)
    if summary is None:
        return RedirectResponse(f"/staff/plans/{date.isoformat()}", status_code=303)
    form = await request.form()
    entries = _sheet_entries(form, summary)
    problem = _first_problem(entries, summary)
    if problem is not None:
        return await run_in_threadpool(
            _plan_page, request, who, session, mid, date, problem, 422, dict(form)
        )
    actor = Actor(f"staff:{who.username}", who.id, None if who.is_admin else who.department_id)
    try:
        results = await run_in_threadpool(record_outcomes, engine, mid, entries, actor, NOTICES)
    except NotFoundError as exc:  # re-planned meanwhile
        return await run_in_threadpool(
            _plan_page, request, who, session, mid, date, error_text(exc), 409
        )
    new = sum(1 for r in results if r.newly_recorded)
    url = f"/staff/plans/{date.isoformat()}?recorded={new}&already={len(results) - new}#sheet"
    return RedirectResponse(url, status_code=303)
