"""The second demo town 京丹後市, loaded beside 立川市 (once per module, rolled back after)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.matrix import build_road_matrix
from geo.paths import leg_paths
from geo.roads import nearest_vertex
from tests.conftest import MUNICIPALITY_ID as TACHIKAWA
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.calendar import BookingWindow, closed_reason, free_days, zone_of
from workflow.bookings.catalogue import search_items
from workflow.clock import now_tokyo, today_tokyo
from workflow.demo.common import DemoLoadResult, count_rows
from workflow.demo.kyotango import centre_closures, load_kyotango, place_kyotango_districts
from workflow.desk.auth import authenticate
from workflow.towns.registry import town_by_host

KYOTANGO = 26212
TownRows = dict[tuple[str, int], int]


@dataclass(frozen=True)
class Loaded:
    session: Session
    result: DemoLoadResult
    before: TownRows  # rows per (table, municipality) before the load


def _rows_by_town(session: Session) -> TownRows:
    tables = session.scalars(
        text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND column_name = 'municipality_id' ORDER BY 1"
        )
    ).all()
    counts: TownRows = {}
    for table in tables:
        for town, n in session.execute(
            text(f"SELECT municipality_id, count(*) FROM {table} GROUP BY 1")
        ).all():
            counts[(str(table), int(town))] = int(n)
    return counts


@pytest.fixture(scope="module")
def kyotango(engine: Engine) -> Iterator[Loaded]:
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        before = _rows_by_town(session)
        yield Loaded(session, load_kyotango(session), before)
    finally:
        session.close()
        outer.rollback()
        connection.close()


def _scalar(loaded: Loaded, sql: str, **params: object) -> object:
    return loaded.session.execute(text(sql), {"m": KYOTANGO, **params}).scalar()


def test_counts_match_the_data(kyotango: Loaded) -> None:
    counts = kyotango.result.counts
    assert kyotango.result.loaded is True and kyotango.result.municipality_id == KYOTANGO
    assert counts["district"] == 169  # every 地区 of area_days.csv
    assert counts["bulky_item"] == 193  # 148 粗大ごみ + 45 受入れできないもの rows of target.csv
    assert counts["staff_user"] == 5 and counts["department"] == 3 and counts["category"] == 16
    assert counts["collection_zone"] == 6 and counts["vehicle"] == 3 and counts["facility"] == 1
    assert counts["evacuation_site"] == 0  # none in the data: omitted, not invented
    assert counts["road_vertex"] > 1000 and counts["road_edge"] > 2 * counts["road_vertex"]
    assert counts["collection_day"] > 0


def test_second_load_only_tops_up_the_calendar(kyotango: Loaded) -> None:
    again = load_kyotango(kyotango.session)
    assert again.loaded is False
    assert again.counts == count_rows(kyotango.session, KYOTANGO) == kyotango.result.counts


def test_the_registry_serves_it_at_its_demo_host(kyotango: Loaded) -> None:
    town = town_by_host(kyotango.session, "Kyotango.localhost:8000")
    assert town is not None and (town.id, town.name, town.active) == (KYOTANGO, "京丹後市", True)
    assert town.phone == "0772-00-0000"  # a demo number, see data/kyotango/SOURCES.md
    tachikawa = town_by_host(kyotango.session, "tachikawa.localhost")
    assert tachikawa is not None and tachikawa.id == TACHIKAWA


def test_a_second_load_gives_a_town_without_a_host_its_demo_host(kyotango: Loaded) -> None:
    session = kyotango.session
    with session.begin_nested() as savepoint:
        session.execute(text("UPDATE municipality SET host = NULL WHERE id = :m"), {"m": KYOTANGO})
        session.expire_all()
        load_kyotango(session)
        session.flush()
        host = _scalar(kyotango, "SELECT host FROM municipality WHERE id = :m")
        savepoint.rollback()
    assert host == "kyotango.localhost"


def test_municipality_row(kyotango: Loaded) -> None:
    row = kyotango.session.execute(
        text(
            "SELECT code, name, prefecture, ST_Area(boundary::geography) AS m2 FROM municipality "
            "WHERE id = :m"
        ),
        {"m": KYOTANGO},
    ).one()
    assert (row.code, row.name, row.prefecture) == ("26212", "京丹後市", "京都府")
    assert row.m2 == pytest.approx(501.27e6, rel=0.005)  # N03 main island, islets left out


def test_every_district_point_lies_inside_the_boundary_and_its_district(kyotango: Loaded) -> None:
    outside = _scalar(
        kyotango,
        "SELECT count(*) FROM district d JOIN municipality m ON m.id = d.municipality_id "
        "WHERE d.municipality_id = :m AND NOT (ST_Covers(m.boundary, d.label_point) "
        "AND ST_Covers(d.geom, d.label_point))",
    )
    assert outside == 0
    ratio = _scalar(
        kyotango,
        "SELECT (SELECT sum(ST_Area(geom::geography)) FROM district WHERE municipality_id = :m)"
        " / (SELECT ST_Area(boundary::geography) FROM municipality WHERE id = :m)",
    )
    assert ratio == pytest.approx(1.0, abs=0.001)


def test_district_points_are_real_where_the_address_points_name_them() -> None:
    placed = place_kyotango_districts()
    assert Counter(p.placement for p in placed) == {"oaza": 103, "near_oaza": 10, "synthetic": 56}
    by_name = {p.name: p for p in placed}
    assert (by_name["網野町浅茂川"].lon, by_name["網野町浅茂川"].lat) == (135.015976, 35.685388)
    assert by_name["峰山町１区"].placement == "synthetic"
    assert {p.town for p in placed} == {
        "峰山町",
        "大宮町",
        "網野町",
        "丹後町",
        "弥栄町",
        "久美浜町",
    }


def test_road_graph_is_one_strongly_connected_component(kyotango: Loaded) -> None:
    components = kyotango.session.execute(
        text(
            "SELECT count(DISTINCT component), count(*) FROM pgr_strongComponents("
            "'SELECT id, source, target, cost_s AS cost, reverse_cost_s AS reverse_cost "
            "FROM road_edge WHERE municipality_id = 26212')"
        )
    ).one()
    assert tuple(components) == (1, kyotango.result.counts["road_vertex"])
    slow = _scalar(
        kyotango,
        "SELECT count(*) FROM road_edge WHERE municipality_id = :m AND NOT (speed_kmh > 0 "
        "AND cost_s > 0 AND length_m > 0)",
    )
    assert slow == 0


def _vertex_of(loaded: Loaded, district: str) -> int:
    lon, lat = loaded.session.execute(
        text(
            "SELECT ST_X(label_point), ST_Y(label_point) FROM district "
            "WHERE municipality_id = :m AND name = :n"
        ),
        {"m": KYOTANGO, "n": district},
    ).one()
    return nearest_vertex(loaded.session, KYOTANGO, lon, lat)


def test_pgrouting_finds_a_road_between_towns(kyotango: Loaded) -> None:
    west, east = _vertex_of(kyotango, "久美浜町小桑"), _vertex_of(kyotango, "丹後町袖志")
    (path,) = leg_paths(kyotango.session, KYOTANGO, [(west, east)])
    straight = _scalar(
        kyotango,
        "SELECT ST_Distance(a.geom::geography, b.geom::geography) FROM road_vertex a, "
        "road_vertex b WHERE a.municipality_id = :m AND b.municipality_id = :m "
        "AND a.id = :a AND b.id = :b",
        a=west,
        b=east,
    )
    assert isinstance(straight, float) and straight > 25_000
    assert straight < path.length_m < 2 * straight
    assert 0 < path.time_s < 3 * 3600


def test_the_planner_s_road_matrix_joins_the_depot_and_every_town(kyotango: Loaded) -> None:
    points = kyotango.session.execute(
        text(
            "SELECT ST_X(location), ST_Y(location) FROM facility WHERE municipality_id = :m "
            "UNION ALL (SELECT DISTINCT ON (town) ST_X(label_point), ST_Y(label_point) "
            "FROM district WHERE municipality_id = :m ORDER BY town, code)"
        ),
        {"m": KYOTANGO},
    ).all()
    assert len(points) == 7
    matrix = build_road_matrix(kyotango.session, KYOTANGO, [(x, y) for x, y in points])
    assert all(
        (t > 0) == (i != j) for i, row in enumerate(matrix.time_s) for j, t in enumerate(row)
    )


def test_depot_is_on_the_road_network_inside_the_town(kyotango: Loaded) -> None:
    inside = _scalar(
        kyotango,
        "SELECT ST_Covers(m.boundary, f.location) AND EXISTS (SELECT 1 FROM road_vertex v "
        "WHERE v.municipality_id = f.municipality_id AND ST_Equals(v.geom, f.location)) "
        "FROM facility f JOIN municipality m ON m.id = f.municipality_id WHERE m.id = :m",
    )
    assert inside is True


def test_every_zone_has_bookable_days_and_a_pickup_books(kyotango: Loaded) -> None:
    session, today = kyotango.session, today_tokyo()
    zones = session.execute(
        text("SELECT id FROM collection_zone WHERE municipality_id = :m"), {"m": KYOTANGO}
    ).scalars()
    for zone in zones:
        assert free_days(session, KYOTANGO, int(zone), today, BookingWindow())
    lon, lat = session.execute(
        text(
            "SELECT ST_X(label_point), ST_Y(label_point) FROM district WHERE "
            "municipality_id = :m AND name = '網野町浅茂川'"
        ),
        {"m": KYOTANGO},
    ).one()
    zone_id, zone_name = zone_of(session, KYOTANGO, lon, lat)
    assert zone_name == "網野町"
    day = free_days(session, KYOTANGO, zone_id, today, BookingWindow())[0].service_date
    hit = next(h for h in search_items(session, KYOTANGO, "たんす") if h.accepted)
    booking = book(
        session, KYOTANGO, BookingRequest(lon, lat, day, (ItemLine(hit.id, 1),)), channel="phone"
    )
    assert booking.municipality_id == KYOTANGO and booking.fee_total_yen == 1000


def test_refused_items_say_where_to_go(kyotango: Loaded) -> None:
    rows = kyotango.session.execute(
        text(
            "SELECT accepted, count(*), count(fee_yen), count(alternative) FROM bulky_item "
            "WHERE municipality_id = :m GROUP BY 1 ORDER BY 1"
        ),
        {"m": KYOTANGO},
    ).all()
    assert [tuple(r) for r in rows] == [(False, 45, 0, 45), (True, 148, 148, 0)]
    tv = _scalar(
        kyotango, "SELECT accepted FROM bulky_item WHERE municipality_id = :m AND name = 'テレビ'"
    )
    assert tv is False


def test_depot_closures_in_center_csv_are_closed_days() -> None:
    closures = centre_closures()
    assert len(closures) == 5
    for first, last in closures:
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        assert all(closed_reason(day) is not None for day in days)


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [
        ("kyotango-admin", "kyotango-admin-demo", "admin"),
        ("kyotango-doro", "kyotango-doro-demo", "staff"),
        ("kyotango-bousai", "kyotango-bousai-demo", "staff"),
        ("kyotango-kankyo", "kyotango-kankyo-demo", "staff"),
        ("kyotango-crew1", "kyotango-crew-demo", "crew"),
    ],
)
def test_demo_logins_sign_in_to_kyotango_only(
    kyotango: Loaded, username: str, password: str, role: str
) -> None:
    now = now_tokyo()
    who = authenticate(kyotango.session, KYOTANGO, username, password, now).identity
    assert who is not None and who.role == role and who.municipality_id == KYOTANGO
    assert authenticate(kyotango.session, TACHIKAWA, username, password, now).identity is None


def test_both_towns_coexist_and_every_new_row_is_kyotango_s(kyotango: Loaded) -> None:
    after = _rows_by_town(kyotango.session)
    changed = {
        key
        for key in after.keys() | kyotango.before.keys()
        if after.get(key, 0) != kyotango.before.get(key, 0)
    }
    assert changed and {town for _, town in changed} == {KYOTANGO}
    assert count_rows(kyotango.session, TACHIKAWA)["district"] == 79
    both = _scalar(
        kyotango, "SELECT count(DISTINCT municipality_id) FROM district WHERE code = '001'"
    )
    assert both == 2
