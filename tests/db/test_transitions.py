"""Status changes: audit row and resident notice in the same transaction, scoped by department."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from api.line.notices import status_notice
from geo.models import Department, OutboxMessage, Resident, StatusHistory
from tests.conftest import MUNICIPALITY_ID
from workflow.errors import ForbiddenError, TransitionError
from workflow.reports.create import ReportDraft, create_report
from workflow.reports.transitions import Actor, transition

M = MUNICIPALITY_ID


def _dept(session: Session, code: str) -> int:
    return session.scalars(select(Department.id).where(Department.code == code)).one()


def _report(session: Session, line_user: str | None) -> int:
    resident_id = None
    if line_user:
        resident = Resident(municipality_id=M, line_user_id=line_user, following=True)
        session.add(resident)
        session.flush()
        resident_id = resident.id
    draft = ReportDraft("road_pothole", 139.4075, 35.6980, "line", resident_id=resident_id)
    return create_report(session, M, draft).id


def test_change_writes_history_and_one_notice(db_session: Session) -> None:
    report_id = _report(db_session, "Utransition1")
    actor = Actor("staff:doro", department_id=_dept(db_session, "road"))
    transition(
        db_session, M, report_id, "in_progress", actor, note="明日補修します", notice=status_notice
    )
    history = db_session.scalars(
        select(StatusHistory).where(StatusHistory.report_id == report_id).order_by(StatusHistory.id)
    ).all()
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "received"),
        ("received", "in_progress"),
    ]
    outbox = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.report_id == report_id)
    ).all()
    assert len(outbox) == 1 and outbox[0].to_line_user_id == "Utransition1"
    flat = str(outbox[0].messages)
    assert "作業中" in flat and "明日補修します" in flat


def test_illegal_transition_lists_the_allowed_ones(db_session: Session) -> None:
    report_id = _report(db_session, None)
    actor = Actor("staff:doro", department_id=_dept(db_session, "road"))
    transition(db_session, M, report_id, "done", actor)
    with pytest.raises(TransitionError) as info:
        transition(db_session, M, report_id, "rejected", actor)
    assert info.value.allowed == ("in_progress",)


def test_other_department_cannot_change_it(db_session: Session) -> None:
    report_id = _report(db_session, None)
    with pytest.raises(ForbiddenError):
        transition(
            db_session,
            M,
            report_id,
            "done",
            Actor("staff:kankyo", department_id=_dept(db_session, "kankyo")),
        )


def test_failing_notice_leaves_nothing_half_written(db_session: Session) -> None:
    report_id = _report(db_session, "Utransition2")
    db_session.commit()  # the savepoint: the report exists before the failing change

    def broken(*_: Any) -> Sequence[dict[str, Any]]:
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError), db_session.begin_nested():
        transition(db_session, M, report_id, "in_progress", Actor("system:test"), notice=broken)
    status = db_session.execute(
        text("SELECT status FROM report WHERE id = :i"), {"i": report_id}
    ).scalar_one()
    rows = db_session.execute(
        text("SELECT count(*) FROM status_history WHERE report_id = :i"), {"i": report_id}
    ).scalar_one()
    assert (status, rows) == ("received", 1)
