"""Vector tiles: ``/tiles/{layer}/{z}/{x}/{y}.pbf`` (Mapbox Vector Tile, EPSG:3857 XYZ grid).

Base layers (``base`` = all of them) are public and cacheable (``ETag``, revalidated); the
``reports`` layer is for signed-in desk staff, scoped and filtered like the bbox API, and is
never stored by a browser or a proxy. Malformed numbers answer 400, tiles outside the grid
and unknown layers 404.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from api.deps import MunicipalityDep, SessionDep
from api.staff.params import FilterDep
from workflow.maps.tiles import checked_tile, read_base_tile, read_report_tile

router = APIRouter(tags=["tiles"])

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
BASE_CACHE = "public, max-age=3600, must-revalidate"
PRIVATE_CACHE = "private, no-store"


def _number(raw: str, name: str) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 8):
        raise HTTPException(400, detail=f"{name} must be a non-negative integer")
    return int(raw)


def _tile_numbers(z: str, x: str, y: str) -> tuple[int, int, int]:
    return _number(z, "z"), _number(x, "x"), _number(y, "y")


@router.get("/tiles/reports/{z}/{x}/{y}.pbf", summary="Staff reports layer (scoped, filtered)")
def get_report_tile(session: SessionDep, f: FilterDep, z: str, x: str, y: str) -> Response:
    """Report points at street level, counts per cell by status elsewhere.

    Points carry ``id``, ``status``, ``category``, ``urgent`` and ``overdue``; the filter
    parameters are those of ``/api/v1/reports``.
    """
    tile = checked_tile(*_tile_numbers(z, x, y))
    body = read_report_tile(session, f, tile)
    headers = {"Cache-Control": PRIVATE_CACHE, "Vary": "Cookie, Authorization"}
    return Response(body, media_type=MVT_MEDIA_TYPE, headers=headers)


@router.get("/tiles/{layer}/{z}/{x}/{y}.pbf", summary="Base map vector tile")
def get_base_tile(
    request: Request, session: SessionDep, municipality_id: MunicipalityDep, layer: str,
    z: str, x: str, y: str,
) -> Response:  # fmt: skip
    """``base`` (roads, boundary, districts, evacuation, facilities) or one of those layers."""
    tile = checked_tile(*_tile_numbers(z, x, y))
    answer = read_base_tile(session, municipality_id, layer, tile)
    headers = {"Cache-Control": BASE_CACHE, "ETag": answer.etag}
    if request.headers.get("if-none-match") == answer.etag:
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type=MVT_MEDIA_TYPE, headers=headers)
