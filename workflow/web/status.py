"""The web status page's look-up: receipt number + PIN -> that report's status and history.

Only the report's own facts leave here (category, district, status, dates, the notes staff
wrote for its reporter); never another resident's description, photos or contact. Wrong
pairs are counted and locked out by ``workflow.web.pins``, the guard the web bookings share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.clock import TOKYO, now_tokyo
from workflow.db import unit_of_work
from workflow.desk.passwords import verify_password
from workflow.web.pins import (
    PinLockedError,
    PinRefusedError,
    dummy_hash,
    record_failure,
    refuse_when_locked,
)

__all__ = ["PinLockedError", "PinRefusedError", "WebStatusView", "look_up_web_report"]

MAX_PINS_CHECKED: Final = 20


@dataclass(frozen=True)
class StatusStep:
    status: str  # code: received, in_progress, done, rejected, duplicate
    changed_at: dt.datetime  # Asia/Tokyo
    note: str | None  # what staff wrote for the reporter (owner only)


@dataclass(frozen=True)
class WebStatusView:
    receipt_no: str
    category_name: str
    district_name: str | None
    status: str
    received_at: dt.datetime  # Asia/Tokyo
    history: tuple[StatusStep, ...]
    added: bool  # the PIN was given for joining this report, not for opening it


def _matching_pin(session: Session, mid: int, receipt_no: str, pin: str) -> tuple[int, bool] | None:
    """(report id, added) of the first PIN of this receipt number that matches, or None."""
    rows = session.execute(
        text(
            "SELECT p.report_id, p.pin_hash, p.added FROM report_pin p JOIN report r "
            "ON r.municipality_id = p.municipality_id AND r.id = p.report_id "
            "WHERE p.municipality_id = :m AND r.receipt_no = :no ORDER BY p.id LIMIT :limit"
        ),
        {"m": mid, "no": receipt_no, "limit": MAX_PINS_CHECKED},
    ).all()
    if not rows:
        verify_password(dummy_hash(), pin)
    for row in rows:
        if verify_password(str(row.pin_hash), pin):
            return int(row.report_id), bool(row.added)
    return None


def _history(session: Session, mid: int, report_id: int, owner: bool) -> tuple[StatusStep, ...]:
    rows = session.execute(
        text(
            "SELECT to_status, changed_at, note FROM status_history WHERE municipality_id = :m "
            "AND report_id = :id ORDER BY changed_at, id"
        ),
        {"m": mid, "id": report_id},
    ).all()
    return tuple(
        StatusStep(str(r.to_status), r.changed_at.astimezone(TOKYO), r.note if owner else None)
        for r in rows
    )


def _view(session: Session, mid: int, report_id: int, added: bool) -> WebStatusView:
    row = session.execute(
        text(
            "SELECT r.receipt_no, c.name AS category, d.name AS district, r.status, "
            "r.created_at FROM report r JOIN category c ON c.municipality_id = "
            "r.municipality_id AND c.id = r.category_id LEFT JOIN district d ON "
            "d.municipality_id = r.municipality_id AND d.id = r.district_id "
            "WHERE r.municipality_id = :m AND r.id = :id"
        ),
        {"m": mid, "id": report_id},
    ).one()
    return WebStatusView(
        receipt_no=str(row.receipt_no),
        category_name=str(row.category),
        district_name=row.district,
        status=str(row.status),
        received_at=row.created_at.astimezone(TOKYO),
        history=_history(session, mid, report_id, owner=not added),
        added=added,
    )


def look_up_web_report(
    session: Session,
    mid: int,
    receipt_no: str,
    pin: str,
    client_key: str,
    now: dt.datetime | None = None,
) -> WebStatusView:
    """The status of the report this receipt number and PIN open; failures are recorded.

    Args:
        session: a session with nothing pending; this use case commits it (a failure is
            written even though the look-up is refused).
        mid: municipality id.
        receipt_no: as printed on the receipt (``R-2026-000042``).
        pin: the digits given with it.
        client_key: an opaque key of the asking client (a keyed hash of its address).
        now: aware time of the attempt.

    Raises:
        PinLockedError: too many wrong attempts lately for this receipt number or client.
        PinRefusedError: no report matches (unknown receipt number or wrong PIN).
    """
    now = now or now_tokyo()
    with unit_of_work(session):
        refuse_when_locked(session, mid, receipt_no, client_key, now)
        match = _matching_pin(session, mid, receipt_no, pin)
        if match is not None:
            return _view(session, mid, *match)
        record_failure(session, mid, receipt_no, client_key, now)
    raise PinRefusedError("pin_refused", field="pin")
