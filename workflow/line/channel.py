"""The LINE channel's health, shared by every sender through the ``line_channel`` row.

A 429 pauses the whole channel for ``Retry-After``; an outage (5xx, timeouts) pauses it with a
capped, jittered backoff and then lets one probe through; a 401/403 is a configuration fault:
logged once, messages kept, one probe every ``AUTH_PROBE_S`` until the token works again.
Each state change is logged once, by the sender that makes it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from sqlalchemy import Engine, text

from workflow.line.delivery import ChannelVerdict, SendResult, judge_channel

log = logging.getLogger("machi.line.channel")


@dataclass(frozen=True)
class ChannelState:
    paused_until: dt.datetime | None = None
    reason: str | None = None
    failures: int = 0
    fault_since: dt.datetime | None = None
    last_error: str | None = None

    def slots(self, now: dt.datetime, free: int) -> int:
        """How many messages may be leased now: none while paused, one probe when unsure."""
        if self.paused_until is not None and now < self.paused_until:
            return 0
        if self.failures > 0 or self.fault_since is not None:
            return min(1, free)
        return free

    @property
    def healthy(self) -> bool:
        return self.failures == 0 and self.fault_since is None and self.paused_until is None


def read_channel(engine: Engine, municipality_id: int) -> ChannelState:
    """The channel's current state (a healthy default when no row exists yet)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT paused_until, pause_reason, failures, fault_since, last_error "
                "FROM line_channel WHERE municipality_id = :m"
            ),
            {"m": municipality_id},
        ).first()
    if row is None:
        return ChannelState()
    return ChannelState(
        row.paused_until, row.pause_reason, int(row.failures), row.fault_since, row.last_error
    )


def note_results(
    engine: Engine,
    municipality_id: int,
    results: list[SendResult],
    now: dt.datetime,
    rng: random.Random,
) -> tuple[ChannelState, ChannelState]:
    """Fold a round of results into the shared channel state; returns (before, after)."""
    before = read_channel(engine, municipality_id)
    verdict = judge_channel(results, before.failures, rng)
    if verdict.healthy:
        after = ChannelState()
        if not before.healthy:
            log.warning("LINE answers again (after: %s)", before.reason)
    else:
        after = _paused(before, verdict, now)
        if after.reason != before.reason:
            _log_pause(after, verdict)
    if after != before:
        _write(engine, municipality_id, after, now)
    return before, after


def _paused(before: ChannelState, verdict: ChannelVerdict, now: dt.datetime) -> ChannelState:
    fault_since = before.fault_since if verdict.reason == "auth" else None
    if verdict.reason == "auth" and fault_since is None:
        fault_since = now
    failures = before.failures + 1 if verdict.reason == "unavailable" else before.failures
    return ChannelState(
        paused_until=now + dt.timedelta(seconds=verdict.pause_s),
        reason=verdict.reason,
        failures=max(failures, 1),
        fault_since=fault_since,
        last_error=verdict.error,
    )


def _log_pause(state: ChannelState, verdict: ChannelVerdict) -> None:
    if state.reason == "auth":
        log.error(
            "LINE refuses our channel access token (configuration fault; messages are kept "
            "and sent once it is fixed): %s",
            verdict.error,
        )
    else:
        pause_s = verdict.pause_s
        log.warning("LINE %s: sending paused %.1f s (%s)", state.reason, pause_s, verdict.error)


def _write(engine: Engine, municipality_id: int, state: ChannelState, now: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO line_channel (municipality_id, paused_until, pause_reason, failures, "
                "fault_since, last_error, updated_at) VALUES (:m, :until, :reason, :failures, "
                ":since, :err, :now) ON CONFLICT (municipality_id) DO UPDATE SET paused_until = "
                "EXCLUDED.paused_until, pause_reason = EXCLUDED.pause_reason, failures = "
                "EXCLUDED.failures, fault_since = EXCLUDED.fault_since, last_error = "
                "EXCLUDED.last_error, updated_at = EXCLUDED.updated_at"
            ),
            {
                "m": municipality_id,
                "until": state.paused_until,
                "reason": state.reason,
                "failures": state.failures,
                "since": state.fault_since,
                "err": state.last_error,
                "now": now,
            },
        )
