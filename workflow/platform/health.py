"""Every town's health for the platform operator: counts and times, never a person.

The registry (``municipality``) is read for no town; then each town's figures are read in a
transaction of its own, for that town (``town_scope``: ``SET LOCAL machi.town``), so under
row-level security a platform query never sees two towns at once. The figures are
aggregates only: no name, phone, address, LINE user id, report text or photo is selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace

from sqlalchemy import Engine, text

from workflow.clock import TOKYO
from workflow.db import town_scope

# Thresholds of the problems the page colours (a quiet town has none).
EVENTS_BACKLOG = 100  # pending LINE webhook events
EVENTS_STALE_S = 120.0  # the oldest pending event waits longer: the workers are behind
OUTBOX_BACKLOG = 100  # messages waiting to be sent
SERIOUS = frozenset({"events_stale", "outbox_failed", "line_channel_fault"})

_TOWNS_SQL = text(
    "SELECT id, code, name, active, host, disaster_mode FROM municipality ORDER BY code"
)
# One statement per town; every part filters on municipality_id (its indexes lead with it)
# besides row-level security. The last event is the newest by id (the primary key's index).
_FIGURES_SQL = text(
    "SELECT ev.pending AS events_pending, ev.oldest AS oldest_event, "
    "(SELECT received_at FROM webhook_event WHERE municipality_id = :m "
    " ORDER BY id DESC LIMIT 1) AS last_event_at, "
    "(SELECT count(*) FROM outbox_message WHERE municipality_id = :m "
    " AND status = 'pending') AS outbox_waiting, "
    "(SELECT count(*) FROM outbox_message WHERE municipality_id = :m "
    " AND status = 'failed') AS outbox_failed, "
    "rp.total AS reports_total, rp.last_day AS reports_last_day, rp.open AS reports_open, "
    "(SELECT count(*) FROM booking WHERE municipality_id = :m AND status = 'booked' "
    " AND service_date >= :today) AS bookings_upcoming, "
    "coalesce((SELECT secret_enc IS NOT NULL AND access_token_enc IS NOT NULL "
    " FROM line_channel WHERE municipality_id = :m), false) AS line_configured, "
    "coalesce((SELECT coalesce(pause_reason, 'unavailable') FROM line_channel "
    " WHERE municipality_id = :m AND (paused_until > :now OR fault_since IS NOT NULL)), "
    " 'ok') AS line_channel "
    "FROM (SELECT count(*) AS pending, min(received_at) AS oldest FROM webhook_event "
    "      WHERE municipality_id = :m AND processed_at IS NULL) ev, "
    "     (SELECT count(*) AS total, count(*) FILTER (WHERE created_at > :day) AS last_day, "
    "      count(*) FILTER (WHERE status IN ('received', 'in_progress')) AS open "
    "      FROM report WHERE municipality_id = :m) rp"
)


@dataclass(frozen=True)
class TownHealth:
    """One town's registry entry and figures; ``problems`` are codes, worst first."""

    code: str
    name: str
    active: bool
    host: str | None
    disaster_mode: bool
    line_configured: bool
    line_channel: str  # ok | throttled | unavailable | auth (LINE refuses the token)
    events_pending: int
    oldest_pending_event_s: float | None
    last_event_at: dt.datetime | None
    outbox_waiting: int
    outbox_failed: int
    reports_total: int
    reports_last_day: int
    reports_open: int
    bookings_upcoming: int
    problems: tuple[str, ...] = ()

    @property
    def level(self) -> str:
        """``bad`` (someone must act), ``warn`` (watch it) or ``ok``."""
        if SERIOUS.intersection(self.problems):
            return "bad"
        return "warn" if self.problems else "ok"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: times in ISO 8601 at +09:00, problems as a list, the level added."""
        data = asdict(self)
        if self.last_event_at is not None:
            data["last_event_at"] = self.last_event_at.astimezone(TOKYO).isoformat()
        data["problems"] = list(self.problems)
        data["level"] = self.level
        return data


@dataclass(frozen=True)
class _Town:
    id: int
    code: str
    name: str
    active: bool
    host: str | None
    disaster_mode: bool


def problems_of(health: TownHealth) -> tuple[str, ...]:
    """The problem codes of a town's figures, the serious ones first."""
    found = [
        ("events_stale", (health.oldest_pending_event_s or 0.0) > EVENTS_STALE_S),
        ("outbox_failed", health.outbox_failed > 0),
        ("line_channel_fault", health.line_channel != "ok"),
        ("events_backlog", health.events_pending >= EVENTS_BACKLOG),
        ("outbox_backlog", health.outbox_waiting >= OUTBOX_BACKLOG),
        ("line_not_configured", health.active and not health.line_configured),
    ]
    return tuple(code for code, present in found if present)


def _registry(engine: Engine) -> list[_Town]:
    with town_scope(None), engine.connect() as conn:
        rows = conn.execute(_TOWNS_SQL).all()
    return [
        _Town(r.id, r.code, r.name, bool(r.active), r.host, bool(r.disaster_mode)) for r in rows
    ]


def _health_of(engine: Engine, town: _Town, now: dt.datetime) -> TownHealth:
    params = {
        "m": town.id,
        "now": now,
        "day": now - dt.timedelta(days=1),
        "today": now.astimezone(TOKYO).date(),
    }
    with town_scope(town.id), engine.connect() as conn:
        row = conn.execute(_FIGURES_SQL, params).one()
    oldest = row.oldest_event
    health = TownHealth(
        code=town.code,
        name=town.name,
        active=town.active,
        host=town.host,
        disaster_mode=town.disaster_mode,
        line_configured=bool(row.line_configured),
        line_channel=str(row.line_channel),
        events_pending=int(row.events_pending),
        oldest_pending_event_s=(
            None if oldest is None else round(max(0.0, (now - oldest).total_seconds()), 1)
        ),
        last_event_at=row.last_event_at,
        outbox_waiting=int(row.outbox_waiting),
        outbox_failed=int(row.outbox_failed),
        reports_total=int(row.reports_total),
        reports_last_day=int(row.reports_last_day),
        reports_open=int(row.reports_open),
        bookings_upcoming=int(row.bookings_upcoming),
    )
    return replace(health, problems=problems_of(health))


def town_health(engine: Engine, now: dt.datetime) -> list[TownHealth]:
    """Every town in the registry (disabled ones too) with its figures, by JIS code.

    Args:
        engine: the app's engine (its transactions set ``machi.town`` from ``town_scope``).
        now: aware current time; "last 24 h" and "upcoming" are counted from it.
    """
    return [_health_of(engine, town, now) for town in _registry(engine)]
