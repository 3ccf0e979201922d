"""GeoReport v2 documents: the field tables as dicts, written out as JSON or XML.

Element names follow the specification: a list answer is ``<services><service>…``,
``<service_requests><request>…``, ``<errors><error>…``; nested lists name their items
(``<attributes><attribute>``, ``<values><value>``, ``<endpoints><endpoint>``, ``<formats>``).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi.responses import Response

from api.open311 import texts as t
from workflow.clock import TOKYO
from workflow.open311.reads import (
    CLOSED_STATUSES,
    PublicReport,
    PublicService,
    ServiceDefinition,
)

FORMATS: Final = ("json", "xml")
MEDIA_TYPES: Final = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
ITEM_NAMES: Final = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
Document = dict[str, Any]


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in Japan time with its offset, e.g. ``2026-12-03T09:30:00+09:00``."""
    return None if moment is None else moment.astimezone(TOKYO).isoformat(timespec="seconds")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, key: str, value: object) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, Mapping):
        for name, inner in value.items():
            _fill(child, name, inner)
    elif isinstance(value, list):
        for item in value:
            _fill(child, ITEM_NAMES.get(key, "item"), item)
    else:
        child.text = _text(value)


def to_xml(root: str, item: str | None, body: Sequence[Document] | Document) -> bytes:
    """``body`` as XML under ``root``; a list puts each dict in an ``item`` element."""
    top = ET.Element(root)
    if isinstance(body, Mapping):
        for name, value in body.items():
            _fill(top, name, value)
    else:
        for document in body:
            _fill(top, item or "item", document)
    return bytes(ET.tostring(top, encoding="utf-8", xml_declaration=True))


def respond(
    fmt: str,
    root: str,
    item: str | None,
    body: Sequence[Document] | Document,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The answer in ``fmt`` (json or xml), UTF-8."""
    if fmt == "xml":
        content = to_xml(root, item, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return Response(content, status_code, dict(headers or {}), MEDIA_TYPES[fmt])


def service_document(service: PublicService) -> Document:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": t.SERVICE_DESCRIPTION.format(
            name=service.name, department=service.department
        ),
        "metadata": service.kind == "disaster",
        "type": "realtime",
        "keywords": t.KIND_GROUPS.get(service.kind, ""),
        "group": t.KIND_GROUPS.get(service.kind, ""),
    }


def definition_document(definition: ServiceDefinition) -> Document:
    attributes = []
    for spec in definition.attributes:
        description, datatype_description = t.ATTRIBUTE_TEXTS[spec.code]
        attributes.append(
            {
                "variable": True,
                "code": spec.code,
                "datatype": spec.datatype,
                "required": spec.required,
                "datatype_description": datatype_description,
                "order": spec.order,
                "description": description,
                "values": [
                    {"key": key, "name": t.ATTRIBUTE_VALUE_NAMES[key]} for key in spec.value_keys
                ],
            }
        )
    return {"service_code": definition.service.code, "attributes": attributes}


def _expected(report: PublicReport) -> str | None:
    if report.status in CLOSED_STATUSES or report.target_hours is None:
        return None
    return iso(report.created_at + dt.timedelta(hours=report.target_hours))


def request_document(report: PublicReport, media_base: str) -> Document:
    """One published report. No description, name, phone or typed address: see README."""
    return {
        "service_request_id": report.receipt_no,
        "status": "closed" if report.status in CLOSED_STATUSES else "open",
        "status_notes": t.status_notes(report.status, report.note),
        "service_name": report.service_name,
        "service_code": report.service_code,
        "description": None,
        "agency_responsible": report.agency,
        "service_notice": None,
        "requested_datetime": iso(report.created_at),
        "updated_datetime": iso(report.updated_at),
        "expected_datetime": _expected(report),
        "address": report.district,
        "address_id": None,
        "zipcode": None,
        "lat": round(report.lat, 6),
        "long": round(report.lon, 6),
        "media_url": None if report.photo_id is None else f"{media_base}/{report.photo_id}.jpg",
    }


def error_documents(status_code: int, descriptions: Sequence[str]) -> list[Document]:
    return [{"code": status_code, "description": text} for text in descriptions]
