"""Staff-desk domain values -> JSON for the API and the side panel (no SQL, no rules)."""

from __future__ import annotations

from typing import Any

from api.staff.export import contact_json
from maps.colours import STATUS_LABELS_JA, status_colour
from workflow.clock import TOKYO
from workflow.desk.lists import ReportRow
from workflow.desk.reports import ReportDetail
from workflow.reports.transitions import ALLOWED
from workflow.texts.staff import CHANNEL_LABELS_JA, KIND_LABELS_JA


def status_json(status: str) -> dict[str, str]:
    return {
        "value": status,
        "label": STATUS_LABELS_JA.get(status, status),
        "colour": status_colour(status),
    }


def row_json(row: ReportRow) -> dict[str, Any]:
    """A report in a list (no personal data)."""
    return {
        "id": row.id,
        "receipt_no": row.receipt_no,
        "status": row.status,
        "status_label": STATUS_LABELS_JA.get(row.status, row.status),
        "kind": row.kind,
        "kind_label": KIND_LABELS_JA.get(row.kind, row.kind),
        "category": row.category,
        "district": row.district,
        "channel": row.channel,
        "channel_label": CHANNEL_LABELS_JA.get(row.channel, row.channel),
        "created_at": row.created_at.astimezone(TOKYO).isoformat(),
        "updated_at": row.updated_at.astimezone(TOKYO).isoformat(),
        "urgent": row.urgent,
        "overdue": row.overdue,
        "lon": round(row.lon, 6),
        "lat": round(row.lat, 6),
    }


def detail_json(detail: ReportDetail) -> dict[str, Any]:
    """A report in full for the side panel; ``contact`` only when the detail carries it."""
    report = detail.report
    contact = detail.contact
    return {
        **row_json(report),
        "description": report.description,
        "address": report.address,
        "department": detail.department,
        "notifiable": detail.notifiable,
        "allowed": [status_json(s) for s in ALLOWED.get(report.status, ())],
        "photos": [
            {
                "id": p.id,
                "status": p.status,
                "url": f"/staff/photos/{p.id}" if p.status == "stored" else None,
                "thumbnail_url": f"/staff/photos/{p.id}/thumb" if p.status == "stored" else None,
            }
            for p in detail.photos
        ],
        "history": [
            {
                "from": h.from_status,
                "to": h.to_status,
                "to_label": STATUS_LABELS_JA.get(h.to_status, h.to_status),
                "actor": h.actor,
                "note": h.note,
                "changed_at": h.changed_at.astimezone(TOKYO).isoformat(),
            }
            for h in detail.history
        ],
        "messages": [
            {
                "direction": m.direction,
                "body": m.body,
                "staff": m.staff_name,
                "created_at": m.created_at.astimezone(TOKYO).isoformat(),
            }
            for m in detail.messages
        ],
        "contact": None if contact is None else contact_json(contact),
    }
