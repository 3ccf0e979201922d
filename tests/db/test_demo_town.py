"""The demo town 立川市 as loaded from the open data."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.models import StaffUser
from tests.conftest import MUNICIPALITY_ID
from workflow.demo.town import count_rows, load_demo_town
from workflow.desk.passwords import verify_password


def _scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), {"m": MUNICIPALITY_ID}).scalar()


def test_counts_match_the_open_data(db_session: Session) -> None:
    counts = count_rows(db_session, MUNICIPALITY_ID)
    assert counts["district"] == 79
    assert counts["evacuation_site"] == 46
    assert counts["road_vertex"] == 4106 and counts["road_edge"] == 10515
    assert counts["department"] == 3 and counts["vehicle"] == 4 and counts["collection_zone"] == 4
    assert counts["bulky_item"] >= 204


def test_second_load_changes_nothing(db_session: Session) -> None:
    before = count_rows(db_session, MUNICIPALITY_ID)
    result = load_demo_town(db_session)
    assert result.loaded is False
    assert count_rows(db_session, MUNICIPALITY_ID) == before


def test_districts_tile_the_boundary(engine: Engine) -> None:
    ratio = _scalar(
        engine,
        "SELECT (SELECT sum(ST_Area(geom::geography)) FROM district WHERE "
        "municipality_id = :m) / (SELECT ST_Area(boundary::geography) FROM "
        "municipality WHERE id = :m)",
    )
    assert ratio == pytest.approx(1.0, abs=0.001)
    overlaps = _scalar(
        engine,
        "SELECT count(*) FROM district a JOIN district b ON a.id < b.id "
        "AND a.municipality_id = b.municipality_id AND ST_Overlaps(a.geom, b.geom) "
        "AND ST_Area(ST_Intersection(a.geom, b.geom)) > 1e-10 WHERE a.municipality_id = :m",
    )
    assert overlaps == 0


def test_every_chome_point_lies_in_its_own_district(engine: Engine) -> None:
    wrong = _scalar(
        engine,
        "SELECT count(*) FROM district WHERE municipality_id = :m "
        "AND NOT ST_Covers(geom, label_point)",
    )
    assert wrong == 0


def test_evacuation_sites_are_inside_and_flagged(engine: Engine) -> None:
    # GSI places 二中一帯 79 m outside the (2016 or older) N03 line: allow 100 m.
    outside = _scalar(
        engine,
        "SELECT count(*) FROM evacuation_site e JOIN municipality m ON "
        "m.id = e.municipality_id WHERE NOT ST_DWithin(m.boundary::geography, "
        "e.location::geography, 100)",
    )
    assert outside == 0
    quake = _scalar(engine, "SELECT count(*) FROM evacuation_site WHERE '地震' = ANY(hazards)")
    assert quake == 44


def test_zones_cover_every_district_and_have_days_with_capacity_12(engine: Engine) -> None:
    uncovered = _scalar(
        engine,
        "SELECT count(*) FROM district d WHERE NOT EXISTS (SELECT 1 FROM "
        "collection_zone z WHERE z.municipality_id = d.municipality_id "
        "AND ST_Covers(z.geom, d.label_point))",
    )
    assert uncovered == 0
    caps = _scalar(
        engine, "SELECT array_agg(DISTINCT capacity) FROM collection_day WHERE municipality_id = :m"
    )
    assert caps == [12]
    wrong_weekday = _scalar(
        engine,
        "SELECT count(*) FROM collection_day c JOIN collection_zone z ON "
        "z.municipality_id = c.municipality_id AND z.id = c.zone_id WHERE "
        "NOT (EXTRACT(ISODOW FROM c.service_date)::int - 1 = ANY(z.weekdays))",
    )
    assert wrong_weekday == 0


def test_fee_table_is_real_and_refused_items_say_where_to_go(engine: Engine) -> None:
    fee = _scalar(engine, "SELECT fee_yen FROM bulky_item WHERE name = '足踏みミシン'")
    assert fee == 300
    refused = _scalar(
        engine, "SELECT count(*) FROM bulky_item WHERE NOT accepted AND alternative IS NULL"
    )
    assert refused == 0
    tv = _scalar(engine, "SELECT accepted FROM bulky_item WHERE name = 'テレビ'")
    assert tv is False


def test_depot_is_on_the_road_network_inside_the_town(engine: Engine) -> None:
    inside = _scalar(
        engine,
        "SELECT ST_Covers(m.boundary, f.location) AND EXISTS (SELECT 1 FROM "
        "road_vertex v WHERE v.municipality_id = f.municipality_id AND "
        "ST_Equals(v.geom, f.location)) FROM facility f JOIN municipality m ON "
        "m.id = f.municipality_id",
    )
    assert inside is True


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [
        ("admin", "admin-demo", "admin"),
        ("doro", "doro-demo", "staff"),
        ("bousai", "bousai-demo", "staff"),
        ("kankyo", "kankyo-demo", "staff"),
        ("crew1", "crew-demo", "crew"),
    ],
)
def test_demo_logins_are_argon2_hashed(
    db_session: Session, username: str, password: str, role: str
) -> None:
    user = db_session.query(StaffUser).filter_by(username=username).one()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, password)
    assert not verify_password(user.password_hash, password + "x")
    assert user.role == role
