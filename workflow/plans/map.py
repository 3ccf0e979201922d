"""The staff route map of a stored plan (values from ``workflow.plans.views`` -> folium page)."""

from __future__ import annotations

from maps.basemap import Basemap
from maps.route_map import MapPlace, MapRoute, MapStop, build_route_map
from workflow.plans.views import PlanSummary, StopSummary
from workflow.texts.crew import OUTCOME_LABELS_JA
from workflow.texts.staff import OUTCOME_NOT_RECORDED_JA, ROUTE_PICKUPS_JA


def _popup(stop: StopSummary) -> str:
    state = OUTCOME_LABELS_JA.get(stop.outcome or "", OUTCOME_NOT_RECORDED_JA)
    return (
        f"No.{stop.seq} {stop.booking_no} {stop.place} / {stop.items} / {stop.eta:%H:%M} / {state}"
    )


def render_plan_map(summary: PlanSummary, basemap: Basemap) -> str:
    """A standalone HTML map of the plan: one colour per truck, numbered pickups, the depot.

    Args:
        summary: the plan as loaded by ``load_plan_summary``.
        basemap: what to draw underneath (our own vector tiles by default).
    """
    routes = [
        MapRoute(
            ROUTE_PICKUPS_JA.format(vehicle=route.vehicle_name, count=len(route.pickups)),
            route.line_lonlat,
            tuple(
                MapStop(s.seq, s.lon, s.lat, _popup(s), s.outcome is not None)
                for s in route.pickups
            ),
        )
        for route in summary.routes
    ]
    name, lon, lat = summary.depot
    return build_route_map(routes, MapPlace(name, lon, lat), basemap)
