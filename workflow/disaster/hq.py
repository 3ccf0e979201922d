"""Disaster HQ (災害対策本部) use cases: disaster mode, the live report list, segment pushes.

Only admins and staff of the department that owns the disaster categories (防災危機管理課 in
the demo town) may use them. Every switch and every push is written to ``disaster_log``
with who did it and when, in the same transaction as the change itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.disaster_queries import (
    DistrictTally,
    enqueue_segment,
    hq_district_tallies,
    hq_reports,
    known_districts,
    load_mode,
    recent_log,
    segment_size,
    write_mode,
)
from geo.disaster_queries import (
    LogEntry as LogEntry,  # re-exported: the HQ page shows these
)
from geo.models import DisasterLog
from geo.report_queries import ReportFilter
from workflow.clock import TOKYO
from workflow.db import unit_of_work
from workflow.desk.auth import StaffIdentity
from workflow.errors import ForbiddenError, InvalidInputError

MAX_PUSH_CHARS = 500  # a phone screen or two; LINE itself allows 5,000
MAX_DISTRICTS = 200
HQ_LIST_LIMIT = 500
DEFAULT_LOOKBACK = dt.timedelta(days=7)
# In disaster mode the list starts a day before the switch: the reports that led to it count.
MODE_LOOKBACK = dt.timedelta(days=1)

# (municipality name, body) -> LINE message objects
PushBuilder = Callable[[str, str], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class DisasterMode:
    on: bool
    changed_at: dt.datetime | None
    changed_by: str | None
    changed: bool = False  # this request switched it


@dataclass(frozen=True)
class HqView:
    mode: DisasterMode
    since: dt.datetime
    features_json: str  # GeoJSON Features, urgent open reports first
    total: int
    limit: int
    districts: list[DistrictTally]


@dataclass(frozen=True)
class SegmentPreview:
    district_ids: tuple[int, ...]  # sorted, unique
    district_names: tuple[str, ...]
    body: str  # as it will be sent (trimmed)
    recipients: int
    town: str  # the municipality's name, for the message header


@dataclass(frozen=True)
class SegmentSent:
    log_id: int
    recipients: int
    already_sent: bool  # the same confirmation was sent before: nothing queued again


def check_hq(who: StaffIdentity) -> None:
    """Make sure ``who`` may run the disaster HQ.

    Raises:
        ForbiddenError: neither an admin nor staff of the disaster department.
    """
    if not who.may_run_disaster_hq:
        raise ForbiddenError("disaster_hq_only")


def _mode(session: Session, municipality_id: int, lock: bool = False) -> DisasterMode:
    row = load_mode(session, municipality_id, lock)
    return DisasterMode(row.on, row.changed_at, row.changed_by)


def disaster_mode(session: Session, who: StaffIdentity) -> DisasterMode:
    """Whether disaster mode is on, since when and who switched it.

    Raises:
        ForbiddenError: ``who`` is not HQ.
    """
    check_hq(who)
    return _mode(session, who.municipality_id)


def _log(session: Session, who: StaffIdentity, action: str, **values: Any) -> DisasterLog:
    entry = DisasterLog(
        municipality_id=who.municipality_id,
        action=action,
        staff_user_id=who.id,
        actor=f"{who.role}:{who.username}",
        **values,
    )
    session.add(entry)
    session.flush()
    return entry


def switch_disaster_mode(
    session: Session, who: StaffIdentity, on: bool, now: dt.datetime
) -> DisasterMode:
    """Switch disaster mode on or off and log who did it, in one transaction.

    While it is on, the LINE menu offers 災害情報. Asking for the current state changes
    nothing and logs nothing (``changed`` is False).

    Raises:
        ForbiddenError: ``who`` is not HQ.
    """
    check_hq(who)
    with unit_of_work(session):
        current = _mode(session, who.municipality_id, lock=True)
        if current.on == on:
            return current
        write_mode(session, who.municipality_id, on, now)
        _log(session, who, "mode_on" if on else "mode_off", created_at=now)
    return DisasterMode(on, now, who.display_name, changed=True)


def hq_view(
    session: Session,
    who: StaffIdentity,
    since: dt.datetime | None,
    statuses: tuple[str, ...],
    now: dt.datetime,
) -> HqView:
    """Every disaster report since ``since``, urgent open ones first, with district tallies.

    By default the list starts a day before disaster mode went on, or a week ago while it is off.

    Args:
        session: open session (read only).
        who: HQ staff.
        since: earliest report time (aware), or None for the default.
        statuses: statuses to show; empty for all.
        now: the current time (aware), for the overdue flags.

    Raises:
        ForbiddenError: ``who`` is not HQ.
    """
    check_hq(who)
    mode = _mode(session, who.municipality_id)
    if since is None:
        on_since = mode.changed_at if mode.on else None
        since = on_since - MODE_LOOKBACK if on_since else now - DEFAULT_LOOKBACK
    f = ReportFilter(
        municipality_id=who.municipality_id,
        department_id=None,  # the HQ sees every disaster report, whoever owns it
        now=now,
        kinds=("disaster",),
        statuses=statuses,
        created_from=since,
    )
    features, total = hq_reports(session, f, HQ_LIST_LIMIT)
    tallies = hq_district_tallies(session, f)
    return HqView(mode, since, features, total, HQ_LIST_LIMIT, tallies)


def _checked_segment(
    session: Session, who: StaffIdentity, district_ids: Sequence[int], body: str
) -> tuple[tuple[int, ...], tuple[str, ...], str]:
    text_ja = body.strip()
    if not text_ja or len(text_ja) > MAX_PUSH_CHARS:
        raise InvalidInputError(
            "push_length", field="body", max=MAX_PUSH_CHARS, length=len(text_ja)
        )
    ids = tuple(sorted(set(district_ids)))
    if not ids or len(ids) > MAX_DISTRICTS:
        raise InvalidInputError("districts_missing", field="district_ids")
    names = known_districts(session, who.municipality_id, ids)
    if len(names) != len(ids):
        raise InvalidInputError("district_unknown", field="district_ids")
    return ids, tuple(names[i] for i in ids), text_ja


def preview_segment(
    session: Session, who: StaffIdentity, district_ids: Sequence[int], body: str
) -> SegmentPreview:
    """Check a segment push and count who would receive it (nothing is written).

    Raises:
        ForbiddenError: ``who`` is not HQ.
        InvalidInputError: no or unknown districts (field ``district_ids``); empty or too long
            a text (field ``body``).
    """
    check_hq(who)
    ids, names, text_ja = _checked_segment(session, who, district_ids, body)
    recipients = segment_size(session, who.municipality_id, ids)
    return SegmentPreview(ids, names, text_ja, recipients, _town(session, who.municipality_id))


def _town(session: Session, municipality_id: int) -> str:
    name = session.execute(
        text("SELECT name FROM municipality WHERE id = :m"), {"m": municipality_id}
    ).scalar_one()
    return str(name)


@dataclass(frozen=True)
class SegmentPush:
    """A push as confirmed: the districts, the text and how many the preview counted."""

    district_ids: tuple[int, ...]
    body: str
    previewed_recipients: int
    request_key: str  # the confirmation's one-time key


def send_segment(
    session: Session, who: StaffIdentity, push: SegmentPush, build: PushBuilder, now: dt.datetime
) -> SegmentSent:
    """Queue a confirmed push: one outbox row per resident and the log row, one transaction.

    The segment is counted again as it is written (residents may have followed or left since
    the preview); the log keeps both numbers. A second send with the same ``request_key``
    (a double click, a retried request) queues nothing and answers the first send.

    Args:
        session: a session with no writes pending; committed here.
        who: HQ staff sending.
        push: what was previewed and confirmed.
        build: turns (municipality name, body) into LINE messages.
        now: the time of sending (aware).

    Raises:
        ForbiddenError: ``who`` is not HQ.
        InvalidInputError: as ``preview_segment``.
    """
    check_hq(who)
    ids, _names, text_ja = _checked_segment(session, who, push.district_ids, push.body)
    with unit_of_work(session):
        # One sender per confirmation: the lock keeps two clicks from both queueing.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": push.request_key})
        earlier = session.scalars(
            select(DisasterLog).where(
                DisasterLog.municipality_id == who.municipality_id,
                DisasterLog.request_key == push.request_key,
            )
        ).first()
        if earlier is not None:
            return SegmentSent(earlier.id, earlier.recipients or 0, already_sent=True)
        town = _town(session, who.municipality_id)
        entry = _log(
            session,
            who,
            "segment_push",
            district_ids=list(ids),
            message=text_ja,
            previewed_recipients=push.previewed_recipients,
            request_key=push.request_key,
            created_at=now,
        )
        messages = list(build(town, text_ja))
        entry.recipients = enqueue_segment(session, who.municipality_id, ids, messages, entry.id)
        session.flush()
        return SegmentSent(entry.id, entry.recipients, already_sent=False)


def hq_log(session: Session, who: StaffIdentity, limit: int = 20) -> list[LogEntry]:
    """The latest HQ actions, newest first.

    Raises:
        ForbiddenError: ``who`` is not HQ.
    """
    check_hq(who)
    return recent_log(session, who.municipality_id, limit)


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Tokyo (aware)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)
