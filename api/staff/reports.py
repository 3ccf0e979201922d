"""Staff-desk JSON API: map features (bbox), list, detail, status change, follow-ups, exports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from pydantic import Field

from api.deps import SessionDep, SettingsDep
from api.gzip_body import packed_response
from api.line.messages import text_message
from api.line.notices import status_notice
from api.media import CSVResponse, GeoJSONResponse, geojson_answer
from api.openapi_contract import link, links
from api.schema_types import RowId, StrictBody
from api.security import DeskStaff
from api.staff.export import reports_csv, reports_geojson
from api.staff.params import FilterDep
from api.staff.views import detail_json, row_json, status_json
from workflow.clock import now_tokyo
from workflow.desk.lists import SORTS, export_for, list_report_page
from workflow.desk.map_view import MapAnswer, kept_view, map_view
from workflow.desk.reports import change_status, photo_path, view_report
from workflow.reports.followups import send_followup
from workflow.texts.staff import FOLLOWUP_PREFIX

router = APIRouter(tags=["staff desk"])

Status = Literal["received", "in_progress", "done", "rejected", "duplicate"]
SortKey = Literal["created_at", "updated_at", "status", "receipt_no", "category", "district"]
assert set(SORTS) == set(SortKey.__args__)  # type: ignore[attr-defined]


class ReportStatusUpdate(StrictBody):
    status: Status
    note: str | None = Field(default=None, max_length=500)


class ReportMessageCreate(StrictBody):
    body: str = Field(min_length=1, max_length=1000)


def followup_messages(receipt_no: str, body: str) -> Sequence[dict[str, Any]]:
    """The LINE push of a staff follow-up."""
    return [text_message(FOLLOWUP_PREFIX.format(receipt_no=receipt_no) + body)]


@router.get(
    "/api/v1/reports",
    summary="Reports in a bbox as GeoJSON (points or grid counts)",
    response_class=GeoJSONResponse,
    responses=geojson_answer(),
)
async def get_reports_geojson(
    request: Request,
    session: SessionDep,
    f: FilterDep,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    mode: Literal["auto", "points", "grid"] = "auto",
) -> Response:
    """``mode=auto``: points when at most ``limit`` match, else counts on a grid.

    Points come newest first; ``truncated`` says whether ``limit`` cut them.
    """
    answer = kept_view(f, limit, mode)  # most views: no thread hop (see kept_view)
    if answer is not None:
        return _geojson_answer(request, answer, limit)
    return await run_in_threadpool(
        lambda: _geojson_answer(request, map_view(session, f, limit, mode), limit)
    )  # read and compressed off the event loop


def _geojson_answer(request: Request, answer: MapAnswer, limit: int) -> Response:
    truncated = answer.mode == "points" and answer.total > limit
    head = (
        f'{{"type":"FeatureCollection","mode":"{answer.mode}","total":{answer.total},'
        f'"limit":{limit},"truncated":{"true" if truncated else "false"},"features":'
    )
    body = head + answer.geojson + "}"
    headers = {"Cache-Control": "no-store"}
    return packed_response(request, body, GeoJSONResponse, headers, answer.memo, limit)


_REPORT = "/api/v1/reports/{report_id}"
_FIRST = {"report_id": "$response.body#/items/0/id"}
LISTED_LINKS = links(
    200,
    ReadFirstReport=link("GET", _REPORT, **_FIRST),
    ChangeFirstStatus=link("PATCH", _REPORT, **_FIRST),
    MessageFirstReporter=link("POST", _REPORT + "/messages", **_FIRST),
)


@router.get(
    "/api/v1/reports/list",
    summary="A sorted page of reports for the list view",
    responses=LISTED_LINKS,
)
def get_report_list(
    session: SessionDep,
    f: FilterDep,
    sort: SortKey = "created_at",
    order: Literal["asc", "desc"] = "desc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    result = list_report_page(session, f, sort, order == "desc", page, per_page)
    return {
        "items": [row_json(row) for row in result.rows],
        "total": result.total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-result.total // per_page)),
    }


def _export_name(extension: str) -> str:
    return f"reports_{now_tokyo():%Y%m%d_%H%M}.{extension}"


@router.get(
    "/api/v1/reports.csv",
    summary="CSV export of the filtered reports",
    response_class=CSVResponse,
)
def export_csv(
    session: SessionDep, who: DeskStaff, f: FilterDep, sort: SortKey = "created_at"
) -> Response:
    export = export_for(session, who, f, sort)
    return CSVResponse(
        reports_csv(export.rows, export.contacts),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_export_name("csv")}"'},
    )


@router.get(
    "/api/v1/reports.geojson",
    summary="GeoJSON export of the filtered reports",
    response_class=GeoJSONResponse,
    responses=geojson_answer(),
)
def export_geojson(
    session: SessionDep, who: DeskStaff, f: FilterDep, sort: SortKey = "created_at"
) -> Response:
    export = export_for(session, who, f, sort)
    return GeoJSONResponse(
        reports_geojson(export.rows, export.contacts),
        headers={"Content-Disposition": f'attachment; filename="{_export_name("geojson")}"'},
    )


@router.get("/api/v1/reports/{report_id:int}", summary="One report in full (own department)")
def get_report(session: SessionDep, who: DeskStaff, report_id: RowId) -> dict[str, Any]:
    return detail_json(view_report(session, who, report_id))


@router.patch("/api/v1/reports/{report_id:int}", summary="Change a report's status")
def patch_report(
    session: SessionDep, who: DeskStaff, report_id: RowId, update: ReportStatusUpdate
) -> dict[str, Any]:
    change = change_status(session, who, report_id, update.status, update.note, status_notice)
    return {
        "id": change.report_id,
        "status": status_json(change.status),
        "allowed": [status_json(s) for s in change.allowed],
    }


@router.post(
    "/api/v1/reports/{report_id:int}/messages", status_code=201, summary="Follow-up to the reporter"
)
def post_message(
    session: SessionDep, who: DeskStaff, report_id: RowId, message: ReportMessageCreate
) -> dict[str, Any]:
    sent = send_followup(session, who, report_id, message.body, followup_messages)
    return {"id": sent.message_id, "queued": True}


@router.get("/staff/photos/{photo_id}", include_in_schema=False)
def get_photo(
    session: SessionDep, settings: SettingsDep, who: DeskStaff, photo_id: RowId
) -> FileResponse:
    path = photo_path(session, who, photo_id, settings.media_dir, thumb=False)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private"})


@router.get("/staff/photos/{photo_id}/thumb", include_in_schema=False)
def get_photo_thumb(
    session: SessionDep, settings: SettingsDep, who: DeskStaff, photo_id: RowId
) -> FileResponse:
    path = photo_path(session, who, photo_id, settings.media_dir, thumb=True)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private"})
