"""Trends of the staff desk: the JSON API and the page (period form, tables, charts, choropleth)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.basemap import basemap_of
from api.deps import SessionDep, SettingsDep
from api.schema_types import IsoDate, exactly
from api.security import DeskStaff, OptionalStaff
from api.staff.params import CODE_ITEM, parse_code, parse_date
from api.staff.trend_views import choropleth_values, department_json, hour_bars, trends_json
from api.templating import templates
from maps.district_map import build_district_map
from workflow.clock import today_tokyo
from workflow.desk.auth import StaffIdentity
from workflow.desk.choices import department_choices, district_outlines, outline_of
from workflow.desk.trends import MAX_DAYS, Trends, load_trends
from workflow.errors import ForbiddenError, InvalidInputError
from workflow.texts.sentences import error_text
from workflow.texts.staff import (
    ALL_DEPARTMENTS_JA,
    KIND_LABELS_JA,
    NO_DISTRICT_JA,
    STAFF_ONLY_JA,
    WEEKDAY_LABELS_JA,
    hours_ja,
)

router = APIRouter(tags=["staff desk"])
FALLBACK_BOUNDS = (139.35, 35.67, 139.46, 35.74)


def _today() -> dt.date:
    return today_tokyo()


def _day_ja(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _presets(scope: dict[str, str]) -> list[tuple[str, str]]:
    """Links to the usual periods, up to today, keeping the chosen department."""
    today = _today()
    fiscal_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    starts = (
        ("直近7日", today - dt.timedelta(days=6)),
        ("直近30日", today - dt.timedelta(days=29)),
        ("直近90日", today - dt.timedelta(days=89)),
        ("今年度", fiscal_start),
    )
    return [
        (label, "/staff/trends?" + urlencode({"from": start.isoformat(), **scope}))
        for label, start in starts
    ]


def _load(session: SessionDep, who: StaffIdentity, params: dict[str, str | None]) -> Trends:
    return load_trends(
        session,
        who,
        parse_date(params.get("from"), "from"),
        parse_date(params.get("to"), "to"),
        parse_code(params.get("department"), "department"),
        _today(),
    )


@router.get("/api/v1/trends", summary="Counts by category × status, weekday, hour, district")
def get_trends(
    session: SessionDep,
    who: DeskStaff,
    from_: Annotated[IsoDate | None, Query(alias="from", description="first day")] = None,
    to: Annotated[IsoDate | None, Query(description="last day (inclusive)")] = None,
    department: Annotated[
        str | None, Query(pattern=exactly(CODE_ITEM), description="department code (admin)")
    ] = None,
) -> dict[str, Any]:
    """Reports received in the period (default: the last 30 days), department-scoped.

    Admins see every department unless ``department`` names one; staff see their own.
    ``median_hours_to_done`` counts reports whose status is 完了 now.
    """
    period = {"from": from_.isoformat() if from_ else None, "to": to.isoformat() if to else None}
    trends = _load(session, who, {**period, "department": department})
    return trends_json(trends)


def _refused(request: Request, who: StaffIdentity | None) -> Response | None:
    """Anonymous -> login page; crews -> 403; desk staff -> None (go on)."""
    if who is None:
        return RedirectResponse("/staff/login", status_code=303)
    if who.role in {"admin", "staff"}:
        return None
    context = {"who": who, "csrf_token": request.state.csrf, "message": STAFF_ONLY_JA}
    return templates.TemplateResponse(request, "staff/forbidden.html", context, status_code=403)


@router.get("/staff/trends", response_class=HTMLResponse, include_in_schema=False)
def trends_page(
    request: Request, session: SessionDep, settings: SettingsDep, who: OptionalStaff
) -> Response:
    refused = _refused(request, who)
    if refused is not None or who is None:
        return refused or Response(status_code=500)
    query = {k: v for k, v in request.query_params.items() if v}
    context: dict[str, Any] = {
        "who": who,
        "csrf_token": request.state.csrf,
        "query": query,
        "departments": department_choices(session, who),
        "max_days": MAX_DAYS,
    }
    try:
        trends = _load(session, who, dict(query))
    except ForbiddenError as exc:
        context["message"] = error_text(exc)
        return templates.TemplateResponse(request, "staff/forbidden.html", context, 403)
    except InvalidInputError as exc:
        context["error"] = error_text(exc)
        return templates.TemplateResponse(request, "staff/trends.html", context, 422)
    context.update(_figures(session, settings, who, trends))
    return templates.TemplateResponse(request, "staff/trends.html", context)


def _figures(
    session: SessionDep, settings: SettingsDep, who: StaffIdentity, t: Trends
) -> dict[str, Any]:
    shapes = {
        s.id: (s.geojson, s.approximate) for s in district_outlines(session, who.municipality_id)
    }
    outline = outline_of(session, who.municipality_id)
    district_map = build_district_map(
        outline.bbox_lonlat if outline else FALLBACK_BOUNDS,
        basemap_of(settings),
        choropleth_values(t, shapes),
    )
    ranked = sorted((d for d in t.districts if d.count), key=lambda d: (-d.count, d.code))
    scope = {"department": t.department.code} if who.is_admin and t.department else {}
    period = {"from": t.period_from.isoformat(), "to": t.period_to.isoformat()}
    return {
        "t": t,
        "period_label": f"{_day_ja(t.period_from)}〜{_day_ja(t.period_to)}",
        "presets": _presets(scope),
        "api_query": urlencode({**period, **scope}),
        "scope_label": t.department.name if t.department else ALL_DEPARTMENTS_JA,
        "scope": department_json(t.department),
        "map": district_map,
        "top_districts": ranked[:15],
        "hour_bars": hour_bars(t.by_hour),
        "weekdays": list(zip(WEEKDAY_LABELS_JA, t.by_weekday, strict=True)),
        "max_weekday": max(t.by_weekday) or 1,
        "hours_ja": hours_ja,
        "kinds": KIND_LABELS_JA,
        "kind_rows": len({c.kind for c in t.categories}) > 1,
        "no_district_label": NO_DISTRICT_JA,
        "statuses": ("received", "in_progress", "done", "rejected", "duplicate"),
    }
