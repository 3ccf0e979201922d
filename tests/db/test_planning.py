"""Plan a demo-town day end to end: bookings -> pgRouting matrix -> OR-Tools -> stored routes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Row, text

from tests.conftest import MUNICIPALITY_ID
from tests.db.conftest import Day, current_plan_id
from workflow.plans.plan import plan

_ROUTED = (
    "SELECT s.booking_id FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id "
    "AND r.id = s.route_id WHERE r.plan_id = :p AND s.booking_id IS NOT NULL"
)
_LEGS = (
    # within 1e-7 degrees (about 1 cm): a leg that starts or ends part-way along an edge
    # has an interpolated end point, which exact ST_Covers can miss by rounding
    "SELECT s.id, (SELECT ST_Covers(ST_Buffer(ST_Union(e.geom), 1e-7), s.leg_geom) "
    "FROM road_edge e "
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


_LEG_ENDS = (
    "SELECT s.route_id, s.seq, s.leg_distance_m AS metres, ST_Length(s.leg_geom::geography) "
    "AS drawn_m, ST_X(ST_StartPoint(s.leg_geom)) AS x0, ST_Y(ST_StartPoint(s.leg_geom)) AS y0, "
    "ST_X(ST_EndPoint(s.leg_geom)) AS x1, ST_Y(ST_EndPoint(s.leg_geom)) AS y1 FROM route_stop s "
    "JOIN route r ON r.municipality_id = s.municipality_id AND r.id = s.route_id "
    "WHERE r.plan_id = :p AND s.leg_geom IS NOT NULL ORDER BY s.route_id, s.seq"
)


def test_legs_join_up_in_driving_order_and_measure_what_is_stored(
    engine: Engine, planned_day: Day
) -> None:
    legs = _q(engine, _LEG_ENDS, p=current_plan_id(engine, planned_day))
    assert len(legs) > 5
    for leg in legs:  # the stored leg length is the drawn path's length
        assert abs(leg.drawn_m - leg.metres) <= 0.01 * leg.metres + 5
    gaps = [
        (a.route_id, b.seq)
        for a, b in zip(legs, legs[1:], strict=False)
        if a.route_id == b.route_id and max(abs(a.x1 - b.x0), abs(a.y1 - b.y0)) > 1e-6
    ]
    assert gaps == []  # each leg starts where the last ended (1e-6 deg ~ 0.1 m): one line
