"""Plan a demo-town day end to end: bookings -> pgRouting matrix -> OR-Tools -> stored routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Row, text

from tests.conftest import MUNICIPALITY_ID
from tests.db.conftest import Day, current_plan_id
from workflow.planning import plan

_ROUTED = (
    "SELECT s.booking_id FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id "
    "AND r.id = s.route_id WHERE r.plan_id = :p AND s.booking_id IS NOT NULL"
)
_LEGS = (
    "SELECT s.id, (SELECT ST_Covers(ST_Union(e.geom), s.leg_geom) FROM road_edge e "
    "WHERE e.municipality_id = s.municipality_id AND ST_Intersects(e.geom, s.leg_geom)) "
    "AS on_roads FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id "
    "AND r.id = s.route_id WHERE r.plan_id = :p AND s.leg_geom IS NOT NULL"
)
_ROUTES = (
    "SELECT r.id, v.capacity_points AS cap, ST_DWithin(ST_StartPoint(r.geom)::geography, "
    "f.location::geography, 5) AS starts, ST_DWithin(ST_EndPoint(r.geom)::geography, "
    "f.location::geography, 5) AS ends FROM route r JOIN vehicle v ON v.municipality_id = "
    "r.municipality_id AND v.id = r.vehicle_id JOIN facility f ON f.municipality_id = "
    "v.municipality_id AND f.id = v.depot_id WHERE r.plan_id = :p"
)
_LOADS = (
    "SELECT s.kind, coalesce(b.size_points_total, 0) AS pts FROM route_stop s LEFT JOIN "
    "booking b ON b.municipality_id = s.municipality_id AND b.id = s.booking_id "
    "WHERE s.route_id = :r ORDER BY s.seq"
)
_STATUSES = (
    "SELECT DISTINCT rep.status FROM route_stop s JOIN route r ON r.municipality_id = "
    "s.municipality_id AND r.id = s.route_id JOIN booking b ON b.municipality_id = "
    "s.municipality_id AND b.id = s.booking_id JOIN report rep ON rep.municipality_id = "
    "b.municipality_id AND rep.id = b.report_id WHERE r.plan_id = :p"
)


def _q(engine: Engine, sql: str, **params: object) -> list[Row[Any]]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), {"m": MUNICIPALITY_ID, **params}).all())


def test_every_booking_is_routed_or_unassigned_with_reason(
    engine: Engine, planned_day: Day
) -> None:
    day, plan_id = planned_day, current_plan_id(engine, planned_day)
    bookings = {
        r[0]
        for r in _q(
            engine,
            "SELECT id FROM booking WHERE municipality_id = :m "
            "AND service_date = :d AND status = 'booked'",
            d=day,
        )
    }
    routed = {r[0] for r in _q(engine, _ROUTED, p=plan_id)}
    stats = _q(engine, "SELECT stats FROM route_plan WHERE id = :p", p=plan_id)[0][0]
    unassigned = {int(b) for b, reason in stats["unassigned"] if reason}
    assert bookings and routed | unassigned == bookings and not routed & unassigned


def test_each_leg_is_a_pgrouting_path_on_the_road_edges(engine: Engine, planned_day: Day) -> None:
    legs = _q(engine, _LEGS, p=current_plan_id(engine, planned_day))
    assert len(legs) > 5
    assert [leg.id for leg in legs if not leg.on_roads] == []


def test_routes_leave_and_return_to_the_depot_within_capacity(
    engine: Engine, planned_day: Day
) -> None:
    routes = _q(engine, _ROUTES, p=current_plan_id(engine, planned_day))
    assert routes
    for route in routes:
        assert route.starts and route.ends
        load = 0
        for stop in _q(engine, _LOADS, r=route.id):
            load = 0 if stop.kind == "unload" else load + stop.pts
            assert load <= route.cap


def test_routed_bookings_are_in_progress_and_replanning_replaces_the_draft(
    engine: Engine, planned_day: Day
) -> None:
    day, plan_id = planned_day, current_plan_id(engine, planned_day)
    assert [s[0] for s in _q(engine, _STATUSES, p=plan_id)] == ["in_progress"]
    again = plan(engine, MUNICIPALITY_ID, day, time_limit_s=2, seed=1)
    plans = _q(
        engine, "SELECT id FROM route_plan WHERE municipality_id = :m AND service_date = :d", d=day
    )
    assert [p[0] for p in plans] == [again.plan_id]
