"""Reference data of the staff desk's pages: outline, filter choices, districts, departments.

Choices follow the clerk's scope: staff filter by their own department's categories and pick
no other department; administrators see every one.

Outlines and choices are read for every staff page, so they are kept per town in a fresh
cache that any config notice (departments, categories, districts, a town's boundary) empties.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from sqlalchemy.orm import Session

from geo.change_feed import CONFIG
from geo.desk_queries import Choice, TownOutline, desk_categories, desk_districts, town_outline
from geo.trend_queries import DepartmentChoice, DistrictShape, departments, district_shapes
from workflow.desk.auth import StaffIdentity
from workflow.desk.reports import scope_of
from workflow.fresh import FreshCache
from workflow.fresh_feed import fresh_cache

__all__ = [
    "Choice",
    "DepartmentChoice",
    "DistrictShape",
    "TownOutline",
    "category_choices",
    "department_choices",
    "district_choices",
    "district_outlines",
    "outline_of",
]

T = TypeVar("T")
REFERENCE_TTL_S: Final = 300.0  # a notice empties it first; the TTL only bounds a missed one
_reference: Final[FreshCache[object]] = fresh_cache(REFERENCE_TTL_S, 512, frozenset({CONFIG}))


def _kept(key: tuple[object, ...], town: int, read: Callable[[], T]) -> T:
    """``read()``'s answer, kept for ``town`` until a config notice (None is never kept)."""
    return _reference.get_or_make(key, town, None, read)  # type: ignore[return-value]


def outline_of(session: Session, municipality_id: int) -> TownOutline | None:
    """The municipality's bbox and simplified boundary (EPSG:4326), or None when not loaded."""
    return _kept(
        ("outline", municipality_id),
        municipality_id,
        lambda: town_outline(session, municipality_id),
    )


def category_choices(session: Session, who: StaffIdentity) -> list[Choice]:
    """The categories ``who`` may filter by: their department's, or all for administrators.

    Raises:
        ForbiddenError: crews and staff without a department have no desk scope.
    """
    scope = scope_of(who)
    town = who.municipality_id
    return list(
        _kept(
            ("categories", town, scope),
            town,
            lambda: tuple(desk_categories(session, town, scope)),
        )
    )


def district_choices(session: Session, municipality_id: int) -> list[Choice]:
    """Districts as filter choices, grouped by town (chome within machi), in code order."""
    return list(
        _kept(
            ("districts", municipality_id),
            municipality_id,
            lambda: tuple(desk_districts(session, municipality_id)),
        )
    )


def district_outlines(session: Session, municipality_id: int) -> list[DistrictShape]:
    """District polygons (EPSG:4326, simplified to about 5 m) for a choropleth."""
    return district_shapes(session, municipality_id)


def department_choices(session: Session, who: StaffIdentity) -> list[DepartmentChoice]:
    """The departments ``who`` may choose between: all for administrators, none for staff."""
    return departments(session, who.municipality_id) if who.is_admin else []
