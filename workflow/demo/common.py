"""What every demo town loads the same way: departments, staff, zones, fleet, row counts.

Each town's loader (``workflow.demo.town`` for 立川市, ``workflow.demo.kyotango`` for 京丹後市)
passes its own static definitions; the rows are shaped identically for every town.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shapely.ops import unary_union
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.areas import as_multipolygon
from geo.convert import from_db, to_ewkt
from geo.models import (
    Category,
    CollectionZone,
    Department,
    District,
    Facility,
    Municipality,
    RoadVertex,
    StaffUser,
    Vehicle,
)
from geo.roads import nearest_vertex
from workflow.desk.passwords import hash_password

# (code, name, phone)
DepartmentRow = tuple[str, str, str]
# (department code, code, name, kind, target_hours)
CategoryRow = tuple[str, str, str, str, int | None]
# (code, name, towns, weekdays with 0 = Monday)
ZoneRow = tuple[str, str, tuple[str, ...], tuple[int, ...]]
# (code, name, capacity points, shift start, shift end, crew names)
TruckRow = tuple[str, str, int, dt.time, dt.time, str]
# (username, password, display name, role, department code or None)
StaffRow = tuple[str, str, str, str, str | None]

COUNTED_TABLES = (
    "district",
    "evacuation_site",
    "department",
    "category",
    "staff_user",
    "bulky_item",
    "collection_zone",
    "collection_day",
    "facility",
    "vehicle",
    "road_vertex",
    "road_edge",
)


@dataclass(frozen=True)
class DemoLoadResult:
    loaded: bool
    municipality_id: int
    counts: dict[str, int]


def count_rows(session: Session, municipality_id: int) -> dict[str, int]:
    """Rows per demo table for the municipality (used by ``machi demo load`` and tests)."""
    return {
        table: int(
            session.execute(
                text(f"SELECT count(*) FROM {table} WHERE municipality_id = :m"),
                {"m": municipality_id},
            ).scalar_one()
        )
        for table in COUNTED_TABLES
    }


def top_up_host(session: Session, town: Municipality, host: str) -> None:
    """A town loaded before the registry existed gets its demo host name, unless it is taken."""
    taken = session.scalars(select(Municipality.id).where(Municipality.host == host)).first()
    if town.host is None and taken is None:
        town.host = host


def load_departments(
    session: Session,
    mid: int,
    departments: Sequence[DepartmentRow],
    categories: Sequence[CategoryRow],
) -> dict[str, int]:
    """Add the departments and their report categories; returns department code -> id."""
    ids = {}
    for code, name, phone in departments:
        dept = Department(municipality_id=mid, code=code, name=name, phone=phone)
        session.add(dept)
        session.flush()
        ids[code] = dept.id
    for order, (dept_code, code, name, kind, hours) in enumerate(categories):
        session.add(
            Category(
                municipality_id=mid,
                department_id=ids[dept_code],
                code=code,
                name=name,
                kind=kind,
                target_hours=hours,
                sort_order=order,
            )
        )
    return ids


def load_zones(session: Session, mid: int, zones: Sequence[ZoneRow], daily_capacity: int) -> None:
    """Add one collection zone per row: the union of the districts of its towns."""
    districts = session.scalars(select(District).where(District.municipality_id == mid)).all()
    for code, name, towns, weekdays in zones:
        cells = [from_db(x.geom) for x in districts if x.town in towns]
        session.add(
            CollectionZone(
                municipality_id=mid,
                code=code,
                name=name,
                weekdays=list(weekdays),
                daily_capacity=daily_capacity,
                geom=to_ewkt(as_multipolygon(unary_union(cells))),
            )
        )
    session.flush()


def load_fleet(
    session: Session,
    mid: int,
    facility: Mapping[str, str],
    near: tuple[float, float],
    trucks: Sequence[TruckRow],
) -> None:
    """Add the depot (also the disposal facility) on the road vertex nearest ``near``, and trucks.

    Args:
        session: open session inside the demo load's transaction.
        mid: municipality id.
        facility: ``code``, ``name`` and ``address`` of the 清掃センター.
        near: (lon, lat) the depot is snapped from.
        trucks: the vehicles based at the depot.
    """
    vertex = session.get_one(RoadVertex, (mid, nearest_vertex(session, mid, *near)))
    depot = Facility(
        municipality_id=mid,
        code=facility["code"],
        name=facility["name"],
        address=facility["address"],
        is_depot=True,
        is_disposal=True,
        location=vertex.geom,
    )
    session.add(depot)
    session.flush()
    for code, name, capacity, start, end, crew in trucks:
        session.add(
            Vehicle(
                municipality_id=mid,
                code=code,
                name=name,
                capacity_points=capacity,
                shift_start=start,
                shift_end=end,
                depot_id=depot.id,
                crew_names=crew,
            )
        )


def load_staff(
    session: Session, mid: int, staff: Sequence[StaffRow], departments: Mapping[str, int]
) -> None:
    """Add the demo logins, passwords hashed with argon2."""
    for username, password, display, role, dept in staff:
        session.add(
            StaffUser(
                municipality_id=mid,
                username=username,
                display_name=display,
                password_hash=hash_password(password),
                role=role,
                department_id=departments[dept] if dept else None,
            )
        )
