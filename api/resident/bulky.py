"""Public bulky-waste endpoints: item search, a place's free collection days (no personal data)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import MunicipalityDep, SessionDep
from api.schema_types import NOT_BLANK
from workflow.bookings.calendar import zone_calendar
from workflow.bookings.catalogue import MAX_QUERY_CHARS, search_items
from workflow.clock import today_tokyo

router = APIRouter(prefix="/api/v1", tags=["bulky waste"])


class ItemPublic(BaseModel):
    id: int
    name: str
    fee_yen: int | None
    accepted: bool
    refusal_reason: str | None
    alternative: str | None
    note: str | None
    explanation: str


class ItemSearchPublic(BaseModel):
    query: str
    items: list[ItemPublic]


class FreeDayPublic(BaseModel):
    date: dt.date
    weekday: str
    free: int


class CalendarPublic(BaseModel):
    zone: str
    first_date: dt.date
    last_date: dt.date
    days: list[FreeDayPublic]


@router.get("/items", summary="Search the bulky-waste catalogue (fee, or why not and where to)")
def get_items(
    session: SessionDep,
    municipality_id: MunicipalityDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            pattern=NOT_BLANK,
            description="what the resident typed, in any kana or width",
        ),
    ],
) -> ItemSearchPublic:
    hits = search_items(session, municipality_id, q)
    return ItemSearchPublic(
        query=q,
        items=[
            ItemPublic(
                id=h.id,
                name=h.name,
                fee_yen=h.fee_yen,
                accepted=h.accepted,
                refusal_reason=h.refusal_reason,
                alternative=h.alternative,
                note=h.note,
                explanation=h.explanation_ja,
            )
            for h in hits
        ],
    )


@router.get("/calendar", summary="Free collection days for a place (lon/lat, EPSG:4326)")
def get_calendar(
    session: SessionDep,
    municipality_id: MunicipalityDep,
    lon: float = Query(ge=-180, le=180),
    lat: float = Query(ge=-90, le=90),
) -> CalendarPublic:
    today = today_tokyo()
    calendar = zone_calendar(session, municipality_id, lon, lat, today)
    return CalendarPublic(
        zone=calendar.zone_name,
        first_date=calendar.first_date,
        last_date=calendar.last_date,
        days=[
            FreeDayPublic(date=d.service_date, weekday=d.weekday_ja, free=d.free)
            for d in calendar.days
        ],
    )
