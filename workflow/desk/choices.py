"""Reference data of the staff desk's pages: outline, filter choices, districts, departments.

Choices follow the clerk's scope: staff filter by their own department's categories and pick
no other department; administrators see every one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from geo.desk_queries import Choice, TownOutline, desk_categories, desk_districts, town_outline
from geo.trend_queries import DepartmentChoice, DistrictShape, departments, district_shapes
from workflow.desk.auth import StaffIdentity
from workflow.desk.reports import scope_of

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


def outline_of(session: Session, municipality_id: int) -> TownOutline | None:
    """The municipality's bbox and simplified boundary (EPSG:4326), or None when not loaded."""
    return town_outline(session, municipality_id)


def category_choices(session: Session, who: StaffIdentity) -> list[Choice]:
    """The categories ``who`` may filter by: their department's, or all for administrators.

    Raises:
        ForbiddenError: crews and staff without a department have no desk scope.
    """
    return desk_categories(session, who.municipality_id, scope_of(who))


def district_choices(session: Session, municipality_id: int) -> list[Choice]:
    """Districts as filter choices, grouped by town (chome within machi), in code order."""
    return desk_districts(session, municipality_id)


def district_outlines(session: Session, municipality_id: int) -> list[DistrictShape]:
    """District polygons (EPSG:4326, simplified to about 5 m) for a choropleth."""
    return district_shapes(session, municipality_id)


def department_choices(session: Session, who: StaffIdentity) -> list[DepartmentChoice]:
    """The departments ``who`` may choose between: all for administrators, none for staff."""
    return departments(session, who.municipality_id) if who.is_admin else []
