"""``api.line.channels.ChannelSecrets``: cached a minute, and kept while the database is away."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from api.line.channels import ChannelSecrets


class Registry:
    """A town registry that answers, or not (a restart, a failover)."""

    def __init__(self) -> None:
        self.down = False
        self.reads = 0

    def load(self, town_id: int) -> str | None:
        self.reads += 1
        if self.down:
            raise psycopg.OperationalError("connection refused")
        return f"secret-{town_id}"


def test_a_secret_is_read_once_a_minute() -> None:
    registry, now = Registry(), [0.0]
    secrets = ChannelSecrets(registry.load, ttl_s=60, clock=lambda: now[0])
    assert asyncio.run(secrets.secret(13202)) == "secret-13202"
    now[0] = 59.0
    assert asyncio.run(secrets.secret(13202)) == "secret-13202"
    assert registry.reads == 1


def test_an_expired_secret_is_kept_while_the_registry_cannot_be_read() -> None:
    registry, now = Registry(), [0.0]
    secrets = ChannelSecrets(registry.load, ttl_s=60, clock=lambda: now[0])
    asyncio.run(secrets.secret(13202))
    registry.down, now[0] = True, 120.0
    assert asyncio.run(secrets.secret(13202)) == "secret-13202"
    assert asyncio.run(secrets.secret(13202)) == "secret-13202"  # tried again each time
    assert registry.reads == 3
    registry.down = False
    assert asyncio.run(secrets.secret(13202)) == "secret-13202"


def test_without_a_cached_secret_the_registry_error_reaches_the_webhook() -> None:
    registry = Registry()
    registry.down = True
    with pytest.raises(psycopg.OperationalError):
        asyncio.run(ChannelSecrets(registry.load).secret(13202))
