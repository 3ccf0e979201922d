"""Query parameters of the staff desk (map, list, exports) -> a validated ``ReportFilter``.

Bad values answer 422 naming the parameter (``{"error", "field", "message"}``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any

from fastapi import Depends, Query

from api.schema_types import (
    BBOX,
    DECIMAL_ID,
    IsoDate,
    comma_list,
    exactly,
    one_of,
)
from api.security import DeskStaff
from workflow.clock import TOKYO
from workflow.desk.auth import StaffIdentity
from workflow.desk.filters import (
    CATEGORY_KINDS,
    CHANNELS,
    REPORT_STATUSES,
    BBox,
    FilterCriteria,
    ReportFilter,
    scoped_filter,
)
from workflow.errors import InvalidInputError

CODE_ITEM = "[a-z0-9_]{1,32}"
CODE = re.compile(exactly(CODE_ITEM))
TRUE, FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})
# The API's query values (the staff pages also forgive spaces, empty items and upper case).
STATUS_LIST = comma_list(one_of(REPORT_STATUSES))
KIND_LIST = comma_list(one_of(CATEGORY_KINDS))
CHANNEL_LIST = comma_list(one_of(CHANNELS))
CODE_LIST = comma_list(CODE_ITEM)
ID_LIST = comma_list(DECIMAL_ID)
FLAG = exactly(one_of(TRUE | FALSE))


def parse_bbox(raw: str | None) -> BBox | None:
    """``minlon,minlat,maxlon,maxlat`` (EPSG:4326) -> BBox; None when absent.

    Corners given the other way round are put in order (a degenerate box is a line).
    """
    if raw is None or raw == "":
        return None
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        values = []
    ok = len(values) == 4 and all(math.isfinite(v) for v in values)
    if ok:
        x0, y0, x1, y1 = values
        ok = all(-180 <= x <= 180 for x in (x0, x1)) and all(-90 <= y <= 90 for y in (y0, y1))
    if not ok:
        raise InvalidInputError("bbox_invalid", field="bbox")
    return BBox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def parse_choices(raw: str | None, field: str, allowed: Collection[str]) -> tuple[str, ...]:
    """A comma-separated list of values from ``allowed``."""
    values = tuple(v.strip() for v in (raw or "").split(",") if v.strip())
    bad = [v for v in values if v not in allowed]
    if bad:
        raise InvalidInputError("value_not_allowed", field=field, value=bad[0][:40])
    return values


def parse_codes(raw: str | None, field: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in (raw or "").split(",") if v.strip())
    if not all(CODE.match(v) for v in values):
        raise InvalidInputError("code_invalid", field=field)
    return values


def parse_ids(raw: str | None, field: str) -> tuple[int, ...]:
    values = tuple(v.strip() for v in (raw or "").split(",") if v.strip())
    if not all(v.isascii() and v.isdigit() and len(v) < 18 for v in values):
        raise InvalidInputError("ids_invalid", field=field)
    return tuple(int(v) for v in values)


def parse_flag(raw: str | None, field: str) -> bool | None:
    value = (raw or "").strip().lower()
    if value == "":
        return None
    if value in TRUE or value in FALSE:
        return value in TRUE
    raise InvalidInputError("flag_invalid", field=field)


def parse_date(raw: str | None, field: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date; None when absent."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError("date_invalid", field=field) from None


def parse_code(raw: str | None, field: str) -> str | None:
    """One code (lower-case letters, digits, ``_``); None when absent."""
    values = parse_codes(raw, field)
    if len(values) > 1:
        raise InvalidInputError("one_value_only", field=field)
    return values[0] if values else None


def parse_day(raw: str | None, field: str, next_day: bool = False) -> dt.datetime | None:
    """A ``YYYY-MM-DD`` day in Tokyo -> its start (or the next day's start, for "to")."""
    day = parse_date(raw, field)
    if day is None:
        return None
    start = dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)
    return start + dt.timedelta(days=1) if next_day else start


def build_filter(who: StaffIdentity, params: Mapping[str, str | None]) -> ReportFilter:
    """The filter named by query parameters, scoped to the staff member's department."""
    criteria = FilterCriteria(
        bbox=parse_bbox(params.get("bbox")),
        statuses=parse_choices(params.get("status"), "status", REPORT_STATUSES),
        kinds=parse_choices(params.get("kind"), "kind", CATEGORY_KINDS),
        categories=parse_codes(params.get("category"), "category"),
        district_ids=parse_ids(params.get("district"), "district"),
        channels=parse_choices(params.get("channel"), "channel", CHANNELS),
        urgent=parse_flag(params.get("urgent"), "urgent"),
        overdue=parse_flag(params.get("overdue"), "overdue"),
        created_from=parse_day(params.get("from"), "from"),
        created_to=parse_day(params.get("to"), "to", next_day=True),
    )
    return scoped_filter(who, criteria)


def _listed(allowed: str, what: str) -> Any:
    return Query(pattern=allowed, description=f"comma-separated {what}")


async def report_filter(
    who: DeskStaff,
    bbox: Annotated[
        str | None, Query(pattern=BBOX, description="minlon,minlat,maxlon,maxlat (EPSG:4326)")
    ] = None,
    status: Annotated[str | None, _listed(STATUS_LIST, "statuses")] = None,
    kind: Annotated[str | None, _listed(KIND_LIST, "category kinds")] = None,
    category: Annotated[str | None, _listed(CODE_LIST, "category codes")] = None,
    district: Annotated[str | None, _listed(ID_LIST, "district ids")] = None,
    channel: Annotated[str | None, _listed(CHANNEL_LIST, "channels")] = None,
    urgent: Annotated[str | None, Query(pattern=FLAG)] = None,
    overdue: Annotated[str | None, Query(pattern=FLAG)] = None,
    from_: Annotated[IsoDate | None, Query(alias="from", description="first day")] = None,
    to: Annotated[IsoDate | None, Query(description="last day (inclusive)")] = None,
) -> ReportFilter:
    """The filter of a staff API request (documented parameters); async: no I/O, no thread hop."""
    params = {
        "bbox": bbox,
        "status": status,
        "kind": kind,
        "category": category,
        "district": district,
        "channel": channel,
        "urgent": urgent,
        "overdue": overdue,
        "from": from_.isoformat() if from_ else None,
        "to": to.isoformat() if to else None,
    }
    return build_filter(who, params)


FilterDep = Annotated[ReportFilter, Depends(report_filter)]
