"""Disaster HQ queries: the mode switch, the live list of disaster reports, segment pushes.

The HQ sees every disaster report of the municipality (whatever department owns it). A
segment is the residents who follow the LINE account and whom a report of theirs, or their
registration, places in one of the chosen districts; pushes to it are written straight into
``outbox_message`` (one row per resident), which the worker sends like any other message.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.json_sql import array_agg_sql, object_sql, raw_sql, value_sql
from geo.report_queries import CREATED_AT_SQL, FROM_SQL, OVERDUE_SQL, ReportFilter, where_clause

DESCRIPTION_CHARS = 140  # enough to triage from the list; the report page has the rest


@dataclass(frozen=True)
class ModeRow:
    on: bool
    changed_at: dt.datetime | None
    changed_by: str | None  # display name of whoever switched it last


def load_mode(session: Session, municipality_id: int, lock: bool = False) -> ModeRow:
    """Disaster mode of the municipality and who switched it last (``lock``: FOR UPDATE)."""
    row = session.execute(
        text(
            "SELECT disaster_mode, disaster_mode_changed_at FROM municipality WHERE id = :m"
            + (" FOR UPDATE" if lock else "")
        ),
        {"m": municipality_id},
    ).one()
    who = session.execute(
        text(
            "SELECT coalesce(s.display_name, l.actor) FROM disaster_log l LEFT JOIN staff_user s "
            "ON s.municipality_id = l.municipality_id AND s.id = l.staff_user_id "
            "WHERE l.municipality_id = :m AND l.action IN ('mode_on', 'mode_off') "
            "ORDER BY l.created_at DESC, l.id DESC LIMIT 1"
        ),
        {"m": municipality_id},
    ).scalar()
    return ModeRow(bool(row.disaster_mode), row.disaster_mode_changed_at, who)


def write_mode(session: Session, municipality_id: int, on: bool, now: dt.datetime) -> None:
    """Set the municipality's disaster mode in the caller's transaction."""
    session.execute(
        text(
            "UPDATE municipality SET disaster_mode = :on, disaster_mode_changed_at = :now "
            "WHERE id = :m"
        ),
        {"on": on, "now": now, "m": municipality_id},
    )


_HQ_FEATURE_SQL = object_sql(
    ("type", "'\"Feature\"'"),
    ("id", value_sql("r.id")),
    ("geometry", raw_sql("ST_AsGeoJSON(r.location, 6)")),
    ("properties", object_sql(*((k, value_sql(v)) for k, v in (
        ("receipt_no", "r.receipt_no"), ("status", "r.status"), ("category", "c.name"),
        ("district", "d.name"), ("created_at", CREATED_AT_SQL), ("urgent", "r.urgent"),
        ("overdue", OVERDUE_SQL), ("description", "left(r.description, :chars)"),
        ("photo_id", "(SELECT min(p.id) FROM photo p WHERE p.municipality_id = "
                     "r.municipality_id AND p.report_id = r.id AND p.status = 'stored')"),
    )))),
)  # fmt: skip
# Urgent open reports first, then other open ones, then closed ones; newest first in each.
_HQ_ORDER_SQL = (
    "(r.urgent AND r.status IN ('received', 'in_progress')) DESC, "
    "(r.status IN ('received', 'in_progress')) DESC, r.created_at DESC, r.id DESC"
)


def hq_reports(session: Session, f: ReportFilter, limit: int) -> tuple[str, int]:
    """Disaster reports for the HQ list and map, urgent open ones first.

    Returns:
        A JSON array of GeoJSON Features (no personal data) and how many matched in all.
    """
    where, params = where_clause(f)
    sql = (
        f"WITH hits AS (SELECT {_HQ_FEATURE_SQL} AS feature, count(*) OVER () AS total "
        f"{FROM_SQL} WHERE {where} ORDER BY {_HQ_ORDER_SQL} LIMIT :limit) "
        f"SELECT {array_agg_sql('feature')} AS features, "
        "coalesce(max(total), 0) AS total FROM hits"
    )
    row = session.execute(text(sql), {**params, "limit": limit, "chars": DESCRIPTION_CHARS}).one()
    return str(row.features), int(row.total)


@dataclass(frozen=True)
class DistrictTally:
    name: str
    open: int
    urgent: int
    total: int


def hq_district_tallies(session: Session, f: ReportFilter) -> list[DistrictTally]:
    """Disaster reports per district: open ones, urgent open ones, all; busiest first."""
    where, params = where_clause(f)
    sql = (
        "SELECT coalesce(d.name, '') AS name, "
        "count(*) FILTER (WHERE r.status IN ('received', 'in_progress')) AS open, "
        "count(*) FILTER (WHERE r.urgent AND r.status IN ('received', 'in_progress')) AS urgent, "
        f"count(*) AS total {FROM_SQL} WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 4 DESC, 1"
    )
    return [
        DistrictTally(str(r.name), int(r.open), int(r.urgent), int(r.total))
        for r in session.execute(text(sql), params)
    ]


# Followers whom a report of theirs, or their registration, places in one of the districts.
_SEGMENT_SQL = (
    "SELECT res.id, res.line_user_id FROM resident res WHERE res.municipality_id = :m "
    "AND res.following AND res.line_user_id IS NOT NULL AND (res.district_id = ANY(:districts) "
    "OR res.id IN (SELECT rep.resident_id FROM report rep WHERE rep.municipality_id = :m "
    "AND rep.resident_id IS NOT NULL AND rep.district_id = ANY(:districts)))"
)


def segment_size(session: Session, municipality_id: int, district_ids: Sequence[int]) -> int:
    """How many residents a push to ``district_ids`` reaches (each counted once)."""
    sql = f"SELECT count(*) FROM ({_SEGMENT_SQL}) AS segment"
    params = {"m": municipality_id, "districts": list(district_ids)}
    return int(session.execute(text(sql), params).scalar_one())


def enqueue_segment(
    session: Session,
    municipality_id: int,
    district_ids: Sequence[int],
    messages: list[dict[str, Any]],
    log_id: int,
) -> int:
    """Queue one push per resident of the segment in the caller's transaction.

    Rows are those ``workflow.line.outbox.enqueue`` writes (purpose ``segment_push``), keyed
    ``segment:<log id>:<resident id>`` so a resident gets one copy per push.

    Returns:
        How many rows were queued.
    """
    sql = (
        "INSERT INTO outbox_message (municipality_id, to_line_user_id, messages, purpose, "
        "resident_id, dedupe_key) SELECT :m, segment.line_user_id, CAST(:messages AS jsonb), "
        "'segment_push', segment.id, 'segment:' || :log || ':' || segment.id "
        f"FROM ({_SEGMENT_SQL}) AS segment"
    )
    params = {
        "m": municipality_id,
        "districts": list(district_ids),
        "messages": json.dumps(messages, ensure_ascii=False),
        "log": str(log_id),
    }
    result = session.execute(text(sql), params)
    return int(getattr(result, "rowcount", 0))


def known_districts(
    session: Session, municipality_id: int, district_ids: Sequence[int]
) -> dict[int, str]:
    """Names of those of ``district_ids`` that exist, by id."""
    rows = session.execute(
        text("SELECT id, name FROM district WHERE municipality_id = :m AND id = ANY(:ids)"),
        {"m": municipality_id, "ids": list(district_ids)},
    )
    return {int(r.id): str(r.name) for r in rows}


@dataclass(frozen=True)
class LogEntry:
    id: int
    action: str
    actor: str  # display name, or the actor label when the user is gone
    created_at: dt.datetime
    district_names: tuple[str, ...]
    message: str | None
    recipients: int | None


def recent_log(session: Session, municipality_id: int, limit: int = 20) -> list[LogEntry]:
    """The latest HQ actions (mode switches and pushes), newest first."""
    rows = session.execute(
        text(
            "SELECT l.id, l.action, coalesce(s.display_name, l.actor) AS actor, l.created_at, "
            "l.message, l.recipients, ARRAY(SELECT d.name FROM district d WHERE "
            "d.municipality_id = l.municipality_id AND d.id = ANY(l.district_ids) "
            "ORDER BY d.code) AS names FROM disaster_log l LEFT JOIN staff_user s "
            "ON s.municipality_id = l.municipality_id AND s.id = l.staff_user_id "
            "WHERE l.municipality_id = :m ORDER BY l.created_at DESC, l.id DESC LIMIT :limit"
        ),
        {"m": municipality_id, "limit": limit},
    )
    return [
        LogEntry(
            int(r.id),
            str(r.action),
            str(r.actor),
            r.created_at,
            tuple(r.names or ()),
            r.message,
            r.recipients,
        )
        for r in rows
    ]
