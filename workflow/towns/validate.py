"""Checks of what an operator types into the registry: JIS codes, host names, URLs, basemaps."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.areas import as_multipolygon
from workflow.errors import InvalidInputError

NAME_MAX_CHARS = 64  # municipality.name
PREFECTURE_MAX_CHARS = 16  # municipality.prefecture
CHECK_WEIGHTS = (6, 5, 4, 3, 2)  # JIS X 0402 check digit
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,30}$")
_CHANNEL_ID = re.compile(r"^[0-9]{1,20}$")
BoundaryInput = Mapping[str, Any] | Path


def check_digit(five: str) -> int:
    """The JIS X 0402 check digit of a 5-digit municipality code."""
    total = sum(int(d) * w for d, w in zip(five, CHECK_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def normalize_code(value: str) -> str:
    """The 5-digit code of ``value``: 5 digits, or 6 whose last is the right check digit.

    The first two digits are the prefecture (01 to 47). The tenant id is the 5 digits.
    """
    code = value.strip()
    ok = re.fullmatch(r"[0-9]{5,6}", code) is not None and 1 <= int(code[:2]) <= 47
    if ok and len(code) == 6:
        ok = check_digit(code[:5]) == int(code[5])
    if not ok:
        raise InvalidInputError("town_code_invalid", field="code", value=value)
    return code[:5]


def _host_ok(host: str) -> bool:
    labels = host.split(".")
    return len(host) <= 253 and all(_LABEL.fullmatch(x) for x in labels)


def normalize_host(value: str) -> str:
    """A host name as stored: lower case, no trailing dot, no port, no scheme, no path."""
    host = value.strip().lower().removesuffix(".")
    if not _host_ok(host) or host.replace(".", "").isdigit():
        raise InvalidInputError("town_host_invalid", field="host", value=value)
    return host


def host_of_request(value: str) -> str | None:
    """The host name in a request's ``Host`` header (port dropped), or None if it is not one."""
    host = value.strip().lower()
    if host.startswith("["):  # an IPv6 literal is never a town's host
        return None
    host = host.rsplit(":", 1)[0] if ":" in host else host
    host = host.removesuffix(".")
    return host if host and _host_ok(host) else None


def check_url(value: str) -> str:
    """An http(s) base URL without query, fragment or credentials; the trailing slash dropped."""
    url = value.strip()
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = urlsplit(""), False
    host = (parts.hostname or "").lower()
    if (
        parts.scheme not in ("http", "https")
        or not port_ok
        or not host
        or not (_host_ok(host) or re.fullmatch(r"[0-9.]+", host))
        or parts.username is not None
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in url)
    ):
        raise InvalidInputError("town_url_invalid", field="public_base_url", value=value)
    return url.rstrip("/")


def check_basemap(value: str) -> str:
    """``own``, ``gsi`` or an http(s) XYZ URL template with ``{z}``, ``{x}`` and ``{y}``."""
    name = value.strip()
    if name in ("own", "gsi"):
        return name
    template = all(p in name for p in ("{z}", "{x}", "{y}"))
    if not template or not name.startswith(("https://", "http://")) or " " in name:
        raise InvalidInputError("town_basemap_invalid", field="basemap")
    return name


def check_name(value: str) -> str:
    """A municipality's name (立川市), 1 to 64 characters."""
    name = value.strip()
    if not 1 <= len(name) <= NAME_MAX_CHARS:
        raise InvalidInputError("town_name_invalid", field="name", max_chars=NAME_MAX_CHARS)
    return name


def check_prefecture(value: str) -> str:
    """A prefecture's name (東京都), 1 to 16 characters."""
    name = value.strip()
    if not 1 <= len(name) <= PREFECTURE_MAX_CHARS:
        raise InvalidInputError(
            "town_prefecture_invalid", field="prefecture", max_chars=PREFECTURE_MAX_CHARS
        )
    return name


def check_phone(value: str) -> str:
    """The town's phone number as residents dial it (digits and hyphens)."""
    phone = value.strip()
    if not _PHONE.fullmatch(phone):
        raise InvalidInputError("town_phone_invalid", field="phone", value=value)
    return phone


def check_channel_id(value: str) -> str:
    """A LINE channel id (digits)."""
    channel_id = value.strip()
    if not _CHANNEL_ID.fullmatch(channel_id):
        raise InvalidInputError("line_channel_id_invalid", field="channel_id", value=value)
    return channel_id


def read_boundary(source: BoundaryInput) -> MultiPolygon:
    """A town boundary from a GeoJSON file or mapping (geometry, Feature or FeatureCollection).

    Lon/lat (EPSG:4326) polygons or multipolygons only; invalid rings are repaired.
    """
    try:
        data = json.loads(source.read_text("utf-8")) if isinstance(source, Path) else source
        geom = make_geometry(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ShapelyError) as exc:
        raise InvalidInputError("town_boundary_invalid", field="boundary") from exc
    x0, y0, x1, y1 = geom.bounds if not geom.is_empty else (0.0, 0.0, 0.0, 0.0)
    polygons = as_multipolygon(geom)
    inside = -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90
    if polygons.is_empty or not inside or polygons.area == 0:
        raise InvalidInputError("town_boundary_invalid", field="boundary")
    return polygons


def make_geometry(data: Mapping[str, Any]) -> BaseGeometry:
    """The (repaired) shapely geometry of a GeoJSON geometry, Feature or FeatureCollection."""
    kind = data["type"]
    if kind == "FeatureCollection":
        geom = unary_union([shape(f["geometry"]) for f in data["features"]])
    elif kind == "Feature":
        geom = shape(data["geometry"])
    else:
        geom = shape(dict(data))
    return geom if geom.is_valid else geom.buffer(0)
