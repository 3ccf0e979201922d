"""Staff desk pages: the triage map, the report list and one report (HTML, department-scoped)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.basemap import basemap_of
from api.deps import SessionDep, SettingsDep
from api.line.notices import status_notice
from api.schema_types import RowId
from api.security import DeskStaff, OptionalStaff
from api.staff.params import build_filter
from api.staff.reports import followup_messages
from api.staff.views import detail_json
from api.templating import templates
from maps.triage import build_triage_map, legend_html
from workflow.clock import TOKYO
from workflow.desk.auth import StaffIdentity
from workflow.desk.choices import category_choices, district_choices, outline_of
from workflow.desk.lists import SORTS, list_report_page
from workflow.desk.reports import change_status, view_report
from workflow.errors import (
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    TransitionError,
    WorkflowError,
)
from workflow.reports.followups import send_followup
from workflow.texts.sentences import error_text
from workflow.texts.staff import CHANNEL_LABELS_JA, KIND_LABELS_JA, SORT_LABELS_JA

router = APIRouter(tags=["staff desk pages"], include_in_schema=False)
FILTER_KEYS = (
    "status",
    "kind",
    "category",
    "district",
    "channel",
    "urgent",
    "overdue",
    "from",
    "to",
)
PER_PAGE = 50


def _refuse(request: Request, who: StaffIdentity | None) -> Response | None:
    """Anonymous -> login page; crews -> 403; desk staff -> None (go on)."""
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    if who.role in {"admin", "staff"}:
        return None
    return _error_page(request, who, 403, "この画面は職員のみ利用できます。")


def _error_page(request: Request, who: StaffIdentity, status: int, message: str) -> Response:
    context = {"who": who, "csrf_token": request.state.csrf, "error": message}
    return templates.TemplateResponse(request, "staff/report.html", context, status_code=status)


def _query(request: Request) -> dict[str, str]:
    """Query parameters, repeated ones (status checkboxes) joined with commas."""
    params = request.query_params
    joined = {key: ",".join(v for v in params.getlist(key) if v) for key in params}
    return {key: value for key, value in joined.items() if value}


def _common(request: Request, session: SessionDep, who: StaffIdentity) -> dict[str, Any]:
    categories = category_choices(session, who)
    in_scope = {c.group for c in categories}
    return {
        "who": who,
        "csrf_token": request.state.csrf,
        "categories": categories,
        "districts": district_choices(session, who.municipality_id),
        "kinds": {k: label for k, label in KIND_LABELS_JA.items() if k in in_scope},
        "channels": CHANNEL_LABELS_JA,
        "legend_html": legend_html(),
    }


@router.get("/staff/map", response_class=HTMLResponse)
def triage_map(
    request: Request, session: SessionDep, settings: SettingsDep, who: OptionalStaff
) -> Response:
    refused = _refuse(request, who)
    if refused is not None or who is None:
        return refused or Response(status_code=500)
    outline = outline_of(session, who.municipality_id)
    bounds = outline.bbox_lonlat if outline else (139.35, 35.67, 139.46, 35.74)
    parts = build_triage_map(
        bounds,
        basemap_of(settings),
        outline.geojson if outline else None,
        cluster_eager=False,  # triage.js loads it when it first draws markers
    )
    context = {**_common(request, session, who), "map": parts, "query": _query(request)}
    context["first_bbox"] = ",".join(f"{v:.5f}" for v in bounds)  # the opening view's reports
    return templates.TemplateResponse(request, "staff/map.html", context)


def _page_links(params: dict[str, str], page: int, pages: int) -> dict[str, str | None]:
    def link(n: int) -> str:
        return "/staff/reports?" + urlencode({**params, "page": str(n)})

    return {
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }


@router.get("/staff/reports", response_class=HTMLResponse)
def report_list(request: Request, session: SessionDep, who: OptionalStaff) -> Response:
    refused = _refuse(request, who)
    if refused is not None or who is None:
        return refused or Response(status_code=500)
    query = _query(request)
    sort = query.get("sort", "created_at")
    sort = sort if sort in SORTS else "created_at"
    descending = query.get("order", "desc") != "asc"
    page = int(query["page"]) if query.get("page", "").isdigit() else 1
    context = {
        **_common(request, session, who),
        "query": query,
        "sorts": SORT_LABELS_JA,
        "tz": TOKYO,
    }
    try:
        f = build_filter(who, query)
    except InvalidInputError as exc:
        context.update(error=error_text(exc), rows=[], total=0, page=1, pages=1, links={})
        return templates.TemplateResponse(request, "staff/list.html", context, status_code=422)
    result = list_report_page(session, f, sort, descending, max(page, 1), PER_PAGE)
    pages = max(1, -(-result.total // PER_PAGE))
    filters = {k: query[k] for k in FILTER_KEYS if query.get(k)}  # "" means any
    context.update(
        rows=result.rows,
        total=result.total,
        page=page,
        pages=pages,
        sort=sort,
        descending=descending,
        links=_page_links(
            {**filters, "sort": sort, "order": "desc" if descending else "asc"}, page, pages
        ),
        export_query=urlencode({**filters, "sort": sort}),
    )
    return templates.TemplateResponse(request, "staff/list.html", context)


@router.get("/staff/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, session: SessionDep, who: OptionalStaff, report_id: RowId
) -> Response:
    refused = _refuse(request, who)
    if refused is not None or who is None:
        return refused or Response(status_code=500)
    try:
        detail = view_report(session, who, report_id)
    except ForbiddenError as exc:
        return _error_page(request, who, 403, error_text(exc))
    except NotFoundError as exc:
        return _error_page(request, who, 404, error_text(exc))
    flash = request.query_params.get("error")
    context = {
        "who": who,
        "csrf_token": request.state.csrf,
        "r": detail_json(detail),
        "flash": flash,
    }
    return templates.TemplateResponse(request, "staff/report.html", context)


def _back(report_id: int, error: WorkflowError | None = None) -> Response:
    target = f"/staff/reports/{report_id}"
    if error is not None:
        target += "?" + urlencode({"error": error_text(error)})
    return RedirectResponse(target, status_code=303)


@router.post("/staff/reports/{report_id}/status")
def report_status_form(
    session: SessionDep,
    who: DeskStaff,
    report_id: RowId,
    status: Annotated[str, Form(max_length=24)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        change_status(session, who, report_id, status, note, status_notice)
    except (TransitionError, InvalidInputError) as exc:
        return _back(report_id, exc)
    return _back(report_id)


@router.post("/staff/reports/{report_id}/messages")
def report_message_form(
    session: SessionDep,
    who: DeskStaff,
    report_id: RowId,
    body: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        send_followup(session, who, report_id, body, followup_messages)
    except InvalidInputError as exc:
        return _back(report_id, exc)
    return _back(report_id)
