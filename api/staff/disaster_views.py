"""Disaster HQ values -> JSON, the residents' LINE push, and the push confirmation token."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

from api.line.messages import text_message
from api.security import read_confirmation, sign_confirmation
from machi.settings import Settings
from workflow.clock import TOKYO
from workflow.disaster.hq import DisasterMode, HqView, LogEntry, SegmentPreview, SegmentPush
from workflow.errors import InvalidInputError
from workflow.texts.staff import (
    DISASTER_ACTION_LABELS_JA,
    DISASTER_PUSH_HEADER,
)

CONFIRM_PURPOSE = "segment-push"
CONFIRM_MAX_AGE_S = 15 * 60


def push_messages(town: str, body: str) -> Sequence[dict[str, Any]]:
    """The LINE push residents of the chosen districts get."""
    return [text_message(DISASTER_PUSH_HEADER.format(town=town) + body)]


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(TOKYO).isoformat()


def mode_json(mode: DisasterMode) -> dict[str, Any]:
    return {"on": mode.on, "changed_at": _iso(mode.changed_at), "changed_by": mode.changed_by}


def hq_json(view: HqView) -> str:
    """The HQ list as a GeoJSON FeatureCollection (JSON text; features built in SQL)."""
    head = {
        "type": "FeatureCollection",
        "mode": mode_json(view.mode),
        "since": _iso(view.since),
        "total": view.total,
        "limit": view.limit,
        "truncated": view.total > view.limit,
        "districts": [
            {"name": d.name, "open": d.open, "urgent": d.urgent, "total": d.total}
            for d in view.districts
        ],
    }
    return json.dumps(head, ensure_ascii=False)[:-1] + f', "features": {view.features_json}}}'


def log_json(entry: LogEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "action": entry.action,
        "label": DISASTER_ACTION_LABELS_JA.get(entry.action, entry.action),
        "actor": entry.actor,
        "at": _iso(entry.created_at),
        "districts": list(entry.district_names),
        "message": entry.message,
        "recipients": entry.recipients,
    }


def preview_json(preview: SegmentPreview, confirmation: str) -> dict[str, Any]:
    return {
        "district_ids": list(preview.district_ids),
        "districts": list(preview.district_names),
        "body": preview.body,
        "recipients": preview.recipients,
        "confirmation": confirmation,
        "expires_in_s": CONFIRM_MAX_AGE_S,
    }


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:32]


def confirmation_for(settings: Settings, preview: SegmentPreview) -> str:
    """A token saying this exact push (districts, text, count) was shown to the sender."""
    payload = {
        "d": list(preview.district_ids),
        "b": _digest(preview.body),
        "n": preview.recipients,
        "k": secrets.token_urlsafe(16),
    }
    return sign_confirmation(settings, CONFIRM_PURPOSE, payload)


def confirmed_push(
    settings: Settings, token: str, district_ids: Sequence[int], body: str
) -> SegmentPush:
    """The push a confirmation token allows, if it matches what is being sent.

    Raises:
        InvalidInputError: (field ``confirmation``) forged or expired token, or districts or
            text other than those confirmed.
    """
    data = read_confirmation(settings, CONFIRM_PURPOSE, token, CONFIRM_MAX_AGE_S)
    if data is None:
        minutes = CONFIRM_MAX_AGE_S // 60
        raise InvalidInputError("confirmation_stale", field="confirmation", minutes=minutes)
    clean = body.strip()
    if data.get("d") != sorted(set(district_ids)) or data.get("b") != _digest(clean):
        raise InvalidInputError("confirmation_mismatch", field="confirmation")
    return SegmentPush(tuple(data["d"]), clean, int(data["n"]), str(data["k"]))
