"""What ``/openapi.json`` says of GeoReport v2: both formats, the spec's errors, the POST form.

Every resource answers JSON for ``.json`` and XML for ``.xml`` (the XML carries the same
fields as elements; its schema is the specification's, not repeated here). Errors are the
spec's list of ``{code, description}``: 400 a bad field, 403 a refused key, 404 an unknown
jurisdiction, resource or format, 429 over a rate limit (``Retry-After``).
"""

from __future__ import annotations

from typing import Any, Final

from workflow.open311.posting import MAX_ADDRESS_CHARS, MAX_MEDIA_URL_CHARS, URGENT_VALUES
from workflow.reports.create import MAX_DESCRIPTION_CHARS

JSON: Final = "application/json"
XML: Final = "text/xml"
_STRING: Final = {"type": "string"}
_NULLABLE: Final = {"type": ["string", "null"]}
ERRORS: Final = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": _STRING},
    },
}
DISCOVERY: Final = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {"endpoints": {"type": "array", "items": {"type": "object"}}},
}
SERVICES: Final = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": _STRING,
            "service_name": _STRING,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
        },
    },
}
DEFINITION: Final = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": _STRING, "attributes": {"type": "array"}},
}
REQUESTS: Final = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": _STRING,
            "status": {"enum": ["open", "closed"]},
            "service_code": _STRING,
            "requested_datetime": _STRING,
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "media_url": _NULLABLE,
        },
    },
}
POSTED: Final = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": _STRING, "token": _STRING},
    },
}
TOKEN: Final = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": _STRING, "token": _STRING},
    },
}
_WHY: Final = {
    400: "a field is missing or malformed",
    403: "api_key missing, unknown or revoked",
    404: "unknown jurisdiction, service, request, token, photo or format",
    429: "over a rate limit; Retry-After says when to try again",
}
FORM: Final = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": _STRING,
        "jurisdiction_id": _STRING,
        "service_code": _STRING,
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {"type": "string", "maxLength": MAX_ADDRESS_CHARS},
        "description": {"type": "string", "maxLength": MAX_DESCRIPTION_CHARS},
        "media_url": {
            "type": "string",
            "maxLength": MAX_MEDIA_URL_CHARS,
            "pattern": "^https?://",
        },
        "attribute[urgent]": {"enum": sorted(URGENT_VALUES)},
    },
}


def _both(schema: dict[str, Any]) -> dict[str, Any]:
    return {JSON: {"schema": schema}, XML: {}}


def errors_only(*errors: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entries of ``errors`` and of the rate limit, in both formats."""
    return {
        status: {"description": _WHY[status], "content": _both(ERRORS)} for status in (*errors, 429)
    }


def answers(document: dict[str, Any], *errors: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a GeoReport route: ``document`` in both formats, its errors."""
    return {200: {"content": _both(document)}, **errors_only(*errors)}


def form_body() -> dict[str, Any]:
    """The ``openapi_extra`` of ``POST requests``: its form (``attribute[code]`` fields too)."""
    content = {"application/x-www-form-urlencoded": {"schema": FORM}}
    return {"requestBody": {"required": True, "content": content}}
