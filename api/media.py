"""Response classes naming the media type a route answers with, so the OpenAPI declares it.

FastAPI documents a route's 200 with its ``response_class``'s media type; the JSON family
(GeoJSON) also needs the schema of the body, given by ``geojson_answer``.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi.responses import Response

FEATURE_COLLECTION: Final = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}


class GeoJSONResponse(Response):
    media_type = "application/geo+json"


class CSVResponse(Response):
    media_type = "text/csv"


class PDFResponse(Response):
    media_type = "application/pdf"


class VectorTileResponse(Response):
    media_type = "application/vnd.mapbox-vector-tile"


class JPEGResponse(Response):
    media_type = "image/jpeg"


def geojson_answer(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry of a route answering a GeoJSON FeatureCollection."""
    content = {GeoJSONResponse.media_type: {"schema": FEATURE_COLLECTION}}
    return {status: {"content": content}}


def binary_answer(response_class: type[Response], status: int = 200) -> dict[int | str, Any]:
    """The ``responses`` entry of a route answering bytes of ``response_class``'s type."""
    schema = {"type": "string", "format": "binary"}
    return {status: {"content": {response_class.media_type: {"schema": schema}}}}
