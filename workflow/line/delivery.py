"""What one LINE send attempt means, as pure values: no database, no HTTP.

LINE gives us two ways to reach a resident and different guarantees for each:

* a **reply** (free) needs the event's reply token, usable once for about a minute. It has no
  retry key: when a reply's outcome is unknown (timeout, 5xx, crash) we retry the *same* token
  while it is valid. LINE then either delivers (the earlier attempt did not) or answers 400
  "invalid reply token" — the token was used, so the earlier attempt did deliver. Either way
  the resident gets it once.
* a **push** (counted against the monthly allowance) carries ``X-Line-Retry-Key`` = the
  outbox row's key; LINE answers 409 to a key it already accepted, so pushes are retried freely.

Only when a reply's outcome is still unknown after its token expired do we push, accepting at
most one duplicate; the row is flagged ``duplicate_risk`` so the case is counted.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

BACKOFF_BASE_S: Final = 0.5
# Capped so a probe reaches LINE at most ~8 s after an outage ends (the issue asks for ~10 s).
BACKOFF_CAP_S: Final = 8.0
DEFAULT_RETRY_AFTER_S: Final = 60.0
AUTH_PROBE_S: Final = 30.0  # a refused token is probed this often until someone fixes it


class Outcome(StrEnum):
    DELIVERED = "delivered"
    ALREADY_ACCEPTED = "already_accepted"  # 409 on the push API: this retry key was accepted
    TOKEN_REJECTED = "token_rejected"  # 400 on the reply API: token used or expired
    UNKNOWN = "unknown"  # 5xx, timeout, network: LINE may or may not have delivered
    THROTTLED = "throttled"  # 429: not delivered; wait Retry-After
    AUTH = "auth"  # 401/403: our token is wrong or revoked — a configuration fault
    REJECTED = "rejected"  # any other 4xx: LINE will never take this message


ANSWERED: Final = frozenset(
    {Outcome.DELIVERED, Outcome.ALREADY_ACCEPTED, Outcome.TOKEN_REJECTED, Outcome.REJECTED}
)


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    error: str | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Attempt:
    """What the lease knew when the attempt started (see ``outbox.lease_batch``)."""

    mode: str  # "reply" | "push"
    reply_unsettled: int  # reply attempts without a known outcome, this one included
    reply_token_expires_at: dt.datetime | None
    created_at: dt.datetime
    attempts: int


@dataclass(frozen=True)
class Settlement:
    """How to record an attempt: the row's next state."""

    status: str  # "sent" | "pending" | "failed"
    delivered_via: str | None = None
    due_in_s: float = 0.0
    reply_unsettled: int | None = None  # new value; None: leave as the lease set it
    drop_token: bool = False
    give_up_reason: str | None = None


def backoff_s(failures: int, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter", capped at ``BACKOFF_CAP_S`` seconds."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, failures - 1))
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


def settle(
    attempt: Attempt, result: SendResult, now: dt.datetime, horizon: dt.timedelta, retry_s: float
) -> Settlement:
    """Decide the row's next state from one attempt's result.

    Args:
        attempt: the leased attempt.
        result: what LINE answered (or did not).
        now: aware time of recording.
        horizon: a message still undelivered this long after it was queued is given up.
        retry_s: delay before this row is tried again after an unknown outcome.
    """
    outcome = result.outcome
    if outcome is Outcome.DELIVERED:
        return Settlement("sent", delivered_via=attempt.mode)
    if outcome is Outcome.ALREADY_ACCEPTED:
        return Settlement("sent", delivered_via="push_409")
    if outcome is Outcome.TOKEN_REJECTED:
        return _token_rejected(attempt, now)
    if outcome is Outcome.REJECTED:
        return Settlement("failed", give_up_reason="rejected")
    if now - attempt.created_at >= horizon:
        return Settlement("failed", give_up_reason="horizon")
    if outcome is Outcome.UNKNOWN:
        return Settlement("pending", due_in_s=retry_s)
    # 429 / 401 / 403: LINE refused before doing anything; the channel's pause decides when.
    settled = attempt.reply_unsettled - 1 if attempt.mode == "reply" else None
    return Settlement("pending", reply_unsettled=settled)


def _token_rejected(attempt: Attempt, now: dt.datetime) -> Settlement:
    """A reply refused for its token: used by an earlier attempt of ours, or expired."""
    earlier_unsettled = attempt.reply_unsettled > 1
    still_valid = attempt.reply_token_expires_at is not None and now < (
        attempt.reply_token_expires_at
    )
    if earlier_unsettled and still_valid:
        return Settlement("sent", delivered_via="reply_earlier")
    # Push instead; the lease flags duplicate_risk if an earlier reply is still unsettled.
    unsettled = attempt.reply_unsettled - 1
    return Settlement("pending", reply_unsettled=unsettled, drop_token=True)


@dataclass(frozen=True)
class ChannelVerdict:
    """What a round of results says about the channel as a whole."""

    healthy: bool
    pause_s: float = 0.0
    reason: str | None = None
    error: str | None = None


def judge_channel(results: list[SendResult], failures: int, rng: random.Random) -> ChannelVerdict:
    """One answered request proves the channel works; otherwise the worst refusal pauses it.

    Args:
        results: the outcomes of the attempts finished since the last verdict.
        failures: consecutive unanswered rounds so far (for the backoff).
        rng: jitter source.
    """
    if any(r.outcome in ANSWERED for r in results):
        return ChannelVerdict(healthy=True)
    by_outcome = {r.outcome: r for r in results}
    throttled = by_outcome.get(Outcome.THROTTLED)
    if throttled is not None:
        pause = throttled.retry_after_s or DEFAULT_RETRY_AFTER_S
        return ChannelVerdict(False, pause, "throttled", throttled.error)
    auth = by_outcome.get(Outcome.AUTH)
    if auth is not None:
        return ChannelVerdict(False, AUTH_PROBE_S, "auth", auth.error)
    unknown = by_outcome.get(Outcome.UNKNOWN)
    if unknown is None:
        return ChannelVerdict(healthy=True)
    return ChannelVerdict(False, backoff_s(failures + 1, rng), "unavailable", unknown.error)
