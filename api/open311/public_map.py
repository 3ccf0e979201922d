"""The public map ``/map``: open reports without personal data, for residents to check first.

The data is the same published set as GeoReport v2 (one rule, in geo.open311_queries), with
each report's public status history (status, time, the note written for residents).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse

from api.basemap import basemap_of
from api.deps import MunicipalityDep, SessionDep, SettingsDep
from api.open311 import texts as t
from api.open311.render import iso
from api.open311.routes import limit_address
from api.open311.schema import errors_only
from api.templating import templates
from workflow.open311.reads import PublicHistoryEntry, PublicReport, load_public_map

router = APIRouter(tags=["public map"], dependencies=[Depends(limit_address)])


def _history(entry: PublicHistoryEntry) -> dict[str, Any]:
    return {
        "status": entry.status,
        "label": t.STATUS_LABELS[entry.status],
        "at": iso(entry.changed_at),
        "note": entry.note,
    }


def _report(report: PublicReport, history: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": report.receipt_no,
        "status": report.status,
        "status_label": t.STATUS_LABELS[report.status],
        "service_code": report.service_code,
        "service_name": report.service_name,
        "agency": report.agency,
        "district": report.district,
        "lat": round(report.lat, 6),
        "lon": round(report.lon, 6),
        "requested": iso(report.created_at),
        "updated": iso(report.updated_at),
        "history": history,
    }


@router.get(
    "/map/data.json",
    summary="Open reports for the public map (no personal data)",
    responses=errors_only(),
)
def map_data(session: SessionDep, mid: MunicipalityDep) -> JSONResponse:
    found = load_public_map(session, mid)
    history: dict[str, list[dict[str, Any]]] = {}
    for entry in found.history:
        history.setdefault(entry.receipt_no, []).append(_history(entry))
    reports = [_report(r, history.get(r.receipt_no, [])) for r in found.reports]
    categories = {r.service_code: r.service_name for r in found.reports}
    body = {
        "reports": reports,
        "categories": [{"code": c, "name": n} for c, n in sorted(categories.items())],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    context = {
        "basemap": basemap_of(settings).config(),
        "statuses": {s: t.STATUS_LABELS[s] for s in ("received", "in_progress")},
    }
    return templates.TemplateResponse(request, "public/map.html", context)
