"""Vector tiles: ``/tiles/{layer}/{z}/{x}/{y}.pbf`` (Mapbox Vector Tile, EPSG:3857 XYZ grid).

Base layers (``base`` = all of them) are public and cacheable (``ETag``, revalidated); the
``reports`` layer is for signed-in desk staff, scoped and filtered like the bbox API, and is
never stored by a browser or a proxy. Numbers that are not tile numbers of zoom 0 to
``MAX_TILE_ZOOM`` and unknown layers answer 422 (the schema says which); a column or row
beyond its zoom's grid (``x`` or ``y`` of ``2**z`` or more) answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import MunicipalityDep, SessionDep
from api.media import VectorTileResponse, binary_answer
from api.schema_types import exactly, one_of
from api.staff.params import FilterDep
from workflow.maps.tiles import (
    MAX_TILE_ZOOM,
    TILE_LAYERS,
    checked_tile,
    kept_base_tile,
    kept_report_tile,
    read_base_tile,
    read_report_tile,
)

router = APIRouter(tags=["tiles"])

BASE_CACHE: Final = "public, max-age=3600, must-revalidate"
PRIVATE_CACHE: Final = "private, no-store"
Zoom = Annotated[int, Path(ge=0, le=MAX_TILE_ZOOM, description="zoom level")]
Column = Annotated[int, Path(ge=0, le=2**MAX_TILE_ZOOM - 1, description="below 2**z")]
Row = Annotated[int, Path(ge=0, le=2**MAX_TILE_ZOOM - 1, description="below 2**z")]
Scale = Annotated[
    int, Query(ge=1, le=2, description="2: drawn 512 px wide, with the detail of the next zoom")
]
Layer = Annotated[str, Path(pattern=exactly(one_of(TILE_LAYERS)), description="base or one layer")]
NOT_MODIFIED: Final[dict[int | str, dict[str, Any]]] = {
    304: {"description": "the tile of the If-None-Match ETag is current"}
}


@router.get(
    "/tiles/reports/{z}/{x}/{y}.pbf",
    summary="Staff reports layer (scoped, filtered)",
    response_class=VectorTileResponse,
    responses=binary_answer(VectorTileResponse),
)
async def get_report_tile(
    session: SessionDep, f: FilterDep, z: Zoom, x: Column, y: Row
) -> Response:
    """Report points at street level, counts per cell by status elsewhere.

    Points carry ``id``, ``status``, ``category``, ``urgent`` and ``overdue``; the filter
    parameters are those of ``/api/v1/reports``.
    """
    tile = checked_tile(z, x, y)  # a kept tile is answered here; a thread reads the others
    body = kept_report_tile(f, tile)
    if body is None:
        body = await run_in_threadpool(read_report_tile, session, f, tile)
    headers = {"Cache-Control": PRIVATE_CACHE, "Vary": "Cookie, Authorization"}
    return VectorTileResponse(body, headers=headers)


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.pbf",
    summary="Base map vector tile",
    response_class=VectorTileResponse,
    responses={**binary_answer(VectorTileResponse), **NOT_MODIFIED},
)
async def get_base_tile(
    session: SessionDep,
    municipality_id: MunicipalityDep,
    layer: Layer,
    z: Zoom,
    x: Column,
    y: Row,
    if_none_match: Annotated[str | None, Header(description="an ETag of this tile")] = None,
    scale: Scale = 1,
) -> Response:
    """``base`` (roads, boundary, districts, evacuation, facilities) or one of those layers."""
    tile = checked_tile(z, x, y)
    answer = kept_base_tile(municipality_id, layer, tile, scale)
    if answer is None:
        answer = await run_in_threadpool(
            read_base_tile, session, municipality_id, layer, tile, scale
        )
    headers = {"Cache-Control": BASE_CACHE, "ETag": answer.etag}
    if if_none_match == answer.etag:
        return Response(status_code=304, headers=headers)
    return VectorTileResponse(answer.body, headers=headers)
