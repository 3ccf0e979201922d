"""CSV and GeoJSON exports of the staff desk; personal data columns only for admins."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from maps.colours import STATUS_LABELS_JA
from workflow.clock import TOKYO
from workflow.desk.lists import ContactRow, ReportRow
from workflow.texts.resident.bulky import put_out_text
from workflow.texts.staff import CHANNEL_LABELS_JA, CSV_COLUMNS, CSV_CONTACT_COLUMNS, KIND_LABELS_JA

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Spreadsheet-safe text: a leading formula character is neutralised with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _values(row: ReportRow) -> list[object]:
    return [
        row.receipt_no,
        STATUS_LABELS_JA.get(row.status, row.status),
        KIND_LABELS_JA.get(row.kind, row.kind),
        row.category,
        row.district,
        row.address,
        CHANNEL_LABELS_JA.get(row.channel, row.channel),
        f"{row.created_at.astimezone(TOKYO):%Y-%m-%d %H:%M}",
        f"{row.updated_at.astimezone(TOKYO):%Y-%m-%d %H:%M}",
        "緊急" if row.urgent else "",
        "超過" if row.overdue else "",
        f"{row.lon:.6f}",
        f"{row.lat:.6f}",
        row.description,
    ]


def _contact_values(contact: ContactRow | None) -> list[object]:
    if contact is None:
        return ["", "", "", "", "", ""]
    put_out = put_out_text(contact.put_out, contact.put_out_note)
    return [
        contact.name,
        contact.phone,
        contact.email,
        contact.address,
        contact.address_line,
        put_out,
    ]


def contact_json(contact: ContactRow) -> dict[str, Any]:
    """The personal data of one report as JSON (detail panel, GeoJSON export)."""
    return {
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "address": contact.address,
        "address_line": contact.address_line,
        "put_out": contact.put_out,
        "put_out_note": contact.put_out_note,
        "put_out_text": put_out_text(contact.put_out, contact.put_out_note) or None,
    }


def reports_csv(rows: list[ReportRow], contacts: dict[int, ContactRow] | None) -> bytes:
    """UTF-8 CSV with a BOM (Excel opens it as UTF-8); contacts=None leaves personal data out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = list(CSV_COLUMNS) + (list(CSV_CONTACT_COLUMNS) if contacts is not None else [])
    writer.writerow(header)
    for row in rows:
        values = _values(row)
        if contacts is not None:
            values += _contact_values(contacts.get(row.id))
        writer.writerow([_cell(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _feature(row: ReportRow, contact: ContactRow | None, with_contact: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "receipt_no": row.receipt_no,
        "status": row.status,
        "kind": row.kind,
        "category": row.category,
        "district": row.district,
        "address": row.address,
        "channel": row.channel,
        "created_at": row.created_at.astimezone(TOKYO).isoformat(),
        "updated_at": row.updated_at.astimezone(TOKYO).isoformat(),
        "urgent": row.urgent,
        "overdue": row.overdue,
        "description": row.description,
    }
    if with_contact:
        properties["contact"] = None if contact is None else contact_json(contact)
    return {
        "type": "Feature",
        "id": row.id,
        "geometry": {"type": "Point", "coordinates": [round(row.lon, 6), round(row.lat, 6)]},
        "properties": properties,
    }


def reports_geojson(rows: list[ReportRow], contacts: dict[int, ContactRow] | None) -> bytes:
    """A GeoJSON FeatureCollection of the rows; contacts=None leaves personal data out."""
    features = [_feature(row, (contacts or {}).get(row.id), contacts is not None) for row in rows]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
