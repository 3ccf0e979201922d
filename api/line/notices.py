"""LINE notices for status changes, injected into ``workflow.reports.transitions.transition``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from api.line.messages import build_status_notice, text_message
from workflow.texts.resident.line import (
    DELIVERY_APOLOGY,
    DELIVERY_APOLOGY_RECEIPTS,
    PLANNED_NOTICE,
    STAFF_NOTE_PREFIX,
)


def status_notice(
    receipt_no: str, category_name: str, status: str, note: str | None
) -> Sequence[dict[str, Any]]:
    """The push a resident gets when staff change their report's status (plus staff's note)."""
    messages: list[dict[str, Any]] = [build_status_notice(receipt_no, category_name, status)]
    if note:
        messages.append(text_message(STAFF_NOTE_PREFIX + note))
    return messages


def planned_notice(
    receipt_no: str, category_name: str, status: str, note: str | None
) -> Sequence[dict[str, Any]]:
    """The push a resident gets when planning puts their pickup on a truck's route (作業中)."""
    del note  # the audit note is for staff; the resident gets the put-out instructions
    return [build_status_notice(receipt_no, category_name, status, PLANNED_NOTICE)]


def delivery_apology(receipt_nos: Sequence[str], phone: str) -> list[dict[str, Any]]:
    """The push a resident gets when messages to them were given up (LINE was unreachable)."""
    joined = "、".join(receipt_nos)
    receipts = DELIVERY_APOLOGY_RECEIPTS.format(receipts=joined) if receipt_nos else ""
    return [text_message(DELIVERY_APOLOGY.format(receipts=receipts, phone=phone))]
