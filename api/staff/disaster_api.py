"""Disaster HQ JSON API: disaster mode, the live report list, segment push (preview, send)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field, StrictBool

from api.deps import SessionDep, SettingsDep
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
from api.staff.params import parse_choices, parse_day
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


class DisasterModeUpdate(BaseModel):
    on: StrictBool  # JSON true/false only: 0 or "no" would switch the mode by accident


class SegmentPushDraft(BaseModel):
    # Emptiness and length are checked by workflow.disaster.hq, which names the field in Japanese;
    # these bounds only keep absurd requests out.
    district_ids: list[int] = Field(max_length=MAX_DISTRICTS * 2)
    body: str = Field(max_length=MAX_PUSH_CHARS * 4)


class SegmentPushConfirmed(SegmentPushDraft):
    confirmation: str = Field(min_length=1, max_length=1000)


def _now() -> dt.datetime:
    return now_tokyo()


@router.get("/mode", summary="Whether disaster mode is on, since when, switched by whom")
def get_mode(session: SessionDep, who: DeskStaff) -> dict[str, Any]:
    return mode_json(disaster_mode(session, who))


@router.put("/mode", summary="Switch disaster mode on or off (logged)")
def put_mode(session: SessionDep, who: DeskStaff, update: DisasterModeUpdate) -> dict[str, Any]:
    mode = switch_disaster_mode(session, who, update.on, _now())
    return {**mode_json(mode), "changed": mode.changed}


@router.get("/reports", summary="Every disaster report, urgent open ones first (GeoJSON)")
def get_hq_reports(
    session: SessionDep,
    who: DeskStaff,
    since: Annotated[str | None, Query(description="YYYY-MM-DD (default: mode start)")] = None,
    status: Annotated[str | None, Query(description="comma-separated statuses")] = None,
) -> Response:
    """Newest first within: urgent open, other open, closed; at most 500 features."""
    view = hq_view(
        session,
        who,
        parse_day(since, "since"),
        parse_choices(status, "status", REPORT_STATUSES),
        _now(),
    )
    return Response(
        hq_json(view), media_type="application/geo+json", headers={"Cache-Control": "no-store"}
    )


@router.post("/segment-push/preview", summary="How many residents a segment push reaches")
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
