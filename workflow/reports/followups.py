"""Follow-up messages from staff to a reporter: thread row and LINE push in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from geo.models import Report, ReportMessage, Resident
from workflow.db import unit_of_work
from workflow.desk.auth import StaffIdentity
from workflow.desk.reports import actor_of, check_report_scope
from workflow.errors import InvalidInputError
from workflow.line.outbox import enqueue

MAX_BODY_CHARS = 1000

# (receipt_no, body) -> LINE message objects
FollowupBuilder = Callable[[str, str], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class SentFollowup:
    message_id: int
    outbox_id: int


def _line_user(session: Session, report: Report) -> str:
    resident = (
        session.get(Resident, (report.municipality_id, report.resident_id))
        if report.resident_id is not None
        else None
    )
    if resident is None or not resident.line_user_id or not resident.following:
        raise InvalidInputError("resident_unreachable", field="body")
    return resident.line_user_id


def send_followup(
    session: Session, who: StaffIdentity, report_id: int, body: str, build: FollowupBuilder
) -> SentFollowup:
    """Write a follow-up to the reporter: thread row + outbox push, committed together.

    Args:
        session: a session with no writes pending; committed here.
        who: the staff member writing (department-scoped).
        report_id: the report the message is about.
        body: the text, 1 to ``MAX_BODY_CHARS`` characters.
        build: turns (receipt number, body) into LINE messages.

    Raises:
        InvalidInputError: empty or too long, or the reporter cannot be reached on LINE.
        NotFoundError: no such report.
        ForbiddenError: the report belongs to another department.
    """
    text_ja = body.strip()
    if not text_ja or len(text_ja) > MAX_BODY_CHARS:
        raise InvalidInputError("followup_length", field="body", max=MAX_BODY_CHARS)
    with unit_of_work(session):
        check_report_scope(session, who, report_id)
        report = session.get_one(Report, (who.municipality_id, report_id))
        line_user = _line_user(session, report)
        message = ReportMessage(
            municipality_id=who.municipality_id,
            report_id=report_id,
            direction="to_resident",
            body=text_ja,
            staff_user_id=actor_of(who).staff_user_id,
        )
        session.add(message)
        queued = enqueue(
            session,
            who.municipality_id,
            line_user,
            list(build(report.receipt_no, text_ja)),
            purpose="follow_up",
            resident_id=report.resident_id,
            report_id=report_id,
        )
        assert queued is not None  # no dedupe key: always queued
        session.flush()
        return SentFollowup(message.id, queued.id)
