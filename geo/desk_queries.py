"""Reference data for the staff desk's pages: the town outline, categories, districts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class TownOutline:
    bbox_lonlat: tuple[float, float, float, float]  # west, south, east (EPSG:4326)
    geojson: str  # the boundary, simplified to about 10 m


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    group: str = ""


def town_outline(session: Session, municipality_id: int) -> TownOutline | None:
    """The municipality's bbox and simplified boundary, or None when it is not loaded."""
    row = session.execute(
        text(
            "SELECT ST_XMin(boundary) AS x0, ST_YMin(boundary) AS y0, ST_XMax(boundary) AS x1, "
            "ST_YMax(boundary) AS y1, ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary, "
            "0.0001), 5) AS geojson FROM municipality WHERE id = :m"
        ),
        {"m": municipality_id},
    ).first()
    if row is None:
        return None
    return TownOutline((row.x0, row.y0, row.x1, row.y1), str(row.geojson))


def town_box(session: Session, municipality_id: int) -> tuple[float, float, float, float] | None:
    """The municipality boundary's lon/lat box (west, south, east, north); None: not loaded."""
    row = session.execute(
        text(
            "SELECT ST_XMin(boundary) AS x0, ST_YMin(boundary) AS y0, ST_XMax(boundary) AS x1, "
            "ST_YMax(boundary) AS y1 FROM municipality WHERE id = :m AND boundary IS NOT NULL"
        ),
        {"m": municipality_id},
    ).first()
    return None if row is None else (row.x0, row.y0, row.x1, row.y1)


def desk_categories(
    session: Session, municipality_id: int, department_id: int | None
) -> list[Choice]:
    """Categories a staff member can filter by (their department's; all for None)."""
    rows = session.execute(
        text(
            "SELECT code, name, kind FROM category WHERE municipality_id = :m "
            "AND (CAST(:dept AS bigint) IS NULL OR department_id = :dept) "
            "ORDER BY sort_order, id"
        ),
        {"m": municipality_id, "dept": department_id},
    ).all()
    return [Choice(str(r.code), str(r.name), str(r.kind)) for r in rows]


def desk_districts(session: Session, municipality_id: int) -> list[Choice]:
    """Districts (町丁目) as filter choices, grouped by 町, in code order."""
    rows = session.execute(
        text("SELECT id, name, town FROM district WHERE municipality_id = :m ORDER BY code"),
        {"m": municipality_id},
    ).all()
    return [Choice(str(r.id), str(r.name), str(r.town)) for r in rows]
