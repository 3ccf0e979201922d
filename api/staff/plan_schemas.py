"""JSON schemas of the plans API (``PlanCreate`` in, ``PlanPublic`` out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from api.schema_types import IsoDate, StrictBody
from workflow.plans.views import PlanSummary, RouteSummary, StopSummary


class PlanCreate(StrictBody):
    date: IsoDate = Field(description="service date YYYY-MM-DD (Asia/Tokyo)")
    time_limit_s: float = Field(30.0, ge=1, le=300, description="solver budget in seconds")


class StopPublic(BaseModel):
    stop_id: int
    seq: int
    kind: str
    eta: dt.datetime
    booking_id: int | None
    booking_no: str
    place: str
    items: str
    lon: float
    lat: float
    outcome: str | None
    outcome_note: str | None


class RoutePublic(BaseModel):
    route_id: int
    vehicle_code: str
    vehicle_name: str
    distance_m: int
    duration_s: int
    start_at: dt.datetime
    end_at: dt.datetime
    started_at: dt.datetime | None
    stops: list[StopPublic]


class UnassignedPublic(BaseModel):
    booking_id: int
    booking_no: str
    place: str
    reason: str
    reason_ja: str


class PlanPublic(BaseModel):
    plan_id: int
    date: dt.date
    status: str
    matrix_source: str
    routes: list[RoutePublic]
    unassigned: list[UnassignedPublic]
    stops: int
    timings_s: dict[str, float] | None = None


def _stop(stop: StopSummary) -> StopPublic:
    return StopPublic(
        **{name: getattr(stop, name) for name in StopPublic.model_fields},
    )


def _route(route: RouteSummary) -> RoutePublic:
    fields: dict[str, Any] = {
        n: getattr(route, n) for n in RoutePublic.model_fields if n != "stops"
    }
    return RoutePublic(**fields, stops=[_stop(s) for s in route.stops])


def plan_public(summary: PlanSummary, timings_s: dict[str, float] | None = None) -> PlanPublic:
    return PlanPublic(
        plan_id=summary.plan_id,
        date=summary.service_date,
        status=summary.status,
        matrix_source=summary.matrix_source,
        routes=[_route(r) for r in summary.routes],
        unassigned=[UnassignedPublic(**u.__dict__) for u in summary.unassigned],
        stops=sum(len(r.pickups) for r in summary.routes),
        timings_s=timings_s,
    )
