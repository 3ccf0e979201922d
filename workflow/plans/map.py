"""The staff route map of a stored plan (values from ``workflow.plans.views`` -> folium page)."""

from __future__ import annotations

from maps.route_map import MapPlace, MapRoute, MapStop, build_route_map
from workflow.plans.views import OUTCOME_LABELS_JA, PlanSummary, StopSummary


def _popup(stop: StopSummary) -> str:
    state = OUTCOME_LABELS_JA.get(stop.outcome or "", "未記録")
    return (
        f"No.{stop.seq} {stop.booking_no} {stop.place} / {stop.items} / {stop.eta:%H:%M} / {state}"
    )


def render_plan_map(summary: PlanSummary, tile_url: str, attribution: str) -> str:
    """A standalone HTML map of the plan: one colour per truck, numbered pickups, the depot.

    Args:
        summary: the plan as loaded by ``load_plan_summary``.
        tile_url: XYZ tile URL template of the background map.
        attribution: the tiles' attribution (HTML, as the tile provider requires).
    """
    routes = [
        MapRoute(
            f"{route.vehicle_name}（{len(route.pickups)}件）",
            route.line_lonlat,
            tuple(
                MapStop(s.seq, s.lon, s.lat, _popup(s), s.outcome is not None)
                for s in route.pickups
            ),
        )
        for route in summary.routes
    ]
    name, lon, lat = summary.depot
    return build_route_map(routes, MapPlace(name, lon, lat), tile_url, attribution)
