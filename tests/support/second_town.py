"""A second town in the test database, cloned from the demo town, and everything it needs.

Town B gets the demo town's boundary, its bulky-waste department and category, and one
collection zone: enough for LINE dialogues and bookings (for reminders). ``second_town``
removes every row of town B afterwards, whatever the tests added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from tests.conftest import MUNICIPALITY_ID

TOWN_B = 99901

_CLONE = (
    "INSERT INTO municipality (id, code, name, prefecture, phone, boundary) "
    "SELECT :b, :code, 'Town B', prefecture, '0000-00-0001', boundary FROM municipality "
    "WHERE id = :a",
    "INSERT INTO department (municipality_id, code, name, phone) SELECT :b, d.code, d.name, "
    "d.phone FROM department d JOIN category c ON c.municipality_id = d.municipality_id "
    "AND c.department_id = d.id WHERE d.municipality_id = :a AND c.kind = 'bulky'",
    "INSERT INTO category (municipality_id, department_id, code, name, kind) SELECT :b, "
    "(SELECT id FROM department WHERE municipality_id = :b), code, name, kind FROM category "
    "WHERE municipality_id = :a AND kind = 'bulky'",
    "INSERT INTO collection_zone (municipality_id, code, name, weekdays, daily_capacity, geom) "
    "SELECT :b, code, name, weekdays, daily_capacity, geom FROM collection_zone "
    "WHERE municipality_id = :a AND code = 'A'",
)


@contextmanager
def second_town(engine: Engine, town_id: int = TOWN_B) -> Iterator[int]:
    """Town ``town_id`` for the block, then every row of it deleted."""
    params = {"a": MUNICIPALITY_ID, "b": town_id, "code": str(town_id)}
    with engine.begin() as conn:
        for sql in _CLONE:
            conn.execute(text(sql), params)
    try:
        yield town_id
    finally:
        remove_town(engine, town_id)


def remove_town(engine: Engine, town_id: int) -> None:
    """Delete every row of ``town_id`` (children first, whatever the order of the tables)."""
    with engine.connect() as conn:
        tables = list(
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.columns WHERE column_name = "
                    "'municipality_id' AND table_schema = 'public' ORDER BY table_name"
                )
            ).scalars()
        )
    tables.append("municipality")
    for _ in range(len(tables)):
        left = []
        for table in tables:
            column = "id" if table == "municipality" else "municipality_id"
            with engine.connect() as conn:
                try:
                    conn.execute(text(f'DELETE FROM "{table}" WHERE {column} = :t'), {"t": town_id})
                    conn.commit()
                except Exception:  # a child still refers to it: next pass
                    conn.rollback()
                    left.append(table)
        if not left:
            return
        tables = left
    raise AssertionError(f"rows of town {town_id} left in {tables}")


def add_booking(engine: Engine, town_id: int, line_user_id: str, day: dt.date) -> int:
    """A booked pickup on ``day`` in the town's zone A for a LINE resident; returns its id."""
    params = {"m": town_id, "u": line_user_id, "d": day, "no": f"B-{line_user_id[-8:]}"}
    with engine.begin() as conn:
        return int(
            conn.execute(
                text(
                    "WITH p AS (INSERT INTO resident (municipality_id, line_user_id, following) "
                    "VALUES (:m, :u, true) RETURNING id), c AS (SELECT id, department_id FROM "
                    "category WHERE municipality_id = :m AND kind = 'bulky' ORDER BY id LIMIT 1), "
                    "z AS (SELECT id, ST_PointOnSurface(geom) AS point FROM collection_zone "
                    "WHERE municipality_id = :m AND code = 'A'), r AS (INSERT INTO report "
                    "(municipality_id, receipt_no, kind, category_id, department_id, channel, "
                    "location, resident_id) SELECT :m, :no, 'bulky', c.id, c.department_id, "
                    "'line', z.point, p.id FROM c, z, p RETURNING id, resident_id) "
                    "INSERT INTO booking (municipality_id, report_id, zone_id, service_date, "
                    "resident_id, fee_total_yen, size_points_total) SELECT :m, r.id, z.id, :d, "
                    "r.resident_id, 1200, 2 FROM r, z RETURNING id"
                ),
                params,
            ).scalar_one()
        )
