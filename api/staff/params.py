"""Query parameters of the staff desk (map, list, exports) -> a validated ``ReportFilter``.

Bad values answer 422 naming the parameter (``{"error", "field", "message"}``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

from api.schema_types import (
    BBOX,
    DECIMAL_ID,
    comma_list,
    exactly,
    iso_date_only,
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


# (name, pattern, description) of each filter parameter, in the order the schema lists them.
_FILTER_QUERY: Final = (
    ("bbox", BBOX, "minlon,minlat,maxlon,maxlat (EPSG:4326)"),
    ("status", STATUS_LIST, "comma-separated statuses"),
    ("kind", KIND_LIST, "comma-separated category kinds"),
    ("category", CODE_LIST, "comma-separated category codes"),
    ("district", ID_LIST, "comma-separated district ids"),
    ("channel", CHANNEL_LIST, "comma-separated channels"),
    ("urgent", FLAG, None),
    ("overdue", FLAG, None),
    ("from", None, "first day"),
    ("to", None, "last day (inclusive)"),
)
_PATTERNS: Final = {name: re.compile(pattern) for name, pattern, _ in _FILTER_QUERY if pattern}


def _parameter(name: str, pattern: str | None, description: str | None) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "string"}
    value.update({"format": "date"} if pattern is None else {"pattern": pattern})
    schema: dict[str, Any] = {"anyOf": [value, {"type": "null"}], "title": name.title()}
    found: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        schema["description"] = found["description"] = description
    return found


# What /openapi.json declares for every route taking ``FilterDep`` (api.openapi_contract adds
# them): the dependency reads the query itself, so FastAPI does not see these parameters.
FILTER_PARAMETERS: Final = tuple(_parameter(*spec) for spec in _FILTER_QUERY)


def _refusal(name: str, value: str) -> dict[str, Any] | None:
    """Pydantic's error entry for a filter value the schema refuses, None when it is valid."""
    pattern = _PATTERNS.get(name)
    if pattern is not None:
        if pattern.fullmatch(value):
            return None
        return {
            "type": "string_pattern_mismatch",
            "loc": ("query", name),
            "msg": f"String should match pattern '{pattern.pattern}'",
            "input": value,
            "ctx": {"pattern": pattern.pattern},
        }
    try:
        iso_date_only(value)
    except ValueError as error:
        return {
            "type": "value_error",
            "loc": ("query", name),
            "msg": f"Value error, {error}",
            "input": value,
            "ctx": {"error": str(error)},
        }
    return None


def api_filter_params(query: Mapping[str, str]) -> dict[str, str]:
    """The filter parameters of an API request, each as its schema pattern allows.

    Raises:
        RequestValidationError: naming every refused parameter, as FastAPI's 422 does.
    """
    given = {name: query[name] for name, _, _ in _FILTER_QUERY if name in query}
    refused = [r for name, value in given.items() if (r := _refusal(name, value)) is not None]
    if refused:
        raise RequestValidationError(refused)
    return given


async def report_filter(request: Request, who: DeskStaff) -> ReportFilter:
    """The filter of a staff API request; async: no I/O, no thread hop.

    The query is read here, not declared as ten FastAPI parameters: resolving them cost more
    than the cached map answers they select (py-spy at 1M reports, 20 clients). The schema
    still lists them (``FILTER_PARAMETERS``) and refusals are FastAPI's 422.
    """
    return build_filter(who, api_filter_params(request.query_params))


FilterDep = Annotated[ReportFilter, Depends(report_filter)]
