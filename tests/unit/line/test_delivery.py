"""Pure delivery decisions: reply or push, settled or unknown, channel pauses, backoff."""

from __future__ import annotations

import datetime as dt
import random

from workflow.line.delivery import (
    BACKOFF_CAP_S,
    Attempt,
    Outcome,
    SendResult,
    backoff_s,
    judge_channel,
    settle,
)

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(hours=24)


def _reply(unsettled: int, expires_in_s: float = 30) -> Attempt:
    return Attempt("reply", unsettled, NOW + dt.timedelta(seconds=expires_in_s), NOW, unsettled)


def test_a_used_token_after_an_unknown_reply_means_the_earlier_one_delivered() -> None:
    settled = settle(_reply(2), SendResult(Outcome.TOKEN_REJECTED), NOW, DAY, 1.0)
    assert (settled.status, settled.delivered_via) == ("sent", "reply_earlier")


def test_a_rejected_token_without_an_earlier_attempt_falls_back_to_push() -> None:
    settled = settle(_reply(1), SendResult(Outcome.TOKEN_REJECTED), NOW, DAY, 1.0)
    assert settled.status == "pending" and settled.drop_token and settled.reply_unsettled == 0


def test_an_unknown_reply_stays_unsettled_and_is_retried_later() -> None:
    settled = settle(_reply(1), SendResult(Outcome.UNKNOWN, "HTTP 500"), NOW, DAY, 2.5)
    assert (settled.status, settled.due_in_s, settled.reply_unsettled) == ("pending", 2.5, None)


def test_429_on_a_reply_settles_that_attempt_as_not_delivered() -> None:
    settled = settle(_reply(1), SendResult(Outcome.THROTTLED), NOW, DAY, 1.0)
    assert settled.reply_unsettled == 0


def test_409_counts_as_delivered_and_other_4xx_give_up_at_once() -> None:
    push = Attempt("push", 0, None, NOW, 1)
    assert settle(push, SendResult(Outcome.ALREADY_ACCEPTED), NOW, DAY, 1).status == "sent"
    rejected = settle(push, SendResult(Outcome.REJECTED, "HTTP 400"), NOW, DAY, 1)
    assert (rejected.status, rejected.give_up_reason) == ("failed", "rejected")


def test_nothing_is_given_up_before_the_horizon() -> None:
    push = Attempt("push", 0, None, NOW, 50)
    before = settle(push, SendResult(Outcome.UNKNOWN), NOW + DAY / 2, DAY, 1)
    after = settle(push, SendResult(Outcome.UNKNOWN), NOW + DAY, DAY, 1)
    assert before.status == "pending" and after.give_up_reason == "horizon"


def test_backoff_is_jittered_and_capped() -> None:
    rng = random.Random(1)
    delays = [backoff_s(n, rng) for n in range(1, 30)]
    assert max(delays) <= BACKOFF_CAP_S and min(delays) > 0
    assert len(set(delays)) == len(delays)


def test_one_answered_request_proves_the_channel_works() -> None:
    rng = random.Random(1)
    mixed = [SendResult(Outcome.UNKNOWN), SendResult(Outcome.DELIVERED)]
    assert judge_channel(mixed, 3, rng).healthy
    throttled = judge_channel([SendResult(Outcome.THROTTLED, retry_after_s=60)], 0, rng)
    assert (throttled.reason, throttled.pause_s) == ("throttled", 60)
    auth = judge_channel([SendResult(Outcome.AUTH)], 0, rng)
    assert auth.reason == "auth" and not auth.healthy
