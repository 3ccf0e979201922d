"""Disaster HQ JSON API: disaster mode, the live report list, segment push (preview, send)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field, StrictBool

from api.deps import SessionDep, SettingsDep
from api.gzip_body import packed_response
from api.media import GeoJSONResponse, geojson_answer
from api.openapi_contract import link, links
from api.schema_types import NOT_BLANK, IsoDate, RowIdItem, StrictBody
from api.security import DeskStaff
from api.staff.disaster_views import (
    confirmation_for,
    confirmed_push,
    hq_json,
    log_json,
    mode_json,
    preview_json,
    push_messages,
)
from api.staff.params import STATUS_LIST, parse_choices, parse_day
from workflow.clock import now_tokyo
from workflow.desk.filters import REPORT_STATUSES
from workflow.disaster.hq import (
    MAX_DISTRICTS,
    MAX_PUSH_CHARS,
    disaster_mode,
    hq_log,
    hq_view,
    preview_segment,
    send_segment,
    switch_disaster_mode,
)

router = APIRouter(prefix="/api/v1/disaster", tags=["disaster HQ"])
# A preview's signed token: 200 district ids, the text's digest, a count and a key, base64.
CONFIRMATION_MAX_CHARS = 8_000


class DisasterModeUpdate(StrictBody):
    on: StrictBool  # JSON true/false only: 0 or "no" would switch the mode by accident


class SegmentPushDraft(StrictBody):
    # The limits workflow.disaster.hq checks (for every caller, naming the field in Japanese);
    # that the districts are the town's is the one rule left to it.
    district_ids: list[RowIdItem] = Field(min_length=1, max_length=MAX_DISTRICTS)
    body: str = Field(max_length=MAX_PUSH_CHARS, pattern=NOT_BLANK)


class SegmentPushConfirmed(SegmentPushDraft):
    confirmation: str = Field(min_length=1, max_length=CONFIRMATION_MAX_CHARS)


def _now() -> dt.datetime:
    return now_tokyo()


@router.get("/mode", summary="Whether disaster mode is on, since when, switched by whom")
def get_mode(session: SessionDep, who: DeskStaff) -> dict[str, Any]:
    return mode_json(disaster_mode(session, who))


@router.put("/mode", summary="Switch disaster mode on or off (logged)")
def put_mode(session: SessionDep, who: DeskStaff, update: DisasterModeUpdate) -> dict[str, Any]:
    mode = switch_disaster_mode(session, who, update.on, _now())
    return {**mode_json(mode), "changed": mode.changed}


@router.get(
    "/reports",
    summary="Every disaster report, urgent open ones first (GeoJSON)",
    response_class=GeoJSONResponse,
    responses=geojson_answer(),
)
def get_hq_reports(
    request: Request,
    session: SessionDep,
    who: DeskStaff,
    since: Annotated[IsoDate | None, Query(description="first day (default: mode start)")] = None,
    status: Annotated[
        str | None, Query(pattern=STATUS_LIST, description="comma-separated statuses")
    ] = None,
) -> Response:
    """Newest first within: urgent open, other open, closed; at most 500 features."""
    view = hq_view(
        session,
        who,
        parse_day(since.isoformat() if since else None, "since"),
        parse_choices(status, "status", REPORT_STATUSES),
        _now(),
    )
    headers = {"Cache-Control": "no-store"}
    return packed_response(request, hq_json(view), GeoJSONResponse, headers)


PREVIEWED_LINKS = links(
    200,
    SendPreviewedPush=link(
        "POST",
        "/api/v1/disaster/segment-push",
        requestBody={
            "district_ids": "$response.body#/district_ids",
            "body": "$response.body#/body",
            "confirmation": "$response.body#/confirmation",
        },
    ),
)


@router.post(
    "/segment-push/preview",
    summary="How many residents a segment push reaches",
    responses=PREVIEWED_LINKS,
)
def post_push_preview(
    session: SessionDep, settings: SettingsDep, who: DeskStaff, draft: SegmentPushDraft
) -> dict[str, Any]:
    """Counts followers placed in the districts; returns a 15-minute ``confirmation``."""
    preview = preview_segment(session, who, draft.district_ids, draft.body)
    return preview_json(preview, confirmation_for(settings, preview))


@router.post("/segment-push", status_code=201, summary="Send a previewed segment push")
def post_push(
    session: SessionDep,
    settings: SettingsDep,
    who: DeskStaff,
    push: SegmentPushConfirmed,
    response: Response,
) -> dict[str, Any]:
    """Queues one LINE push per resident; the same ``confirmation`` sends only once."""
    confirmed = confirmed_push(settings, push.confirmation, push.district_ids, push.body)
    sent = send_segment(session, who, confirmed, push_messages, _now())
    if sent.already_sent:
        response.status_code = 200
    return {
        "id": sent.log_id,
        "recipients": sent.recipients,
        "previewed_recipients": confirmed.previewed_recipients,
        "already_sent": sent.already_sent,
    }


@router.get("/log", summary="The latest HQ actions: mode switches and pushes")
def get_log(
    session: SessionDep, who: DeskStaff, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> dict[str, Any]:
    return {"items": [log_json(e) for e in hq_log(session, who, limit)]}
