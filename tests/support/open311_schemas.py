"""JSON Schemas and XML element names written from the GeoReport v2 field tables.

Source: the specification at wiki.open311.org/GeoReport_v2 (service discovery, GET service
list, GET service definition, POST service request, GET service request id from a token,
GET service requests, GET service request, errors). Required fields are the ones the
specification marks as always present; the rest may be null.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import jsonschema

_NULLABLE_STRING = {"type": ["string", "null"]}
_DATETIME = {
    "type": ["string", "null"],
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+09:00)$",
}

DISCOVERY: dict[str, Any] = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": _DATETIME,
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": _DATETIME,
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}

SERVICES: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string"},
            "service_name": {"type": "string"},
            "description": _NULLABLE_STRING,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": _NULLABLE_STRING,
            "group": _NULLABLE_STRING,
        },
    },
}

SERVICE_DEFINITION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["variable", "code", "datatype", "required", "order", "description"],
                "properties": {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": _NULLABLE_STRING,
                    "order": {"type": "integer"},
                    "description": {"type": "string"},
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}

POST_RESPONSE: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": _NULLABLE_STRING,
            "service_notice": _NULLABLE_STRING,
            "account_id": _NULLABLE_STRING,
        },
    },
}

TOKEN_RESPONSE: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    },
}

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)

REQUESTS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            **dict.fromkeys(REQUEST_FIELDS, _NULLABLE_STRING),
            "status": {"enum": ["open", "closed"]},
            "service_request_id": {"type": "string"},
            "service_code": {"type": "string"},
            "requested_datetime": _DATETIME,
            "updated_datetime": _DATETIME,
            "expected_datetime": _DATETIME,
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
        },
    },
}

ERRORS: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}

# XML: root element, item element, and the child elements an item may have.
XML_SHAPES: dict[str, tuple[str, str | None, frozenset[str]]] = {
    "discovery": (
        "discovery",
        None,
        frozenset({"changeset", "contact", "key_service", "endpoints"}),
    ),
    "services": ("services", "service", frozenset(SERVICES["items"]["properties"])),
    "service_definition": (
        "service_definition",
        None,
        frozenset({"service_code", "attributes"}),
    ),
    "post": ("service_requests", "request", frozenset(POST_RESPONSE["items"]["properties"])),
    "token": ("service_requests", "request", frozenset({"service_request_id", "token"})),
    "requests": ("service_requests", "request", frozenset(REQUEST_FIELDS)),
    "errors": ("errors", "error", frozenset({"code", "description"})),
}


def validate_json(document: Any, schema: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` fits ``schema``."""
    jsonschema.validate(document, schema)


def parse_xml(content: bytes, shape: str) -> ET.Element:
    """Parse ``content`` and check the spec's element names for ``shape``; return the root."""
    assert content.startswith(b"<?xml"), content[:60]
    root = ET.fromstring(content)
    root_name, item_name, children = XML_SHAPES[shape]
    assert root.tag == root_name, root.tag
    items = [root] if item_name is None else list(root)
    for item in items:
        if item_name is not None:
            assert item.tag == item_name, item.tag
        names = {child.tag for child in item}
        assert names <= children, names - children
    return root
