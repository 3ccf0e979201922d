"""The Open311 rate limiter: a sliding 60 s window per client, Retry-After in whole seconds."""

from __future__ import annotations

import pytest

from api.open311.limits import RateLimiter, TooManyRequestsError, key_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_over_the_limit_waits_until_its_oldest_hit_leaves_the_window() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.hit("a")
    clock.now += 10
    limiter.hit("a")
    limiter.hit("b")  # other clients count on their own
    with pytest.raises(TooManyRequestsError) as refused:
        limiter.hit("a")
    assert refused.value.retry_after_s == 50
    clock.now += 50
    limiter.hit("a")


def test_zero_turns_the_limit_off_and_keys_are_remembered_hashed() -> None:
    limiter = RateLimiter(0)
    for _ in range(1000):
        limiter.hit("a")
    assert "secret-key" not in key_client("secret-key")
    assert key_client("secret-key") == key_client("secret-key") != key_client("other-key")
