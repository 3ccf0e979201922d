"""``jurisdiction_id``: which municipality a GeoReport call is for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from geo.open311_queries import Jurisdiction, find_jurisdiction
from workflow.open311.errors import UnknownResourceError


def check_jurisdiction(
    session: Session,
    municipality_id: int,
    jurisdiction_id: str | None,
) -> Jurisdiction:
    """The municipality, when ``jurisdiction_id`` is absent or its JIS code.

    The edge maps the server's own domain name to None before calling.

    Raises:
        UnknownResourceError: another jurisdiction, or the municipality is not loaded.
    """
    found = find_jurisdiction(session, municipality_id)
    if found is None or jurisdiction_id not in (None, found.code):
        raise UnknownResourceError("jurisdiction", field="jurisdiction_id", value=jurisdiction_id)
    return found
