"""Each town's LINE channel secret for the webhook, cached in memory for a minute.

The webhook is the hot path of a disaster: the secret is read (and decrypted) from the town
registry once a minute per town, not per request, and the read runs off the event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from machi.settings import Settings
from workflow.db import UNAVAILABLE_ERRORS
from workflow.towns.access import channel_of

SECRET_TTL_S = 60.0


class ChannelSecrets:
    """Town id → its channel secret (``None``: the town has no LINE channel)."""

    def __init__(
        self,
        load: Callable[[int], str | None],
        ttl_s: float = SECRET_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[int, tuple[float, str | None]] = {}

    async def secret(self, town_id: int) -> str | None:
        """The channel secret of ``town_id``, from the cache while it is fresh.

        While the database cannot be read (a restart, a failover) an expired entry is still
        used, so the webhook goes on to answer 200 or 503 by what it could store.

        Raises:
            UNAVAILABLE_ERRORS: the registry cannot be read and nothing is cached.
        """
        hit = self._cache.get(town_id)
        if hit is not None and self._clock() - hit[0] < self._ttl_s:
            return hit[1]
        try:
            value = await run_in_threadpool(self._load, town_id)
        except UNAVAILABLE_ERRORS:
            if hit is None:
                raise
            return hit[1]
        self._cache[town_id] = (self._clock(), value)
        return value

    def forget(self) -> None:
        """Drop every cached secret (after ``machi town line`` changed one, in tests)."""
        self._cache.clear()


def install_channel_secrets(app: FastAPI, settings: Settings) -> ChannelSecrets:
    """``app.state.line_secrets``: each town's secret from the registry behind the app's engine."""
    engine = app.state.engine

    def load(town_id: int) -> str | None:
        channel = channel_of(engine, town_id, settings)
        return channel.secret if channel else None

    secrets = ChannelSecrets(load)
    app.state.line_secrets = secrets
    return secrets
