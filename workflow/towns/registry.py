"""The town registry: every municipality one deployment serves, looked up by code or host.

A town's id is its 5-digit JIS code (全国地方公共団体コード without the check digit) as a
number, as ``MACHI_MUNICIPALITY_CODE`` makes it for a single-town deployment. Writes flush
and leave the commit to the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from geo.convert import to_ewkt
from geo.models import LineChannel as LineChannelRow
from geo.models import Municipality
from geo.models.base import SRID
from workflow.errors import InvalidInputError, NotFoundError
from workflow.towns import validate as v
from workflow.towns.model import Town, TownEntry

# A town added without a boundary gets an empty one: the column stays NOT NULL (every query
# that reads it keeps working), and no point lies in it until ``set_town(boundary=...)``.
EMPTY_BOUNDARY = f"SRID={SRID};MULTIPOLYGON EMPTY"

_CHECKS: dict[str, Callable[[str], str]] = {
    "name": v.check_name,
    "prefecture": v.check_prefecture,
    "phone": v.check_phone,
    "basemap": v.check_basemap,
}
_CLEARABLE: dict[str, Callable[[str], str]] = {
    "host": v.normalize_host,
    "public_base_url": v.check_url,
}


def town_of(row: Municipality) -> Town:
    """The registry's view of a municipality row."""
    return Town(
        id=row.id,
        code=row.code,
        name=row.name,
        prefecture=row.prefecture,
        phone=row.phone,
        host=row.host,
        public_base_url=row.public_base_url,
        basemap=row.basemap,
        active=row.active,
        line_channel_id=row.line_channel_id,
    )


def list_towns(session: Session, include_disabled: bool = False) -> list[Town]:
    """Every town by code; only the active ones unless ``include_disabled``."""
    query = select(Municipality).order_by(Municipality.code)
    if not include_disabled:
        query = query.where(Municipality.active)
    return [town_of(row) for row in session.scalars(query)]


def town_overview(session: Session, include_disabled: bool = True) -> list[TownEntry]:
    """Every town with whether its LINE channel's secret and token are stored."""
    line_set = (
        exists()
        .where(LineChannelRow.municipality_id == Municipality.id)
        .where(LineChannelRow.secret_enc.is_not(None))
        .where(LineChannelRow.access_token_enc.is_not(None))
    )
    query = select(Municipality, line_set.label("line_set")).order_by(Municipality.code)
    if not include_disabled:
        query = query.where(Municipality.active)
    return [TownEntry(town_of(row), bool(flag)) for row, flag in session.execute(query)]


def _row(session: Session, code: str) -> Municipality:
    row = session.scalars(
        select(Municipality).where(Municipality.code == v.normalize_code(code))
    ).one_or_none()
    if row is None:
        raise NotFoundError("town_not_found", field="code", value=code)
    return row


def get_town(session: Session, code: str) -> Town:
    """The town of a JIS code (5 digits, or 6 with the check digit), active or not.

    Raises:
        InvalidInputError: ``code`` is not a municipality code.
        NotFoundError: no such town in the registry.
    """
    return town_of(_row(session, code))


def town_by_id(session: Session, town_id: int) -> Town | None:
    """The town of a tenant id, active or not, or None."""
    row = session.get(Municipality, town_id)
    return None if row is None else town_of(row)


def town_by_host(session: Session, host: str, include_disabled: bool = False) -> Town | None:
    """The town whose host name a request came to (``Host`` header; a port is ignored).

    None when no town has that host, or when it is disabled (unless ``include_disabled``).
    """
    name = v.host_of_request(host)
    if name is None:
        return None
    row = session.scalars(select(Municipality).where(Municipality.host == name)).one_or_none()
    if row is None or not (row.active or include_disabled):
        return None
    return town_of(row)


def _check_host_free(session: Session, host: str | None, town_id: int | None) -> None:
    if host is None:
        return
    holder = session.scalars(select(Municipality.id).where(Municipality.host == host)).first()
    if holder is not None and holder != town_id:
        raise InvalidInputError("town_host_taken", field="host", value=host)


def add_town(
    session: Session,
    code: str,
    name: str,
    prefecture: str,
    phone: str,
    host: str | None = None,
    public_base_url: str | None = None,
    basemap: str = "own",
    boundary: v.BoundaryInput | None = None,
) -> Town:
    """Register a municipality (active).

    Args:
        session: open session; the caller's unit of work commits.
        code: JIS code, 5 digits or 6 with the check digit; the id is its 5 digits.
        name: as residents read it (立川市).
        prefecture: 東京都.
        phone: the town's number as residents dial it (042-523-2111).
        host: the host name its staff and residents use, unique across towns.
        public_base_url: base of the links it sends (None: the deployment's).
        basemap: ``own``, ``gsi`` or an XYZ URL template.
        boundary: GeoJSON file or mapping (lon/lat polygons); None: empty until set.

    Raises:
        InvalidInputError: a value is malformed, or the code or host is taken.
    """
    five = v.normalize_code(code)
    values = {"name": name, "prefecture": prefecture, "phone": phone, "basemap": basemap}
    checked: dict[str, Any] = {k: _CHECKS[k](x) for k, x in values.items()}
    checked["host"] = None if host is None else v.normalize_host(host)
    checked["public_base_url"] = None if public_base_url is None else v.check_url(public_base_url)
    shape = EMPTY_BOUNDARY if boundary is None else to_ewkt(v.read_boundary(boundary))
    if session.get(Municipality, int(five)) is not None:
        raise InvalidInputError("town_code_taken", field="code", value=five)
    _check_host_free(session, checked["host"], None)
    session.add(Municipality(id=int(five), code=five, boundary=shape, **checked))
    session.flush()
    return get_town(session, five)


def set_town(session: Session, code: str, **fields: Any) -> Town:
    """Change some of a town's registry fields, each checked as ``add_town`` checks it.

    ``fields``: ``name``, ``prefecture``, ``phone``, ``basemap``, ``host``, ``public_base_url``
    (None or "" clears these two) and ``boundary`` (GeoJSON file or mapping).

    Raises:
        TypeError: a field the registry does not set.
        InvalidInputError: a value is malformed, or the host is another town's.
        NotFoundError: no such town.
    """
    unknown = set(fields) - set(_CHECKS) - set(_CLEARABLE) - {"boundary"}
    if unknown:
        raise TypeError(f"set_town() cannot set {sorted(unknown)}")
    changes: dict[str, Any] = {}
    for key, value in fields.items():
        if key in _CHECKS:
            changes[key] = _CHECKS[key](value)
        elif key in _CLEARABLE:
            changes[key] = _CLEARABLE[key](value) if value else None
        else:
            changes[key] = to_ewkt(v.read_boundary(value))
    row = _row(session, code)
    _check_host_free(session, changes.get("host"), row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return town_of(row)


def disable_town(session: Session, code: str) -> Town:
    """Stop serving a town (its data stays; ``enable_town`` serves it again)."""
    return _set_active(session, code, False)


def enable_town(session: Session, code: str) -> Town:
    """Serve a disabled town again."""
    return _set_active(session, code, True)


def _set_active(session: Session, code: str, active: bool) -> Town:
    row = _row(session, code)
    row.active = active
    session.flush()
    return town_of(row)


def town_has_boundary(session: Session, town_id: int) -> bool:
    """True when the town's boundary holds an area (a town added without one has none)."""
    query = select(~func.ST_IsEmpty(Municipality.boundary)).where(Municipality.id == town_id)
    return bool(session.scalar(query))
