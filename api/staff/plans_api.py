"""Plans JSON API: make a day's plan, read it, download its crew worksheets."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import EngineDep, MunicipalityDep, SessionDep, SettingsDep
from api.line.notices import planned_notice
from api.media import PDFResponse, binary_answer
from api.openapi_contract import link, links
from api.schema_types import IsoDate
from api.security import CurrentStaff
from api.staff.plan_schemas import PlanCreate, PlanPublic, plan_public
from api.towns import town_base_url
from workflow.db import session_scope
from workflow.errors import NotFoundError
from workflow.plans.plan import PlanLockedError, plan
from workflow.plans.views import check_plan_access, load_plan_summary, render_plan_worksheets
from workflow.texts.sentences import error_text

router = APIRouter(prefix="/api/v1/plans", tags=["plans"])

DayPath = Annotated[IsoDate, Path(description="service date YYYY-MM-DD")]


def locked_response(exc: PlanLockedError) -> JSONResponse:
    """409: the crews have started this day, so it cannot be planned again."""
    body = {
        "error": exc.kind,
        "code": exc.code,
        "field": exc.field,
        "message": error_text(exc),
    }
    return JSONResponse(body, status_code=409)


@router.post(
    "",
    summary="Plan a day's collection routes (replaces its draft plan)",
    response_model=PlanPublic,
    responses={
        409: {"description": "the plan is locked (crews have started)"},
        **links(
            200,
            ReadPlan=link("GET", "/api/v1/plans/{date}", date="$response.body#/date"),
            Worksheets=link(
                "GET", "/api/v1/plans/{date}/worksheets.pdf", date="$response.body#/date"
            ),
        ),
    },
)
def create_plan(
    body: PlanCreate,
    who: CurrentStaff,
    session: SessionDep,
    engine: EngineDep,
    mid: MunicipalityDep,
) -> PlanPublic | JSONResponse:
    # A sync endpoint: FastAPI runs it in its threadpool, so the solve never blocks the loop.
    check_plan_access(session, mid, who, crew_too=False)
    session.close()  # hold no connection during the solve
    try:
        result = plan(engine, mid, body.date, time_limit_s=body.time_limit_s, notice=planned_notice)
    except PlanLockedError as exc:
        return locked_response(exc)
    with session_scope(engine) as fresh:
        summary = load_plan_summary(fresh, mid, body.date)
    assert summary is not None
    return plan_public(summary, result.timings_s)


@router.get("/{date}", summary="A day's plan: routes, stops with outcomes, unassigned")
def get_plan(
    date: DayPath, who: CurrentStaff, session: SessionDep, mid: MunicipalityDep
) -> PlanPublic:
    check_plan_access(session, mid, who, crew_too=True)
    summary = load_plan_summary(session, mid, date)
    if summary is None:
        raise NotFoundError("plan_not_found", field="date", day=date)
    return plan_public(summary)


@router.get(
    "/{date}/worksheets.pdf",
    summary="The crews' worksheets of a day (PDF, A4 or A3)",
    response_class=PDFResponse,
    responses=binary_answer(PDFResponse),
)
def get_worksheets(
    request: Request,
    date: DayPath,
    who: CurrentStaff,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    mid: MunicipalityDep,
    paper: Annotated[Literal["A4", "A3"], Query()] = "A4",
) -> Response:
    check_plan_access(session, mid, who, crew_too=True)
    session.close()
    base_url = town_base_url(request, settings)
    pdf = render_plan_worksheets(engine, mid, date, base_url, settings.secret_key, paper)
    name = f"worksheets-{date:%Y-%m-%d}-{paper}.pdf"
    return PDFResponse(
        pdf,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
